import { randomUUID } from 'node:crypto';
import type { CatalogView } from '../catalog/catalogIndex';
import type { Api } from '../catalog/records';
import {
  DEBUG_AUTHORIZATION_HEADER,
  DEBUG_EXPIRED_HEADER,
  DEBUG_WRONG_API_HEADER,
  TRACE_ID_HEADER,
  internalErrorResponse,
} from '../apim/gatewayResponses';
import type { DebugCredentials } from '../catalog/debugCredentials';
import type { EffectivePolicy } from '../policy/compose';
import type { PolicyServices } from '../policy/services';
import { authorize, type Access } from './authorize';
import { buildBackendCall } from './backendCall';
import { createForwarder, type Forwarder, type ForwarderOptions } from './forward';
import { DEFAULT_MAX_BODY_BYTES, limitBody } from './limitBody';
import { matchApi } from './matchApi';
import { matchOperation, matchSoapOperation, type OperationMatch } from './matchOperation';
import { readKey } from './readKey';
import { runPolicy, type AuthorizedCall, type PolicyRunResult } from './runPolicy';
import { EffectivePolicies, isUnusable, policyProductOf, type PolicyDocuments } from './policies';
import { createPolicyServices } from './policyServices';
import { parseRequestUrl, type RequestTarget } from './requestUrl';
import { rejectionResponse } from './respond';
import { soapActionOf, soapMissReason } from './soapAction';
import { newTrace, traceDocument, type GatewayTrace, type TracedRequest } from './trace';
import { isHeaderList, isRejection, reject, type GatewayRequest, type GatewayResponse, type Rejection } from './types';

export interface GatewayOptions extends ForwarderOptions {
  readonly catalog: CatalogView;
  /**
   * Whether `catalog` holds the catalog yet (a `CatalogStore` does). While it does
   * not, a request waits up to `startWaitMs` for it and is answered 503 if it is
   * still not there: without a catalog no request may pass unchecked. Without this
   * option the catalog counts as ready.
   */
  readonly readiness?: CatalogReadiness;
  /** Longest wait for the catalog's first load before answering 503; default 5000 ms. */
  readonly startWaitMs?: number;
  /** Replaces the undici forwarder, e.g. with an in-process backend; the timeout options then do nothing. */
  readonly forwarder?: Forwarder;
  /** Activity ids for 500 bodies; default a random UUID. */
  readonly activityId?: () => string;
  /** Largest request body forwarded, in bytes; a larger one is answered 413. Default 64 MiB. */
  readonly maxBodyBytes?: number;
  /**
   * Request tracing: requests with a valid `Apim-Debug-Authorization` token for
   * the API they reach get an `Apim-Trace-Id` (the sealed trace). Without it the
   * header is ignored.
   */
  readonly debug?: Pick<DebugCredentials, 'check' | 'sealTrace'>;
  /** The clock for debug tokens and traces; default `new Date()`. */
  readonly now?: () => Date;
  /**
   * The stored policy documents of the four scopes (the catalog's view). Absent:
   * every scope has its default, and every call is forwarded as without policies.
   */
  readonly policies?: PolicyDocuments;
  /**
   * Rate limiters, quota counters and the response cache the policies use. Absent:
   * in-memory ones of this gateway, made when a policy first needs them.
   */
  readonly policyServices?: PolicyServices;
}

/** The catalog's first load, as the gateway waits for it. */
export interface CatalogReadiness {
  readonly isReady: boolean;
  /** True once ready (`isReady` is then true), false when `timeoutMs` passed first; never rejects. */
  whenReady(timeoutMs: number): Promise<boolean>;
}

/**
 * Every storage call has a timeout of its own, but a first load is several calls:
 * storage that hangs must not hold a caller longer than this.
 */
export const DEFAULT_START_WAIT_MS = 5000;

/** How long a trace id can be opened with `listTrace`. */
export const TRACE_LIFETIME_MS = 60 * 60 * 1000;

// The rejections that carry nothing of the request, made once (immutable, like every rejection).
const API_NOT_FOUND: Rejection = Object.freeze(reject('apiNotFound'));
const OPERATION_NOT_FOUND: Rejection = Object.freeze(reject('operationNotFound'));
const CATALOG_UNAVAILABLE: Rejection = Object.freeze(reject('catalogUnavailable'));
const POLICY_UNUSABLE: Rejection = Object.freeze(reject('policyUnusable'));

/** The response, plus how the gateway reached it. */
export type GatewayResult = GatewayResponse & { readonly trace: GatewayTrace };

export interface Gateway {
  /**
   * The response to `request`: the result itself when the gateway answers on its
   * own (404, 401, 413, ...), a promise when the call goes to the backend or must
   * wait for the catalog. Adapters `await` it. Never throws, never rejects: every
   * failure becomes an APIM-shaped response.
   */
  handle(request: GatewayRequest): GatewayResult | Promise<GatewayResult>;
  /** Releases pooled backend connections. */
  close(): Promise<void>;
}

