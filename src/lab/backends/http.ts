import type { GatewayRequest, GatewayResponse } from '../../gateway/types';

/** What the lab's backends read of a request: the route's remaining path is given apart. */
export type BackendRequest = Pick<GatewayRequest, 'method' | 'url' | 'headers' | 'body' | 'remoteAddress'>;

const encoder = new TextEncoder();

/** A response with a UTF-8 text body and its exact `Content-Length`. */
export function textResponse(status: number, contentType: string, text: string, extra: [string, string][] = []): GatewayResponse {
  const body = encoder.encode(text);
  return {
    status,
    headers: [['content-type', contentType], ['content-length', String(body.length)], ...extra],
    body,
  };
}

/** A response with no body. */
export function emptyResponse(status: number, extra: [string, string][] = []): GatewayResponse {
  return { status, headers: [['content-length', '0'], ...extra], body: null };
}

/** The query of a request URL (absolute or origin form). */
export function queryOf(url: string): URLSearchParams {
  return new URL(url, 'http://backend.invalid').searchParams;
}
