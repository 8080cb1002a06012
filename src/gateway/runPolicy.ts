import type { Api, Operation, Product, Subscription } from '../catalog/records';
import { PolicyCall, type Backend, type BackendResponse, type CallProduct, type CallSubscription } from '../policy/call';
import type { EffectivePolicy } from '../policy/compose';
import { executePolicy } from '../policy/execute';
import type { PolicyTraceEntry } from '../policy/origin';
import type { PolicyServices } from '../policy/services';
import type { Access } from './authorize';
import { appendForwardedFor, NOT_FORWARDED, type BackendCall } from './backendCall';
import type { BackendFailure, Forwarder } from './forward';
import { callerNominated, HOP_BY_HOP_HEADERS } from './hopByHop';
import type { RequestTarget } from './requestUrl';
import { isRejection, type GatewayRequest, type GatewayResponse } from './types';

/** What the pipeline knows of a call once it is authorized, for the policies. */
export interface AuthorizedCall {
  readonly request: GatewayRequest;
  readonly target: RequestTarget;
  readonly api: Api;
  readonly operation: Operation;
  readonly params: Readonly<Record<string, string>>;
  /** The request path below the API's path, raw. */
  readonly rest: string;
  readonly access: Access;
  /** The product whose scope is in the effective policy, when there is one. */
  readonly product: Product | null;
}

/** How a policy run went, for the trace. */
export interface PolicyRunResult {
  readonly response: GatewayResponse;
  /** The backend's status when it was called. */
  readonly backendStatus: number | null;
  readonly backendError: string | null;
  /** Whether the caller got the backend's answer (possibly changed by outbound policies). */
  readonly forwarded: boolean;
  readonly steps: readonly PolicyTraceEntry[] | null;
}

export interface PolicyRunOptions {
  readonly services: PolicyServices;
  readonly forwarder: Forwarder;
  readonly activityId: () => string;
  readonly trace: boolean;
}

/** A backend call that failed: an error for on-error, with APIM's reason and the failure for the trace. */
class BackendCallError extends Error {
  readonly reason: string;
  constructor(readonly failure: BackendFailure) {
    super(failure.rejected === 'backendTimeout' ? 'The backend did not answer in time.' : 'The backend could not be reached.');
    this.name = 'BackendCallError';
    this.reason = failure.rejected === 'backendTimeout' ? 'Timeout' : 'BackendConnectionFailure';
  }
}

const BODILESS_STATUSES: ReadonlySet<number> = new Set([204, 304]);

/**
 * Runs the effective policy of an authorized call: a PolicyCall built from the
 * request (never a key value of ours: the request's own headers only), a backend
 * that forwards through the gateway's forwarder, and the policy's answer mapped
 * back to a gateway response. A backend answer that reaches the caller unchanged
 * keeps its bytes or its stream (the stream is only read when an outbound section
 * could look at it).
 */
