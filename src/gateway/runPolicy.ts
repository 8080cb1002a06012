import { addressWithoutPort } from '../policy/ipAddress';
import type { Api, Operation, Product, Subscription } from '../catalog/records';
import { PolicyCall, type BackendResponse, type CallApi, type CallOperation, type CallProduct, type CallSubscription, type ForwardOptions, type PolicyResponse, type RequestUrl } from '../policy/call';
import type { EffectivePolicy } from '../policy/compose';
import { executePolicy } from '../policy/execute';
import { MultiMap } from '../policy/multiMap';
import type { PolicyTraceEntry } from '../policy/origin';
import type { PolicyServices } from '../policy/services';
import { isPromise } from '../policy/step';
import type { Access } from './authorize';
import { appendForwardedFor, NOT_FORWARDED, type BackendCall } from './backendCall';
import type { BackendFailure, Forwarder } from './forward';
import { callerNominated, HOP_BY_HOP_HEADERS } from './hopByHop';
import { forwardFollowingRedirects, REDIRECT_FAILURES } from './redirects';
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
    super(failureMessage(failure));
    this.name = 'BackendCallError';
    this.reason = failure.rejected === 'backendTimeout' ? 'Timeout' : 'BackendConnectionFailure';
  }
}

function failureMessage(failure: BackendFailure): string {
  if (failure.rejected === 'backendTimeout') return 'The backend did not answer in time.';
  const code = failure.backendError;
  if (code !== null && Object.hasOwn(REDIRECT_FAILURES, code)) return REDIRECT_FAILURES[code as keyof typeof REDIRECT_FAILURES];
  return 'The backend could not be reached.';
}

const BODILESS_STATUSES: ReadonlySet<number> = new Set([204, 304]);

/**
 * Runs the effective policy of an authorized call: a PolicyCall built from the
 * request (never a key value of ours: the request's own headers only), a backend
 * that forwards through the gateway's forwarder, and the policy's answer mapped
 * back to a gateway response. A backend answer that reaches the caller unchanged
 * keeps its bytes or its stream (the stream is only read when an outbound section
 * could look at it). A policy that answers without waiting (a 429, a cache hit)
 * gives its result without a promise, as the gateway's own answers do.
 */
export function runPolicy(policy: EffectivePolicy, call: AuthorizedCall, options: PolicyRunOptions): PolicyRunResult | Promise<PolicyRunResult> {
  const { request, target, api, operation } = call;
  const run = new BackendRun(request, options.forwarder, readsBackendBody(policy));
  const policyCall = new PolicyCall({
    method: request.method.toUpperCase(),
    url: new CallerUrl(request, target),
    backendPath: call.rest,
    backendUrl: api.serviceUrl ?? null,
    headers: request.headers,
    body: request.body && request.body.length > 0 ? request.body : null,
    matchedParameters: call.params,
    api: apiOf(api),
    operation: operationOf(operation),
    product: call.product && productOf(call.product),
    subscription: call.access.via === 'subscription' ? subscriptionOf(call.access.subscription) : null,
    ipAddress: callerIp(request),
    requestId: options.activityId,
    services: options.services,
    backend: (policyCall, forward) => run.call(policyCall, forward),
    trace: options.trace,
  });
  const answer = executePolicy(policy, policyCall);
  if (isPromise(answer)) return answer.then((response) => run.result(response, policyCall));
  return run.result(answer, policyCall);
}

/** The backend call of one policy run, and what the run's result needs of it. */
class BackendRun {
  backendStatus: number | null = null;
  backendError: string | null = null;
  /** The backend's body as the policies see it, and its stream when it passes through unread. */
  passedBody: Uint8Array | null = null;
  passedStream: ReadableStream<Uint8Array> | null = null;

  constructor(
    private readonly request: GatewayRequest,
    private readonly forwarder: Forwarder,
    private readonly mayReadBody: boolean,
  ) {}

  async call(policyCall: PolicyCall, forward: ForwardOptions): Promise<BackendResponse> {
    const backendCall = backendCallOf(policyCall, this.request, forward.timeoutSeconds);
    const answer =
      backendCall === null
        ? ({ rejected: 'noBackend', backendError: null } as BackendFailure)
        : forward.followRedirects
          ? await forwardFollowingRedirects(this.forwarder, backendCall, { header: policyCall.api.subscriptionKeyHeaderName, query: policyCall.api.subscriptionKeyQueryName })
          : await this.forwarder.forward(backendCall);
    if (isRejection(answer)) {
      this.backendError = answer.backendError ?? answer.rejected;
      throw new BackendCallError(answer);
    }
    this.backendStatus = answer.status;
    // The forwarder's list is read only from here on; the policies change a map of their own.
    const headers = Array.isArray(answer.headers) ? (answer.headers as ReadonlyArray<readonly [string, string]>) : [...answer.headers];
    let body: Uint8Array;
    if (answer.body === null) {
      body = new Uint8Array(0);
    } else if (answer.body instanceof Uint8Array) {
      body = answer.body;
    } else if (this.mayReadBody) {
      body = await readAll(answer.body);
    } else {
      this.passedStream = answer.body;
      body = new Uint8Array(0);
    }
    this.passedBody = body;
    return { status: answer.status, headers, body };
  }

