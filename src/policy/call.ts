/**
 * One request on its way through the policy sections: the mutable state the steps
 * read and change, what the authorization resolved, and the services and backend
 * the integrating pipeline hands in. Expressions see it through `contextOf(call)`, built
 * only when an expression first runs.
 */
import { STATUS_CODES } from 'node:http';
import type { ApimResponse } from '../apim/gatewayResponses';
import type { ExpressionContext, LastErrorView } from './context';
import { MultiMap } from './multiMap';
import type { PolicyServices } from './services';
import type { PolicyTraceEntry, StepOrigin } from './origin';

export interface CallApi {
  readonly id: string;
  readonly name: string;
  readonly path: string;
  readonly protocols: readonly string[];
  readonly serviceUrl: string | null;
  readonly subscriptionKeyHeaderName: string;
  readonly subscriptionKeyQueryName: string;
}

export interface CallOperation {
  readonly id: string;
  readonly name: string;
  readonly method: string;
  readonly urlTemplate: string;
}

export interface CallProduct {
  readonly id: string;
  readonly name: string;
  readonly state: string;
  readonly approvalRequired: boolean;
  readonly subscriptionRequired: boolean;
  readonly subscriptionsLimit: number | null;
}

/** The subscription that authorized the call, as plain data (never its keys). */
export interface CallSubscription {
  readonly id: string;
  readonly name: string;
  /** The developer (user) owning it, when known. */
  readonly ownerId: string | null;
  readonly createdDate: Date;
  readonly startDate: Date | null;
  readonly endDate: Date | null;
}

/** The URL as the caller sent it. */
export interface RequestUrl {
  readonly scheme: string;
  readonly host: string;
  readonly port: number;
  readonly path: string;
  readonly query: ReadonlyArray<readonly [string, string]>;
}

/** Where one limit stands after this call, for the IETF `RateLimit-*` headers (docs/policies.md). */
export interface LimitStatus {
  /** `RateLimit-Limit`: calls, or kilobytes for a limit on bandwidth alone. */
  readonly limit: number;
  /** `RateLimit-Remaining`: what is left once this call is counted (0 when refused). */
  readonly remaining: number;
  /** `RateLimit-Reset`: whole seconds until the window frees a call (or renews). */
  readonly resetSeconds: number;
  readonly unit: 'calls' | 'kilobytes';
}

export interface ForwardOptions {
  readonly timeoutSeconds: number;
  readonly followRedirects: boolean;
  readonly bufferRequestBody: boolean;
}

export interface BackendResponse {
  readonly status: number;
  readonly reason?: string;
  readonly headers: Iterable<readonly [string, string]>;
  readonly body: Uint8Array;
}

/** Calls the backend with the call's current request (`backendRequestUrl()`, `method`, `headers`, `body`). */
export type Backend = (call: PolicyCall, options: ForwardOptions) => Promise<BackendResponse>;

/**
 * A response being built or changed by the policies. Its headers stay the list it
 * was made from (a backend's, a cached or a ready-made answer's) until a policy
 * reads or changes them; only then is the map built.
 */
export class PolicyResponse {
  private headerMap: MultiMap | null;
  private headerList: ReadonlyArray<readonly [string, string]> | null;

  constructor(
    public status: number,
    public reason: string,
    headers: MultiMap | ReadonlyArray<readonly [string, string]>,
    public body: Uint8Array,
  ) {
    if (headers instanceof MultiMap) {
      this.headerMap = headers;
      this.headerList = null;
    } else {
      this.headerMap = null;
      this.headerList = headers;
    }
  }

  get headers(): MultiMap {
    if (this.headerMap === null) {
      this.headerMap = new MultiMap(this.headerList!);
      this.headerList = null;
    }
    return this.headerMap;
  }

  /** The headers as pairs, as `headers.toList()` gives them; the list the response was made from when nothing touched it (read only). */
  headerPairs(): ReadonlyArray<readonly [string, string]> {
    return this.headerMap === null ? MultiMap.listOf(this.headerList!) : this.headerMap.toList();
  }

  /** The list the response was made from, while no policy has read or changed its headers; else null. */
  get untouchedHeaders(): ReadonlyArray<readonly [string, string]> | null {
    return this.headerList;
  }

  static empty(status = 200): PolicyResponse {
    return new PolicyResponse(status, reasonPhrase(status), new MultiMap(), new Uint8Array(0));
  }