export async function runPolicy(policy: EffectivePolicy, call: AuthorizedCall, options: PolicyRunOptions): Promise<PolicyRunResult> {
  const { request, target, api, operation } = call;
  let backendStatus: number | null = null;
  let backendError: string | null = null;
  /** The backend's body as the policies see it, and its stream when it passes through unread. */
  let passedBody: Uint8Array | null = null;
  let passedStream: ReadableStream<Uint8Array> | null = null;
  const mayReadBody = readsBackendBody(policy);

  const backend: Backend = async (policyCall, forward) => {
    const backendCall = backendCallOf(policyCall, request, forward.timeoutSeconds);
    const answer = backendCall === null ? ({ rejected: 'noBackend', backendError: null } as BackendFailure) : await options.forwarder.forward(backendCall);
    if (isRejection(answer)) {
      backendError = answer.backendError ?? answer.rejected;
      throw new BackendCallError(answer);
    }
    backendStatus = answer.status;
    const headers = [...answer.headers];
    let body: Uint8Array;
    if (answer.body === null) {
      body = new Uint8Array(0);
    } else if (answer.body instanceof Uint8Array) {
      body = answer.body;
    } else if (mayReadBody) {
      body = await readAll(answer.body);
    } else {
      passedStream = answer.body;
      body = new Uint8Array(0);
    }
    passedBody = body;
    const response: BackendResponse = { status: answer.status, headers, body };
    return response;
  };

  const policyCall = new PolicyCall({
    method: request.method.toUpperCase(),
    url: {
      scheme: target.scheme,
      host: hostOf(request, target),
      port: portOf(request, target),
      path: target.path,
      query: target.query ? [...new URLSearchParams(target.query)] : [],
    },
    backendPath: call.rest,
    backendUrl: api.serviceUrl ?? null,
    headers: request.headers,
    body: request.body && request.body.length > 0 ? request.body : null,
    matchedParameters: call.params,
    api: {
      id: api.id,
      name: api.displayName,
      path: api.path,
      protocols: api.protocols,
      serviceUrl: api.serviceUrl ?? null,
      subscriptionKeyHeaderName: api.subscriptionKeyParameterNames.header,
      subscriptionKeyQueryName: api.subscriptionKeyParameterNames.query,
    },
    operation: { id: operation.id, name: operation.displayName, method: operation.method, urlTemplate: operation.urlTemplate },
    product: call.product && productOf(call.product),
    subscription: call.access.via === 'subscription' ? subscriptionOf(call.access.subscription) : null,
    ipAddress: callerIp(request),
    requestId: options.activityId(),
    services: options.services,
    backend,
    trace: options.trace,
  });
  rawQueries.set(policyCall, { query: target.query, pairs: policyCall.query.toList() });

  const answer = await executePolicy(policy, policyCall);
  const unchanged = passedBody !== null && answer.body === passedBody;
  let response: GatewayResponse;
  if (unchanged && passedStream !== null) {
    response = { status: answer.status, headers: answer.headers.toList(), body: passedStream };
  } else {
    if (passedStream !== null) void (passedStream as ReadableStream<Uint8Array>).cancel().catch(() => undefined);
    const headers = answer.headers.toList();
    if (unchanged) {
      // The backend's bytes as they came, with its own Content-Length (HEAD included).
      response = { status: answer.status, headers, body: answer.body.length > 0 ? answer.body : null };
    } else {
      const kept = headers.filter(([name]) => name.toLowerCase() !== 'content-length');
      if (!BODILESS_STATUSES.has(answer.status) && answer.status >= 200) kept.push(['content-length', String(answer.body.length)]);
      response = { status: answer.status, headers: kept, body: answer.body.length > 0 ? answer.body : null };
    }
  }
  return { response, backendStatus, backendError, forwarded: passedBody !== null && backendError === null, steps: policyCall.trace };
}

/** The request's raw query and its parameters as the call started with them, to forward it unchanged when no policy changed it. */
interface RawQuery {
  readonly query: string | null;
  readonly pairs: ReadonlyArray<readonly [string, string]>;
}
const rawQueries = new WeakMap<PolicyCall, RawQuery>();

/** Elements that may count or look at the backend's body once it has answered. */
const BODY_READERS: ReadonlySet<string> = new Set(['quota', 'quota-by-key', 'choose']);

/**
 * Whether the backend's answer must be read whole before the policies go on: when
 * an outbound step may read or change it, or a quota may count its bytes (`choose`
 * may hide one). Otherwise a streamed answer passes through as a stream.
 */
function readsBackendBody(policy: EffectivePolicy): boolean {
  return policy.outbound.length > 0 || policy.inbound.some((step) => BODY_READERS.has(step.origin.element));
}

/**
 * The backend request of a PolicyCall: its backend URL (set-backend-service), path
 * (rewrite-uri), query (set-query-parameter), headers (set-header) and body
 * (set-body). A path and query no policy changed go out byte for byte as received.
 * Headers leave as on the default path; the caller's `Connection` removes only the
 * caller's own headers, never one a policy set (a value the request did not have).
 */
