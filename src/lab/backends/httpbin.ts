import { addressWithoutPort } from '../../policy/ipAddress';
import type { GatewayResponse } from '../../gateway/types';
import { emptyResponse, queryOf, textResponse, type BackendRequest } from './http';

/**
 * The lab's httpbin: the two endpoints the Blank API calls, `/headers` and `/ip`,
 * written as httpbin writes them: pretty JSON (two-space indent, sorted keys, a
 * final newline) under `application/json`, with httpbin's open CORS headers.
 */

/**
 * Headers httpbin drops from `/headers` unless the query has `show_env`: the
 * ones its hosting platform adds, not the caller.
 */
const ENV_HEADERS = new Set(
  [
    'X-Varnish',
    'X-Request-Start',
    'X-Heroku-Queue-Depth',
    'X-Real-Ip',
    'X-Forwarded-Proto',
    'X-Forwarded-Protocol',
    'X-Forwarded-Ssl',
    'X-Heroku-Queue-Wait-Time',
    'X-Forwarded-For',
    'X-Heroku-Dynos-Running',
    'X-Forwarded-Port',
    'X-Request-Id',
    'Via',
    'Total-Route-Time',
    'Connect-Time',
  ].map((name) => name.toLowerCase()),
);

const CORS: [string, string][] = [
  ['access-control-allow-origin', '*'],
  ['access-control-allow-credentials', 'true'],
];

/** Answers `GET|HEAD /headers` and `GET|HEAD /ip`; `path` is what follows `/backend/httpbin/`. */
export function httpbin(request: BackendRequest, path: string): GatewayResponse {
  const endpoint = path.replace(/\/+$/, '');
  if (endpoint !== 'headers' && endpoint !== 'ip') return notFound();
  const method = request.method.toUpperCase();
  if (method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS') {
    return textResponse(405, 'text/html', METHOD_NOT_ALLOWED_PAGE, [['allow', 'GET, HEAD, OPTIONS'], ...CORS]);
  }
  if (method === 'OPTIONS') return emptyResponse(200, [['allow', 'GET, HEAD, OPTIONS'], ...CORS]);
  const value = endpoint === 'headers' ? { headers: headersOf(request) } : { origin: originOf(request) };
  const response = textResponse(200, 'application/json', prettyJson(value), CORS);
  return method === 'HEAD' ? { ...response, body: null } : response;
}

/** The request headers as httpbin shows them: Werkzeug's capitalisation, sorted by name. */
export function headersOf(request: BackendRequest): Record<string, string> {
  const showEnv = queryOf(request.url).has('show_env');
  const headers: Record<string, string> = {};
  for (const [name, value] of request.headers) {
    if (!showEnv && ENV_HEADERS.has(name.toLowerCase())) continue;
    const key = titleCase(name);
    headers[key] = key in headers ? `${headers[key]}, ${value}` : value;
  }
  return headers;
}

/**
 * The caller's address: the first `X-Forwarded-For` entry (the front end in
 * front of the app puts the caller there, or keeps the one a proxy such as the
 * gateway put first), without a port; else the peer the adapter saw.
 */
export function originOf(request: BackendRequest): string {
  const first = request.headers.get('x-forwarded-for')?.split(',')[0]?.trim();
  if (first) return addressWithoutPort(first);
  return request.remoteAddress ?? '';
}

/**
 * Python's `str.title()`, which Werkzeug applies to header names taken from the
 * WSGI environment: a letter after a non-letter is upper case, any other lower.
 */
export function titleCase(name: string): string {
  let out = '';
  let previousCased = false;
  for (const c of name) {
    const cased = c.toLowerCase() !== c.toUpperCase();
    out += cased ? (previousCased ? c.toLowerCase() : c.toUpperCase()) : c;
    previousCased = cased;
  }
  return out;
}

/** Flask's `jsonify` output: sorted keys, two-space indent, a final newline. */
function prettyJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
    return sorted;
  }
  return value;
}

function notFound(): GatewayResponse {
  return textResponse(404, 'text/html', NOT_FOUND_PAGE);
}

const NOT_FOUND_PAGE =
  '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n' +
  '<p>The requested URL was not found on the server.  If you entered the URL manually please check your spelling and try again.</p>\n';

const METHOD_NOT_ALLOWED_PAGE =
  '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<title>405 Method Not Allowed</title>\n<h1>Method Not Allowed</h1>\n' +
  '<p>The method is not allowed for the requested URL.</p>\n';