/**
 * The APIM subscription-key gateway. `handle` waits for the catalog if need be,
 * notes the debug token, parses the URL (`requestUrl`) and runs the stages in
 * this order: 1 `matchApi` -> 2 `matchOperation` -> 3 `readKey` -> 4 `authorize`
 * -> 5 `limitBody` -> 6 `policies` -> 7 `backendCall` -> 8 `forward`.
 *
 * Stage 6 finds the call's effective policy (composed once per catalog change).
 * When it is APIM's default (forward and nothing else) stages 7 and 8 run as they
 * always did, at the same cost; otherwise the policy engine runs it, with
 * forwarding as its `forward-request` step. Policies only ever run for callers
 * that passed the key check, so no limit or cached answer is visible to others.
 *
 * Stages return values or rejections; a rejection stops the run and
 * `rejectionResponse` writes it. Matching comes first, so an unknown path or method
 * is a 404 and never a 401; the key check comes before the body limit, so a caller
 * without a valid key learns nothing about limits.
 */
export function createGateway(options: GatewayOptions): Gateway {
  const { catalog, readiness, debug } = options;
  const startWaitMs = options.startWaitMs ?? DEFAULT_START_WAIT_MS;
  const forwarder = options.forwarder ?? createForwarder(options);
  const activityId = options.activityId ?? randomUUID;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const now = options.now ?? (() => new Date());
  const effectivePolicies = new EffectivePolicies(options.policies);
  let policyServices = options.policyServices;
  let ownServices: ReturnType<typeof createPolicyServices> | undefined;
  const services = (): PolicyServices => (policyServices ??= ownServices = createPolicyServices());

  function handle(request: GatewayRequest): GatewayResult | Promise<GatewayResult> {
    if (readiness !== undefined && !readiness.isReady) return afterFirstLoad(request);
    const trace = newTrace();
    let traced: ((result: GatewayResult) => GatewayResult) | null = null;
    let response: GatewayResponse | Promise<GatewayResponse>;
    try {
      const token = debug === undefined ? null : request.headers.get(DEBUG_AUTHORIZATION_HEADER);
      if (token) traced = tracing(request, token, trace);
      response = run(request, trace, traced !== null);
    } catch {
      response = failed(trace);
    }
    // The gateway's own answers (404, 401, 413) go back without a promise: the 401 target, >= 0.9x a raw echo (0.94x), needs it.
    if (response instanceof Promise) {
      return response.then(
        (answer) => finish(answer, trace, traced),
        () => finish(failed(trace), trace, traced),
      );
    }
    return finish(response, trace, traced);
  }

  /** A request that came before the catalog: handled once it is there, else 503. */
  function afterFirstLoad(request: GatewayRequest): Promise<GatewayResult> {
    return readiness!.whenReady(startWaitMs).then(
      (ready) => (ready ? handle(request) : unavailable(request)),
      () => unavailable(request),
    );
  }

  function unavailable(request: GatewayRequest): GatewayResult {
    const trace = newTrace();
    return finish(refuse(trace, CATALOG_UNAVAILABLE, request, undefined, null), trace, null);
  }

  /** The stages, synchronous up to the backend call. */
  function run(request: GatewayRequest, trace: GatewayTrace, traced: boolean): GatewayResponse | Promise<GatewayResponse> {
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
    // Only a SOAP API looks at SOAP actions: HTTP APIs keep their matching and its cost.
    const operation =
      api.type === 'soap'
        ? matchSoap(api, request, apiMatch.rest, query, trace)
        : matchOperation(catalog.operationsOf(api.id), request.method, apiMatch.rest, query);
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

    const tooLarge = limitBody(request.body, maxBodyBytes) ?? (request.body === null ? announcedTooLarge(request, maxBodyBytes) : null);
    if (tooLarge) return refuse(trace, tooLarge, request, target, api);

    const productId = policyProductOf(access);
    const policy = effectivePolicies.of(api.id, operation.operation, productId);
    if (isUnusable(policy)) return refuse(trace, POLICY_UNUSABLE, request, target, api);
    if (!policy.isDefault) {
      const product = productId === null || access.via !== 'subscription' ? null : access.product;
      const authorized: AuthorizedCall = { request, target, api, operation: operation.operation, params: operation.params, rest: apiMatch.rest, access, product };
      return runPolicyOf(policy, authorized, trace, traced);
    }

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

  /** Stage 2 for a SOAP pass-through API; a miss notes its reason in the trace. */
  function matchSoap(api: Api, request: GatewayRequest, rest: string, query: () => URLSearchParams | null, trace: GatewayTrace): OperationMatch | undefined {
    const match = matchSoapOperation(catalog.operationsOf(api.id), request.method, rest, soapActionOf(request.headers), query);
    if (match.operation !== undefined) return match;
    trace.operationMiss = soapMissReason(match.action, api.subscriptionKeyParameterNames.header);
    return undefined;
  }

  /** Runs a call whose effective policy is not the default through the policy engine; an answer given without waiting comes back as a value. */
  function runPolicyOf(policy: EffectivePolicy, call: AuthorizedCall, trace: GatewayTrace, traced: boolean): GatewayResponse | Promise<GatewayResponse> {
    const result = runPolicy(policy, call, { services: services(), forwarder, activityId, trace: traced });
    return result instanceof Promise ? result.then((settled) => traceRun(settled, trace)) : traceRun(result, trace);
  }

  function traceRun(result: PolicyRunResult, trace: GatewayTrace): GatewayResponse {
    trace.policySteps = result.steps;
    trace.backendStatus = result.backendStatus;
    trace.backendError = result.backendError;
    trace.outcome = result.forwarded ? 'forwarded' : 'policyAnswered';
    return result.response;
  }

  /** Ends the run with `rejection`: its APIM response, and the outcome in the trace. */
  function refuse(trace: GatewayTrace, rejection: Rejection, request: GatewayRequest, target: RequestTarget | undefined, api: Api | null): GatewayResponse {
    trace.outcome = rejection.rejected;
    return rejectionResponse(rejection, { headers: request.headers, target, api, activityId });
  }

  function failed(trace: GatewayTrace): GatewayResponse {
    trace.outcome = 'internalError';
    return internalErrorResponse(activityId());
  }

  /** The result: the response's three fields and the trace, with the debug token's verdict when there was one. */
  function finish(response: GatewayResponse, trace: GatewayTrace, traced: ((result: GatewayResult) => GatewayResult) | null): GatewayResult {
    const result: GatewayResult = { status: response.status, headers: response.headers, body: response.body, trace };
    return traced === null ? result : traced(result);
  }

  /** For a request with a debug token: adds the token's verdict to the result, once it is known. */
  function tracing(request: GatewayRequest, token: string, trace: GatewayTrace): (result: GatewayResult) => GatewayResult {
    const started = now();
    const startedMs = performance.now();
    return (result) => {
      let header: [string, string] | null;
      try {
        header = debugHeader(token, trace, request, result.status, started, performance.now() - startedMs);
      } catch {
        // Tracing must never cost the caller the answer: no trace then.
        header = null;
      }
      return header ? { ...result, headers: withHeader(result.headers, header) } : result;
    };
  }

  /**
   * What the token earns: the sealed trace when it is valid for the API the request
   * reached; `...-Expired` or `...-WrongAPI` when it is ours but expired or for
   * another API; nothing when it is no token of ours.
   */
  function debugHeader(token: string, trace: GatewayTrace, request: GatewayRequest, status: number, started: Date, elapsedMs: number): [string, string] | null {
    const check = debug!.check(token, now());
    if (check === undefined) return null;
    if (check === 'expired') return [DEBUG_EXPIRED_HEADER, 'true'];
    if (check.apiId !== trace.apiId) return [DEBUG_WRONG_API_HEADER, 'true'];
    const document = traceDocument(trace, tracedRequest(request), status, started, elapsedMs);
    return [TRACE_ID_HEADER, debug!.sealTrace(document, new Date(now().getTime() + TRACE_LIFETIME_MS))];
  }

  async function close(): Promise<void> {
    await ownServices?.close();
    await forwarder.close();
  }

  return { handle, close };
}

/**
 * A body the host did not hand on because it was over the limit (the local host
 * keeps none over `GATEWAY_MAX_BODY_BYTES`): its size is the announced
 * `Content-Length`, which the host has checked against the bytes that came.
 */
function announcedTooLarge(request: GatewayRequest, maxBodyBytes: number): Rejection | null {
  const announced = request.headers.get('content-length');
  if (announced === null || !/^\d+$/.test(announced)) return null;
  const bodyBytes = Number(announced);
  return bodyBytes > maxBodyBytes ? { rejected: 'bodyTooLarge', bodyBytes, maxBodyBytes } : null;
}

/** The request as a trace shows it: names only, never a header or query value. */
function tracedRequest(request: GatewayRequest): TracedRequest {
  const target = parseRequestUrl(request.url);
  const host = request.headers.get('host') || target?.authority || '';
  const headerNames: string[] = [];
  for (const [name] of request.headers) headerNames.push(name);
  const queryParameterNames = target?.query ? [...new Set(new URLSearchParams(target.query).keys())] : [];
  return {
    method: request.method,
    url: target ? `${target.scheme}://${host}${target.path}` : request.url.split('?', 1)[0]!,
    headerNames,
    queryParameterNames,
  };
}

/** The headers with one more; a new list or `Headers`, the given one is left as it is (it may be shared and frozen). */
function withHeader(headers: GatewayResponse['headers'], [name, value]: [string, string]): GatewayResponse['headers'] {
  if (isHeaderList(headers)) return [...headers, [name, value]];
  const copy = new Headers(headers);
  copy.append(name, value);
  return copy;
}

function recordAccess(trace: GatewayTrace, access: Access): void {
  if (access.via === 'subscription') {
    trace.subscriptionId = access.subscription.id;
    trace.subscriptionState = access.subscription.state;
  }
  trace.productId = access.via === 'openApi' ? null : (access.product?.id ?? null);
}