  static from(response: BackendResponse | ApimResponse): PolicyResponse {
    const reason = 'reason' in response && response.reason !== undefined ? response.reason : reasonPhrase(response.status);
    const headers = response.headers;
    return new PolicyResponse(response.status, reason, Array.isArray(headers) ? (headers as ReadonlyArray<readonly [string, string]>) : new MultiMap(headers), response.body);
  }

  /** The wire form: status, header list, body. */
  toWire(): { status: number; headers: [string, string][]; body: Uint8Array } {
    return { status: this.status, headers: this.headers.toList(), body: this.body };
  }
}

export const reasonPhrase = (status: number) => STATUS_CODES[status] ?? '';

export interface PolicyCallInit {
  readonly method: string;
  readonly url: RequestUrl;
  /** The path the backend receives after its base URL (the request path below the API's path). */
  readonly backendPath: string;
  /** The API's service URL; `set-backend-service` replaces it. */
  readonly backendUrl: string | null;
  readonly headers: Iterable<readonly [string, string]>;
  readonly body: Uint8Array | null;
  readonly matchedParameters?: Readonly<Record<string, string>>;
  readonly api: CallApi;
  readonly operation: CallOperation;
  readonly product?: CallProduct | null;
  readonly subscription?: CallSubscription | null;
  readonly ipAddress: string;
  /** The call's id, or how to make it when something first reads it. */
  readonly requestId: string | (() => string);
  readonly deployment?: { readonly serviceName: string; readonly region: string };
  readonly services: PolicyServices;
  readonly backend: Backend;
  readonly trace?: boolean;
}

const NO_PARAMETERS: Readonly<Record<string, string>> = Object.freeze({});
const NO_DEPLOYMENT = Object.freeze({ serviceName: '', region: '' });

/**
 * The state is built as the steps need it: the header and query maps, the
 * variables and the request id are made on first use, so a policy that reads
 * none of them (a rate limit, a cache hit) costs none of them.
 */
export class PolicyCall {
  readonly method: string;
  /** Below the backend base URL; `rewrite-uri` replaces it. */
  path: string;
  body: Uint8Array | null;
  backendUrl: string | null;
  /** The response so far: null until the backend answers or a policy builds one. */
  response: PolicyResponse | null = null;
  /** The backend's status once `forward-request` got its answer; null while nothing was forwarded. */
  backendStatus: number | null = null;
  /**
   * Whether the answer is the policies' own rather than the backend's (possibly
   * edited) answer: a step answered (return-response, a limit, a cache hit),
   * nothing was forwarded, or on-error ran. Set when the run ends.
   */
  answeredByPolicy = false;
  /** Whether a policy wrote to the response since the flag was last cleared (on-error reads it). */
  responseEdited = false;
  readonly originalUrl: RequestUrl;
  readonly matchedParameters: Readonly<Record<string, string>>;
  readonly api: CallApi;
  readonly operation: CallOperation;
  readonly product: CallProduct | null;
  readonly subscription: CallSubscription | null;
  readonly ipAddress: string;
  readonly deployment: { readonly serviceName: string; readonly region: string };
  readonly services: PolicyServices;
  readonly backend: Backend;
  readonly receivedAt: number;
  lastError: LastErrorView | null = null;
  /** The cache key `cache-lookup` computed on a miss, for `cache-store`. */
  cacheKey: string | null = null;
  /** The most restrictive limit so far whose element asked for the IETF `RateLimit-*` headers (elements/throttling.ts). */
  limitStatus: LimitStatus | null = null;
  currentOrigin: StepOrigin | null = null;
  readonly trace: PolicyTraceEntry[] | null;
  private traceEntry: PolicyTraceEntry | null = null;
  private responseHooks: ((response: PolicyResponse) => void)[] | null = null;
  private extraHeaders: [string, string][] | null = null;
  /** APIM's `context` for this call, built on first use by `contextOf` (callContext.ts). */
  expressionView: ExpressionContext | null = null;
  private readonly headerSource: Iterable<readonly [string, string]>;
  private headerMap: MultiMap | null = null;
  private queryMap: MultiMap | null = null;
  private variableMap: Map<string, unknown> | null = null;
  private id: string | (() => string);

