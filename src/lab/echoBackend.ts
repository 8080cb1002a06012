import { hopByHopFilter } from '../gateway/hopByHop';
import type { GatewayRequest, GatewayResponse } from '../gateway/types';

/** What the echo backend reads of a request. */
export type EchoRequest = Pick<GatewayRequest, 'method' | 'headers' | 'body'>;

const EMPTY = new Uint8Array(0);

/**
 * The classic APIM Echo API backend: "a response equal to the request". 200, every
 * request header copied back (so the caller sees, e.g., the subscription key APIM
 * forwarded) except hop-by-hop ones, `Host` and `Content-Length`; the body byte for
 * byte under the request's own `Content-Type`, with its exact `Content-Length`.
 * HEAD answers the same headers and no body.
 */
export function echo(request: EchoRequest): GatewayResponse {
  const drop = hopByHopFilter(request.headers.get('connection'), ['host', 'content-length']);
  const headers: [string, string][] = [];
  for (const [name, value] of request.headers) if (!drop(name)) headers.push([name, value]);
  if (request.method.toUpperCase() === 'HEAD') return { status: 200, headers, body: null };
  const body = request.body ?? EMPTY;
  headers.push(['content-length', String(body.length)]);
  return { status: 200, headers, body };
}
