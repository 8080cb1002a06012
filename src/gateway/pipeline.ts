import { randomUUID } from 'node:crypto';
import type { CatalogView } from '../catalog/catalogIndex';
import type { Api } from '../catalog/records';
import { internalErrorResponse } from '../apim/gatewayResponses';
import { authorize, type Access } from './authorize';
import { buildBackendCall } from './backendCall';
import { createForwarder, type Forwarder, type ForwarderOptions } from './forward';
import { DEFAULT_MAX_BODY_BYTES, limitBody } from './limitBody';
import { matchApi } from './matchApi';
import { matchOperation } from './matchOperation';
import { readKey } from './readKey';
import { parseRequestUrl, type RequestTarget } from './requestUrl';
import { rejectionResponse } from './respond';
import { newTrace, type GatewayTrace } from './trace';
import { isRejection, reject, type GatewayRequest, type GatewayResponse, type Rejection } from './types';

export interface GatewayOptions extends ForwarderOptions {
  readonly catalog: CatalogView;
  /** Replaces the undici forwarder, e.g. with an in-process backend; the timeout options then do nothing. */
  readonly forwarder?: Forwarder;
  /** Activity ids for 500 bodies; default a random UUID. */
  readonly activityId?: () => string;
  /** Largest request body forwarded, in bytes; a larger one is answered 413. Default 64 MiB. */
  readonly maxBodyBytes?: number;
}

// The rejections that carry nothing of the request, made once (immutable, like every rejection).
const API_NOT_FOUND: Rejection = Object.freeze(reject('apiNotFound'));
const OPERATION_NOT_FOUND: Rejection = Object.freeze(reject('operationNotFound'));

/** The response, plus how the gateway reached it. */
export type GatewayResult = GatewayResponse & { readonly trace: GatewayTrace };

export interface Gateway {
  /** Never throws: every failure becomes an APIM-shaped response. */
  handle(request: GatewayRequest): Promise<GatewayResult>;
  /**
   * `handle` without the promise when there is nothing to wait for: the result
   * itself when the gateway answers on its own (404, 401, 413, ...), a promise only
   * when the call goes to the backend. For adapters that can write at once. Never throws.
   */
  dispatch(request: GatewayRequest): GatewayResult | Promise<GatewayResult>;
  /** Releases pooled backend connections. */
  close(): Promise<void>;
}

/**
 * The APIM subscription-key gateway: match API -> match operation -> read key ->
 * authorize -> limit the body -> forward. Stages return values or rejections; a
 * rejection stops the run and `rejectionResponse` writes it. Matching comes first,
 * so an unknown path or method is a 404 and never a 401; the key check comes before
 * the body limit, so a caller without a valid key learns nothing about limits.
 */
export function createGateway(options: GatewayOptions): Gateway {
  const { catalog } = options;
  const forwarder = options.forwarder ?? createForwarder(options);
  const activityId = options.activityId ?? randomUUID;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  /** Ends the run with `rejection`: its APIM response, and the outcome in the trace. */
  function refuse(trace: GatewayTrace, rejection: Rejection, request: GatewayRequest, target: RequestTarget | undefined, api: Api | null): GatewayResponse {
    trace.outcome = rejection.rejected;
    return rejectionResponse(rejection, { headers: request.headers, target, api, activityId });
  }

  /**
   * Synchronous up to the backend call: a request the gateway answers itself
   * (404, 401, ...) costs no promise of its own; a forwarded one returns the
   * forwarder's promise.
   */
  function run(request: GatewayRequest, trace: GatewayTrace): GatewayResponse | Promise<GatewayResponse> {
    const target = parseRequestUrl(request.url);
    if (!target) return refuse(trace, API_NOT_FOUND, request, target, null);
    const apiMatch = matchApi(catalog, target.path);
    if (!apiMatch) return refuse(trace, API_NOT_FOUND, request, target, null);
    const api = apiMatch.api;
    trace.apiId = api.id;

    // Parsed only when a template or the key lookup needs it.
    const rawQuery = target.query;
    let parsed: URLSearchParams | null | undefined;
    const query = () => (parsed === undefined ? (parsed = rawQuery ? new URLSearchParams(rawQuery) : null) : parsed);
    const operation = matchOperation(catalog.operationsOf(api.id), request.method, apiMatch.rest, query);
    if (!operation) return refuse(trace, OPERATION_NOT_FOUND, request, target, api);
    trace.operationId = operation.operation.id;

    const key = readKey(api, request.headers, query, rawQuery);
    trace.keySource = key.source;

    const access = authorize(catalog, api, key);
    if (isRejection(access)) {
      trace.subscriptionId = access.subscription?.id ?? null;
      trace.subscriptionState = access.subscription?.state ?? null;
      return refuse(trace, access, request, target, api);
    }
    recordAccess(trace, access);

    const tooLarge = limitBody(request.body, maxBodyBytes);
    if (tooLarge) return refuse(trace, tooLarge, request, target, api);

    const call = buildBackendCall(api, apiMatch.rest, target.query, request);
    if (isRejection(call)) return refuse(trace, call, request, target, api);
    return forwarder.forward(call).then((answer) => {
      if (isRejection(answer)) {
        trace.backendError = answer.backendError;
        return refuse(trace, answer, request, target, api);
      }
      trace.outcome = 'forwarded';
      trace.backendStatus = answer.status;
      return answer;
    });
  }

  function failed(trace: GatewayTrace): GatewayResult {
    trace.outcome = 'internalError';
    return { ...internalErrorResponse(activityId()), trace };
  }

  function dispatch(request: GatewayRequest): GatewayResult | Promise<GatewayResult> {
    const trace = newTrace();
    let response: GatewayResponse | Promise<GatewayResponse>;
    try {
      response = run(request, trace);
    } catch {
      return failed(trace);
    }
    if (response instanceof Promise) {
      return response.then(
        (answer): GatewayResult => ({ ...answer, trace }),
        () => failed(trace),
      );
    }
    // Answered by the gateway itself: an APIM response, exactly these three fields.
    return { status: response.status, headers: response.headers, body: response.body, trace };
  }

  return {
    handle(request) {
      const result = dispatch(request);
      return result instanceof Promise ? result : Promise.resolve(result);
    },
    dispatch,
    close: () => forwarder.close(),
  };
}

function recordAccess(trace: GatewayTrace, access: Access): void {
  if (access.via === 'subscription') {
    trace.subscriptionId = access.subscription.id;
    trace.subscriptionState = access.subscription.state;
  }
  trace.productId = access.via === 'openApi' ? null : (access.product?.id ?? null);
}