  constructor(init: PolicyCallInit) {
    this.method = init.method;
    this.originalUrl = init.url;
    this.path = init.backendPath;
    this.headerSource = init.headers;
    this.body = init.body;
    this.backendUrl = init.backendUrl;
    this.matchedParameters = init.matchedParameters ?? NO_PARAMETERS;
    this.api = init.api;
    this.operation = init.operation;
    this.product = init.product ?? null;
    this.subscription = init.subscription ?? null;
    this.ipAddress = init.ipAddress;
    this.id = init.requestId;
    this.deployment = init.deployment ?? NO_DEPLOYMENT;
    this.services = init.services;
    this.backend = init.backend;
    this.receivedAt = init.services.now();
    this.trace = init.trace ? [] : null;
  }

  /** The request headers the backend gets; `set-header` changes them. */
  get headers(): MultiMap {
    return (this.headerMap ??= new MultiMap(this.headerSource));
  }

  /** The query parameters the backend gets; `set-query-parameter` and `rewrite-uri` change them. */
  get query(): MultiMap {
    return (this.queryMap ??= new MultiMap(this.originalUrl.query));
  }

  /** The query map if a step has used it; null while the query is the caller's, unread. */
  get queryIfUsed(): MultiMap | null {
    return this.queryMap;
  }

  /**
   * The request headers as pairs, as iterating `headers` gives them, without
   * building the map when no step used it. A header bag yields each name once (or,
   * like `Headers` with `Set-Cookie`, repeats side by side), so it reads as the map would.
   */
  headerPairs(): Iterable<readonly [string, string]> {
    if (this.headerMap !== null) return this.headerMap;
    const source = this.headerSource;
    return Array.isArray(source) ? MultiMap.listOf(source as ReadonlyArray<readonly [string, string]>) : source;
  }

  get variables(): Map<string, unknown> {
    return (this.variableMap ??= new Map());
  }

  get requestId(): string {
    const id = this.id;
    return typeof id === 'string' ? id : (this.id = id());
  }

  now(): number {
    return this.services.now();
  }


  /** The URL `forward-request` calls: the backend base URL, the path, the query. */
  backendRequestUrl(): string {
    const base = (this.backendUrl ?? '').replace(/\/+$/, '');
    const path = this.path === '' || this.path.startsWith('/') ? this.path : `/${this.path}`;
    const pairs = this.query.toList();
    const query = pairs.length === 0 ? '' : `?${pairs.map(([n, v]) => `${encodeQuery(n)}=${encodeQuery(v)}`).join('&')}`;
    return `${base}${path}${query}`;
  }

  /** The response to edit in outbound and on-error: the current one, or a new empty 200. */
  editResponse(): PolicyResponse {
    this.responseEdited = true;
    return (this.response ??= PolicyResponse.empty());
  }

  /** Runs `hook` once the final response is known (counting that depends on the response). */
  onResponse(hook: (response: PolicyResponse) => void): void {
    (this.responseHooks ??= []).push(hook);
  }

  /** A header added to whatever response the caller finally gets (remaining-calls headers). */
  addResponseHeader(name: string, value: string): void {
    (this.extraHeaders ??= []).push([name, value]);
  }

  /** Starts the trace line of a step (tracing on only). */
  beginTrace(origin: StepOrigin): PolicyTraceEntry {
    const entry: PolicyTraceEntry = {
      section: origin.section,
      element: origin.element,
      scope: origin.scope,
      scopeName: this.scopeName(origin),
      line: origin.position.line,
      column: origin.position.column,
      decision: '',
    };
    this.trace?.push(entry);
    this.traceEntry = entry;
    return entry;
  }

  /** Says what the running step decided, for the trace; free when tracing is off. */
  note(decision: string | (() => string)): void {
    if (this.traceEntry !== null) this.traceEntry.decision = typeof decision === 'string' ? decision : decision();
  }

  /** The id of the product, API or operation whose document holds the step. */
  scopeName(origin: StepOrigin): string | null {
    switch (origin.scope) {
      case 'product':
        return this.product?.id ?? null;
      case 'api':
        return this.api.id;
      case 'operation':
        return this.operation.id;
      default:
        return null;
    }
  }

  /** Applies what waits for the final response; failures there cannot change the answer. */
  finish(response: PolicyResponse): void {
    this.response = response;
    if (this.extraHeaders) for (const [name, value] of this.extraHeaders) response.headers.append(name, value);
    const hooks = this.responseHooks;
    this.responseHooks = null;
    if (hooks) {
      for (const hook of hooks) {
        try {
          hook(response);
        } catch {
          // Counting after the answer must never turn it into an error.
        }
      }
    }
  }
}

const encodeQuery = (text: string) => encodeURIComponent(text);