  result(answer: PolicyResponse, policyCall: PolicyCall): PolicyRunResult {
    const passedBody = this.passedBody;
    const passedStream = this.passedStream;
    const unchanged = passedBody !== null && answer.body === passedBody;
    let response: GatewayResponse;
    if (unchanged && passedStream !== null) {
      response = { status: answer.status, headers: answer.headerPairs(), body: passedStream };
    } else {
      if (passedStream !== null) void passedStream.cancel().catch(() => undefined);
      if (unchanged) {
        // The backend's bytes as they came, with its own Content-Length (HEAD included).
        response = { status: answer.status, headers: answer.headerPairs(), body: answer.body.length > 0 ? answer.body : null };
      } else {
        response = { status: answer.status, headers: withContentLength(answer), body: answer.body.length > 0 ? answer.body : null };
      }
    }
    return { response, backendStatus: this.backendStatus, backendError: this.backendError, forwarded: passedBody !== null && this.backendError === null && !policyCall.answeredByPolicy, steps: policyCall.trace };
  }
}

/** The headers of an answer made by the policies, with the Content-Length of its body (none for 1xx, 204, 304). */
function withContentLength(answer: PolicyResponse): ReadonlyArray<readonly [string, string]> {
  const source = answer.untouchedHeaders;
  const length = answer.body.length;
  if (source !== null) {
    // A ready-made or cached answer: its wire headers are worked out once per header list.
    const known = wireHeaders.get(source);
    if (known !== undefined && known.status === answer.status && known.length === length) return known.headers;
  }
  const kept: [string, string][] = [];
  for (const pair of answer.headerPairs()) if (pair[0].toLowerCase() !== 'content-length') kept.push([pair[0], pair[1]]);
  if (!BODILESS_STATUSES.has(answer.status) && answer.status >= 200) kept.push(['content-length', String(length)]);
  if (source !== null) wireHeaders.set(source, { status: answer.status, length, headers: Object.freeze(kept) });
  return kept;
}

/** Wire headers by the header list a response was made from (a frozen 429, a cache entry's), while that list lives. */
const wireHeaders = new WeakMap<object, { readonly status: number; readonly length: number; readonly headers: ReadonlyArray<readonly [string, string]> }>();

/** Elements that may count or look at the backend's body once it has answered. */
const BODY_READERS: ReadonlySet<string> = new Set(['quota', 'quota-by-key', 'choose']);
const bodyReaders = new WeakMap<EffectivePolicy, boolean>();

/**
 * Whether the backend's answer must be read whole before the policies go on: when
 * an outbound step may read or change it, or a quota may count its bytes (`choose`
 * may hide one). Otherwise a streamed answer passes through as a stream.
 */
function readsBackendBody(policy: EffectivePolicy): boolean {
  let reads = bodyReaders.get(policy);
  if (reads === undefined) {
    reads = policy.outbound.length > 0 || policy.inbound.some((step) => BODY_READERS.has(step.origin.element));
    bodyReaders.set(policy, reads);
  }
  return reads;
}

/** The parts of a backend base URL that forwarding needs; null when it is no http(s) URL. */
interface BackendBase {
  readonly origin: string;
  readonly host: string;
  readonly basePath: string;
  readonly ownQuery: string | null;
}

/** Parsed backend URLs: a handful per catalog, parsed once instead of per call. */
const backendBases = new Map<string, BackendBase | null>();
const MAX_BACKEND_BASES = 1000;

function backendBaseOf(backendUrl: string): BackendBase | null {
  let base = backendBases.get(backendUrl);
  if (base !== undefined) return base;
  base = null;
  try {
    const url = new URL(backendUrl);
    if (url.protocol === 'http:' || url.protocol === 'https:') {
      base = { origin: url.origin, host: url.host, basePath: url.pathname.replace(/\/+$/, ''), ownQuery: url.search ? url.search.slice(1) : null };
    }
  } catch {
    base = null;
  }
  if (backendBases.size >= MAX_BACKEND_BASES) backendBases.clear();
  backendBases.set(backendUrl, base);
  return base;
}

/**
 * The backend request of a PolicyCall: its backend URL (set-backend-service), path
 * (rewrite-uri), query (set-query-parameter), headers (set-header) and body
 * (set-body). A path and query no policy changed go out byte for byte as received.
 * Headers leave as on the default path; the caller's `Connection` removes only the
 * caller's own headers, never one a policy set (a value the request did not have).
 */
