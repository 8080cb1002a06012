import { randomUUID } from 'node:crypto';
import type { CatalogView } from '../catalog/catalogIndex';
import type { Api } from '../catalog/records';
import { internalErrorResponse } from '../apim/gatewayResponses';
import { authorize, type Access } from './authorize';
import { buildBackendCall } from './backendCall';
import { createForwarder, type Forwarder, type ForwarderOptions } from './forward';
import { DEFAULT_MAX_BODY_BYTES, limitBody, type BodyTooLarge } from './limitBody';
import { matchApi } from './matchApi';
import { matchOperation } from './matchOperation';
import { readKey } from './readKey';
import { parseRequestUrl } from './requestUrl';
import { rejectionResponse } from './respond';
import { newTrace, type GatewayTrace } from './trace';
import { isRejection, type GatewayRequest, type GatewayResponse, type RejectReason } from './types';

export interface GatewayOptions extends ForwarderOptions {
  readonly catalog: CatalogView;
  /** Replaces the undici forwarder, e.g. with an in-process backend; the timeout options then do nothing. */
  readonly forwarder?: Forwarder;
  /** Activity ids for 500 bodies; default a random UUID. */
  readonly activityId?: () => string;
  /** Largest request body forwarded, in bytes; a larger one is answered 413. Default 64 MiB. */
  readonly maxBodyBytes?: number;
}

/** The response, plus how the gateway reached it. */
export type GatewayResult = GatewayResponse & { readonly trace: GatewayTrace };

export interface Gateway {
  /** Never throws: every failure becomes an APIM-shaped response. */
  handle(request: GatewayRequest): Promise<GatewayResult>;
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

  /**
   * Synchronous up to the backend call: a request the gateway answers itself
   * (404, 401, ...) costs no promise of its own; a forwarded one returns the
   * forwarder's promise.
   */
  function run(request: GatewayRequest, trace: GatewayTrace): GatewayResponse | Promise<GatewayResponse> {
    const target = parseRequestUrl(request.url);
    let api: Api | null = null;
    const refuse = (reason: RejectReason, bodyTooLarge?: BodyTooLarge) => {
      trace.outcome = reason;
      return rejectionResponse(reason, { headers: request.headers, target, api, activityId, bodyTooLarge });
    };

    if (!target) return refuse('apiNotFound');
    const apiMatch = matchApi(catalog, target.path);
    if (!apiMatch) return refuse('apiNotFound');
    api = apiMatch.api;
    trace.apiId = api.id;

    // Parsed only when a template or the key lookup needs it.
    const rawQuery = target.query;
    let parsed: URLSearchParams | null | undefined;
    const query = () => (parsed === undefined ? (parsed = rawQuery ? new URLSearchParams(rawQuery) : null) : parsed);
    const operation = matchOperation(catalog.operationsOf(api.id), request.method, apiMatch.rest, query);
    if (!operation) return refuse('operationNotFound');
    trace.operationId = operation.operation.id;

    const key = readKey(api, request.headers, query, rawQuery);
    trace.keySource = key.source;

    const access = authorize(catalog, api, key);
    if (isRejection(access)) {
      trace.subscriptionId = access.subscription?.id ?? null;
      trace.subscriptionState = access.subscription?.state ?? null;
      return refuse(access.rejected);
    }
    recordAccess(trace, access);

    const tooLarge = limitBody(request.body, maxBodyBytes);
    if (tooLarge) return refuse(tooLarge.rejected, tooLarge);

    const call = buildBackendCall(api, apiMatch.rest, target.query, request);
    if (isRejection(call)) return refuse(call.rejected);
    return forwarder.forward(call).then((answer) => {
      if (isRejection(answer)) {
        trace.backendError = answer.backendError;
        return refuse(answer.rejected);
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

  return {
    handle(request) {
      const trace = newTrace();
      let response: GatewayResponse | Promise<GatewayResponse>;
      try {
        response = run(request, trace);
      } catch {
        return Promise.resolve(failed(trace));
      }
      if (response instanceof Promise) {
        return response.then(
          (answer): GatewayResult => ({ ...answer, trace }),
          () => failed(trace),
        );
      }
      // Answered by the gateway itself: an APIM response, exactly these three fields.
      return Promise.resolve({ status: response.status, headers: response.headers, body: response.body, trace });
    },
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
