/**
 * The gateway's framework-free request and response. Adapters (Azure Functions,
 * a local `node:http` server) convert to and from these at the edge.
 */

/**
 * The request headers as the gateway reads them: a WHATWG `Headers` satisfies it,
 * and so can a thin view over a server's already parsed headers (no copy per
 * request). `get` is case-insensitive and joins repeated headers with `, `;
 * iteration yields lower-case names with their (joined) values.
 */
export interface HeaderBag extends Iterable<[string, string]> {
  get(name: string): string | null;
}

export interface GatewayRequest {
  readonly method: string;
  /**
   * The URL with the raw path and query exactly as received (percent-encoding
   * untouched): absolute, or in origin form (`/path?query`) from an adapter that
   * serves plain HTTP, read as `http` with the `Host` header as authority.
   */
  readonly url: string;
  readonly headers: HeaderBag;
  readonly body: Uint8Array | null;
  /** Aborted when the caller goes away; cancels the backend call. */
  readonly signal?: AbortSignal;
  /** The peer address the adapter saw, when it knows one (policies read the caller's address). */
  readonly remoteAddress?: string;
}

export interface GatewayResponse {
  readonly status: number;
  /** A list keeps repeated headers (several `Set-Cookie`) apart. */
  readonly headers: Headers | ReadonlyArray<readonly [string, string]>;
  readonly body: Uint8Array | ReadableStream<Uint8Array> | null;
}

/** A header list, as opposed to a `Headers` object (`Array.isArray` does not narrow a readonly list). */
export function isHeaderList(headers: GatewayResponse['headers']): headers is ReadonlyArray<readonly [string, string]> {
  return Array.isArray(headers);
}

/**
 * Why the gateway answered instead of the backend. Each maps to one APIM response
 * in `respond.ts`; the finer reasons only show in the trace.
 */
export type RejectReason =
  | 'apiNotFound'
  | 'operationNotFound'
  | 'keyMissing'
  | 'keyUnknown'
  | 'subscriptionInactive'
  | 'keyOutOfScope'
  | 'bodyTooLarge'
  | 'noBackend'
  | 'backendUnreachable'
  | 'backendTimeout'
  | 'clientAborted'
  | 'catalogUnavailable'
  | 'policyUnusable'
  | 'internalError';

/**
 * A stage's "no": travels as a value until the pipeline writes the response. A
 * body over the limit carries its sizes (for the 413's message); no other
 * rejection carries anything the response needs.
 */
export type Rejection = PlainRejection | BodyTooLarge;

export interface PlainRejection {
  readonly rejected: Exclude<RejectReason, 'bodyTooLarge'>;
}

/** A body over the limit: the sizes travel with the rejection into the 413's message. */
export interface BodyTooLarge {
  readonly rejected: 'bodyTooLarge';
  readonly bodyBytes: number;
  readonly maxBodyBytes: number;
}

/** Builds a rejection value. */
export const reject = (rejected: PlainRejection['rejected']): PlainRejection => ({ rejected });

/** Tells a stage's rejection from its result. */
export function isRejection(value: object): value is Rejection {
  return 'rejected' in value;
}