export function backendCallOf(call: PolicyCall, request: GatewayRequest, timeoutSeconds: number): BackendCall | null {
  let url: URL;
  try {
    url = new URL(call.backendUrl ?? '');
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  const basePath = url.pathname.replace(/\/+$/, '');
  const raw = rawQueries.get(call);
  const pairs = call.query.toList();
  const ownQuery = url.search ? url.search.slice(1) : null;
  let received: string | null;
  if (raw !== undefined && samePairs(pairs, raw.pairs)) received = raw.query;
  else received = pairs.length === 0 ? null : pairs.map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`).join('&');
  const search = ownQuery === null ? received : received ? `${ownQuery}&${received}` : ownQuery;
  const path = call.path === '' || call.path.startsWith('/') ? call.path : `/${call.path}`;
  const nominated = callerNominated(request.headers.get('connection'));
  const headers: [string, string][] = [['host', url.host]];
  for (const [name, value] of call.headers) {
    const lower = name.toLowerCase();
    if (HOP_BY_HOP_HEADERS.has(lower) || NOT_FORWARDED.has(lower)) continue;
    if (nominated.has(lower) && asReceived(call, request, lower)) continue;
    headers.push([lower, value]);
  }
  if (request.remoteAddress) appendForwardedFor(headers, request.remoteAddress);
  return {
    method: call.method,
    origin: url.origin,
    path: (basePath + path || '/') + (search === null ? '' : '?' + search),
    headers,
    body: call.body && call.body.length > 0 ? call.body : null,
    signal: request.signal,
    timeoutMs: timeoutSeconds * 1000,
  };
}

/** Whether the call's header `name` is still the request's, untouched by any policy. */
function asReceived(call: PolicyCall, request: GatewayRequest, name: string): boolean {
  const values = call.headers.get(name);
  return values !== undefined && values.length === 1 && values[0] === request.headers.get(name);
}

function samePairs(a: ReadonlyArray<readonly [string, string]>, b: ReadonlyArray<readonly [string, string]>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]![0] !== b[i]![0] || a[i]![1] !== b[i]![1]) return false;
  return true;
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function hostOf(request: GatewayRequest, target: RequestTarget): string {
  const authority = request.headers.get('host') || target.authority;
  return authority.startsWith('[') ? authority.slice(0, authority.indexOf(']') + 1) : authority.split(':', 1)[0]!;
}

function portOf(request: GatewayRequest, target: RequestTarget): number {
  const authority = request.headers.get('host') || target.authority;
  const match = /:(\d+)$/.exec(authority);
  return match ? Number(match[1]) : target.scheme === 'https' ? 443 : 80;
}

/**
 * The caller's address (APIM's `context.Request.IpAddress`): the address the
 * adapter saw, when it saw the peer itself (then any `X-Forwarded-For` is whatever
 * the caller wrote); else the last `X-Forwarded-For` entry, the one the platform's
 * front end added (earlier entries are the caller's, so an ip-filter must not
 * trust them), without a port.
 */
export function callerIp(request: GatewayRequest): string {
  if (request.remoteAddress) return request.remoteAddress;
  const forwarded = request.headers.get('x-forwarded-for');
  if (forwarded) {
    const last = forwarded.slice(forwarded.lastIndexOf(',') + 1).trim();
    if (last) return stripPort(last);
  }
  return '';
}

function stripPort(address: string): string {
  if (address.startsWith('[')) {
    const end = address.indexOf(']');
    return end > 0 ? address.slice(1, end) : address;
  }
  // `1.2.3.4:5678`: one colon is a port; an IPv6 address has several.
  const colon = address.indexOf(':');
  return colon > 0 && colon === address.lastIndexOf(':') ? address.slice(0, colon) : address;
}

function productOf(product: Product): CallProduct {
  return {
    id: product.id,
    name: product.displayName,
    state: product.state,
    approvalRequired: product.approvalRequired,
    subscriptionRequired: product.subscriptionRequired,
    subscriptionsLimit: product.subscriptionsLimit,
  };
}

/** The subscription as data: never its keys. */
function subscriptionOf(subscription: Subscription): CallSubscription {
  return {
    id: subscription.id,
    name: subscription.displayName ?? subscription.id,
    ownerId: subscription.ownerId ?? null,
    createdDate: new Date(subscription.createdDate),
    startDate: subscription.startDate ? new Date(subscription.startDate) : null,
    endDate: subscription.endDate ? new Date(subscription.endDate) : null,
  };
}
