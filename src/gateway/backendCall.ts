import type { Api } from '../catalog/records';
import { callerNominated, HOP_BY_HOP_HEADERS } from './hopByHop';
import { reject, type GatewayRequest, type PlainRejection } from './types';

/** What the forwarder sends: everything decided, nothing left to interpret. */
export interface BackendCall {
  readonly method: string;
  /** `scheme://host[:port]` of the API's `serviceUrl`. */
  readonly origin: string;
  /** Raw path and query, as they go on the request line. */
  readonly path: string;
  readonly headers: readonly [string, string][];
  readonly body: Uint8Array | null;
  readonly signal?: AbortSignal;
  /** `forward-request`'s timeout: the longest wait for the response headers, when shorter than the forwarder's. */
  readonly timeoutMs?: number;
}

interface Backend {
  readonly origin: string;
  readonly host: string;
  /** Base path without trailing slash (`''` for the root). */
  readonly basePath: string;
  /** The serviceUrl's own query, without `?`, or null. */
  readonly query: string | null;
}

// Parsed once per Api record (records are immutable; a changed API is a new object).
const backends = new WeakMap<Api, Backend | null>();

function backendOf(api: Api): Backend | null {
  let backend = backends.get(api);
  if (backend === undefined) backends.set(api, (backend = parseServiceUrl(api.serviceUrl)));
  return backend;
}

function parseServiceUrl(serviceUrl: string | null | undefined): Backend | null {
  if (!serviceUrl) return null;
  let url: URL;
  try {
    url = new URL(serviceUrl);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  return {
    origin: url.origin,
    host: url.host,
    basePath: url.pathname.replace(/\/+$/, ''),
    query: url.search ? url.search.slice(1) : null,
  };
}

/**
 * Request headers that never reach the backend besides the hop-by-hop ones: set by
 * us (Host, Content-Length), per-hop by nature (Expect: 100-continue is between the
 * caller and us; the body is already here), or the gateway's alone (the debug token
 * asks this gateway for a trace; the backend has no use for it, and an echo would
 * hand it back).
 */
export const NOT_FORWARDED: ReadonlySet<string> = new Set(['host', 'content-length', 'expect', 'apim-debug-authorization']);

/**
 * Adds the caller's address to `X-Forwarded-For` (appended to the header's last
 * value, or as a new header), as APIM does: for an adapter that saw the peer
 * itself. Behind a front end that already appended it (Azure Functions, the local
 * host) there is no peer address and the header goes on as received.
 */
export function appendForwardedFor(headers: [string, string][], address: string): void {
  for (let i = headers.length - 1; i >= 0; i--) {
    const header = headers[i]!;
    if (header[0] === 'x-forwarded-for') {
      header[1] = header[1] ? `${header[1]}, ${address}` : address;
      return;
    }
  }
  headers.push(['x-forwarded-for', address]);
}

/**
 * Stage 6: composes the backend request (docs/apim-behaviour.md#forwarding-to-the-backend): `serviceUrl` + the raw rest of
 * the path + the original query, unchanged (the key parameter included, as APIM
 * does). Headers pass through except hop-by-hop ones (a `Connection` header never
 * removes `X-Forwarded-*`) and `Apim-Debug-Authorization`; the subscription key
 * header goes on as received, `X-Forwarded-For` with the caller's address when the
 * adapter saw it; no `X-Forwarded-Host` is added.
 *
 * Decision: a query on the `serviceUrl` itself (e.g. an Azure Functions `code=`)
 * is kept and goes first. An API without a usable http(s) `serviceUrl` is a
 * `noBackend` rejection (500).
 */
export function buildBackendCall(
  api: Api,
  rest: string,
  query: string | null,
  request: GatewayRequest,
): BackendCall | PlainRejection {
  const backend = backendOf(api);
  if (!backend) return reject('noBackend');
  const nominated = callerNominated(request.headers.get('connection'));
  const headers: [string, string][] = [['host', backend.host]];
  for (const [name, value] of request.headers) {
    if (!HOP_BY_HOP_HEADERS.has(name) && !NOT_FORWARDED.has(name) && !nominated.has(name)) headers.push([name, value]);
  }
  if (request.remoteAddress) appendForwardedFor(headers, request.remoteAddress);
  const search = joinQueries(backend.query, query);
  return {
    method: request.method.toUpperCase(),
    origin: backend.origin,
    path: (backend.basePath + rest || '/') + (search === null ? '' : '?' + search),
    headers,
    body: request.body && request.body.length > 0 ? request.body : null,
    signal: request.signal,
  };
}

/** The request's query as received (a bare `?` stays), after the serviceUrl's own. */
function joinQueries(own: string | null, received: string | null): string | null {
  if (own === null) return received;
  return received ? `${own}&${received}` : own;
}
