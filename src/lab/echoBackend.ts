import { hopByHopFilter } from '../gateway/hopByHop';
import type { GatewayRequest, GatewayResponse } from '../gateway/types';

/** What the echo backend reads of a request. */
export type EchoRequest = Pick<GatewayRequest, 'method' | 'headers' | 'body'>;

const EMPTY = new Uint8Array(0);

/**
 * The echo answers on the gateway's own origin, under a `Content-Type` the caller
 * chose: a browser must never run it as a page of that origin (where the test
 * console lives), nor guess another type for it.
 */
export const ECHO_SECURITY_HEADERS: readonly (readonly [string, string])[] = [
  ['x-content-type-options', 'nosniff'],
  ['content-security-policy', 'sandbox'],
];

/** Request headers never copied back: the echo's own security headers are the only ones. */
const NOT_ECHOED = ['host', 'content-length', ...ECHO_SECURITY_HEADERS.map(([name]) => name)];

/**
 * The classic APIM Echo API backend: "a response equal to the request". 200, every
 * request header copied back (so the caller sees, e.g., the subscription key APIM
 * forwarded) except hop-by-hop ones, `Host` and `Content-Length`; the body byte for
 * byte under the request's own `Content-Type`, with its exact `Content-Length`;
 * then `X-Content-Type-Options: nosniff` and `Content-Security-Policy: sandbox`.
 * HEAD answers the same headers and no body.
 */
export function echo(request: EchoRequest): GatewayResponse {
  const drop = hopByHopFilter(request.headers.get('connection'), NOT_ECHOED);
  const headers: [string, string][] = [];
  for (const [name, value] of request.headers) if (!drop(name)) headers.push([name, value]);
  if (request.method.toUpperCase() === 'HEAD') return { status: 200, headers: [...headers, ...security()], body: null };
  const body = request.body ?? EMPTY;
  headers.push(['content-length', String(body.length)]);
  return { status: 200, headers: [...headers, ...security()], body };
}

function security(): [string, string][] {
  return ECHO_SECURITY_HEADERS.map(([name, value]) => [name, value]);
}
