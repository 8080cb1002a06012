import type { Cookie, HttpRequest, HttpResponseInit } from '@azure/functions';
import { isHeaderList, type GatewayRequest, type GatewayResponse } from '../../gateway/types';

/** Every method the HTTP trigger can take; the gateway and echo accept them all. */
export const ALL_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'PATCH', 'OPTIONS', 'TRACE'] as const;

const METHODS_WITHOUT_BODY = new Set(['GET', 'HEAD']);

/** The Functions request as the framework-free request of the core (its headers stay a WHATWG `Headers`). */
export async function toCoreRequest(request: HttpRequest): Promise<GatewayRequest & { readonly headers: Headers }> {
  let body: Uint8Array | null = null;
  if (!METHODS_WITHOUT_BODY.has(request.method) && request.body) {
    body = new Uint8Array(await request.arrayBuffer());
  }
  return { method: request.method, url: request.url, headers: request.headers, body };
}

/**
 * The core's response as a Functions response. In buffered mode the worker folds
 * repeated headers into one, so `Set-Cookie` values travel as the `cookies` list
 * (the host writes each back as its own header).
 */
export function toHttpResponse(response: GatewayResponse): HttpResponseInit {
  const headers: [string, string][] = [];
  const cookies: Cookie[] = [];
  const entries = isHeaderList(response.headers) ? response.headers : [...headerPairs(response.headers)];
  for (const [name, value] of entries) {
    const cookie = name.toLowerCase() === 'set-cookie' ? parseSetCookie(value) : undefined;
    if (cookie) cookies.push(cookie);
    else headers.push([name, value]);
  }
  const init: HttpResponseInit = { status: response.status, headers };
  if (cookies.length) init.cookies = cookies;
  if (response.body) init.body = response.body as HttpResponseInit['body'];
  return init;
}

function* headerPairs(headers: Headers): Iterable<[string, string]> {
  for (const [name, value] of headers) {
    if (name === 'set-cookie') continue;
    yield [name, value];
  }
  for (const cookie of headers.getSetCookie()) yield ['set-cookie', cookie];
}

/** Parses one `Set-Cookie` value into the worker's cookie shape; undefined when it cannot. */
export function parseSetCookie(text: string): Cookie | undefined {
  const [pair, ...attributes] = text.split(';');
  const eq = pair?.indexOf('=') ?? -1;
  if (!pair || eq <= 0) return undefined;
  const cookie: Cookie = { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim() };
  for (const attribute of attributes) {
    const [rawName, ...rest] = attribute.split('=');
    const name = rawName?.trim().toLowerCase();
    const value = rest.join('=').trim();
    if (name === 'domain') cookie.domain = value;
    else if (name === 'path') cookie.path = value;
    else if (name === 'expires') {
      const date = new Date(value);
      if (!Number.isNaN(date.getTime())) cookie.expires = date;
    } else if (name === 'max-age') {
      const seconds = Number(value);
      if (Number.isFinite(seconds)) cookie.maxAge = seconds;
    } else if (name === 'secure') cookie.secure = true;
    else if (name === 'httponly') cookie.httpOnly = true;
    else if (name === 'samesite' && /^(strict|lax|none)$/i.test(value)) {
      cookie.sameSite = (value[0]!.toUpperCase() + value.slice(1).toLowerCase()) as Cookie['sameSite'];
    }
  }
  return cookie;
}