export function backendCallOf(call: PolicyCall, request: GatewayRequest, timeoutSeconds: number): BackendCall | null {
  const base = backendBaseOf(call.backendUrl ?? '');
  if (base === null) return null;
  const original = call.originalUrl;
  const raw = original instanceof CallerUrl ? original : null;
  const query = call.queryIfUsed;
  let received: string | null;
  if (query === null && raw !== null) received = raw.rawQuery;
  else {
    const pairs = (query ?? call.query).toList();
    if (raw !== null && samePairs(pairs, MultiMap.listOf(original.query))) received = raw.rawQuery;
    else received = pairs.length === 0 ? null : pairs.map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`).join('&');
  }
  const ownQuery = base.ownQuery;
  const search = ownQuery === null ? received : received ? `${ownQuery}&${received}` : ownQuery;
  const path = call.path === '' || call.path.startsWith('/') ? call.path : `/${call.path}`;
  const nominated = nominatedBy(request.headers.get('connection'));
  const headers: [string, string][] = [['host', base.host]];
  for (const [name, value] of call.headerPairs()) {
    const lower = name.toLowerCase();
    if (HOP_BY_HOP_HEADERS.has(lower) || NOT_FORWARDED.has(lower)) continue;
    if (nominated.has(lower) && asReceived(call, request, lower)) continue;
    headers.push([lower, value]);
  }
  if (request.remoteAddress) appendForwardedFor(headers, request.remoteAddress);
  return {
    method: call.method,
    origin: base.origin,
    path: (base.basePath + path || '/') + (search === null ? '' : '?' + search),
    headers,
    body: call.body && call.body.length > 0 ? call.body : null,
    signal: request.signal,
    timeoutMs: timeoutSeconds * 1000,
  };
}

/** The names a caller's `Connection` header removes; the last value's set is kept (nearly every call sends the same one). */
let lastConnection: string | null = null;
let lastNominated: ReadonlySet<string> = callerNominated(null);
function nominatedBy(connection: string | null): ReadonlySet<string> {
  if (connection !== lastConnection) {
    lastNominated = callerNominated(connection);
    lastConnection = connection;
  }
  return lastNominated;
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

/** The URL as the caller sent it (`context.Request.OriginalUrl`), each part worked out when first read. */
class CallerUrl implements RequestUrl {
  readonly scheme: string;
  readonly path: string;
  /** The query as received, without `?`; null when there was none. */
  readonly rawQuery: string | null;
  private authority_: string | null = null;
  private query_: ReadonlyArray<readonly [string, string]> | null = null;

  constructor(
    private readonly request: GatewayRequest,
    private readonly target: RequestTarget,
  ) {
    this.scheme = target.scheme;
    this.path = target.path;
    this.rawQuery = target.query;
  }

  private get authority(): string {
    return (this.authority_ ??= this.request.headers.get('host') || this.target.authority);
  }

  get host(): string {
    const authority = this.authority;
    return authority.startsWith('[') ? authority.slice(0, authority.indexOf(']') + 1) : authority.split(':', 1)[0]!;
  }

  get port(): number {
    const match = /:(\d+)$/.exec(this.authority);
    return match ? Number(match[1]) : this.scheme === 'https' ? 443 : 80;
  }

  get query(): ReadonlyArray<readonly [string, string]> {
    return (this.query_ ??= this.rawQuery ? [...new URLSearchParams(this.rawQuery)] : []);
  }
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
    if (last) return addressWithoutPort(last);
  }
  return '';
}

// The call's view of the catalog's records, made once per record: a changed record is a new object.
const apis = new WeakMap<Api, CallApi>();
const operations = new WeakMap<Operation, CallOperation>();
const products = new WeakMap<Product, CallProduct>();
const subscriptions = new WeakMap<Subscription, CallSubscription>();

function apiOf(api: Api): CallApi {
  let view = apis.get(api);
  if (view === undefined) {
    view = Object.freeze({
      id: api.id,
      name: api.displayName,
      path: api.path,
      protocols: api.protocols,
      serviceUrl: api.serviceUrl ?? null,
      subscriptionKeyHeaderName: api.subscriptionKeyParameterNames.header,
      subscriptionKeyQueryName: api.subscriptionKeyParameterNames.query,
    });
    apis.set(api, view);
  }
  return view;
}

function operationOf(operation: Operation): CallOperation {
  let view = operations.get(operation);
  if (view === undefined) {
    view = Object.freeze({ id: operation.id, name: operation.displayName, method: operation.method, urlTemplate: operation.urlTemplate });
    operations.set(operation, view);
  }
  return view;
}

function productOf(product: Product): CallProduct {
  let view = products.get(product);
  if (view === undefined) {
    view = Object.freeze({
      id: product.id,
      name: product.displayName,
      state: product.state,
      approvalRequired: product.approvalRequired,
      subscriptionRequired: product.subscriptionRequired,
      subscriptionsLimit: product.subscriptionsLimit,
    });
    products.set(product, view);
  }
  return view;
}

/** The subscription as data: never its keys. */
function subscriptionOf(subscription: Subscription): CallSubscription {
  let view = subscriptions.get(subscription);
  if (view === undefined) {
    view = Object.freeze({
      id: subscription.id,
      name: subscription.displayName ?? subscription.id,
      ownerId: subscription.ownerId ?? null,
      createdDate: new Date(subscription.createdDate),
      startDate: subscription.startDate ? new Date(subscription.startDate) : null,
      endDate: subscription.endDate ? new Date(subscription.endDate) : null,
    });
    subscriptions.set(subscription, view);
  }
  return view;
}
