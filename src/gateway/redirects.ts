/**
 * `forward-request follow-redirects="true"`: the backend's redirects are followed
 * here, as fetch follows them, before the policies see the answer
 * (docs/policies.md#following-redirects). Only that attribute leads here: the
 * default path and `follow-redirects="false"` pass a 3xx to the caller.
 */
import type { BackendCall } from './backendCall';
import type { BackendFailure, Forwarder } from './forward';
import { isHeaderList, isRejection, type GatewayResponse } from './types';

/** Redirects followed at most; one more is a failed backend call. */
export const MAX_REDIRECTS = 10;

const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** Headers that describe the request body: they go with it when a redirect turns the call into a GET. */
const BODY_HEADERS: ReadonlySet<string> = new Set(['content-type', 'content-encoding', 'content-language', 'content-location']);

/** Credentials that never follow a redirect to another origin (fetch drops `authorization` too). */
const CREDENTIAL_HEADERS: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization', 'cookie']);

/** Codes of the failures a redirect chain adds, for the trace and `context.LastError`. */
export const REDIRECT_FAILURES = {
  TOO_MANY_REDIRECTS: `The backend redirected more than ${MAX_REDIRECTS} times.`,
  BAD_REDIRECT_LOCATION: 'The backend redirected to a location that is not an http or https URL.',
} as const;

/** Where the API carries its subscription key: never sent to another origin. */
export interface KeyNames {
  readonly header: string;
  readonly query: string;
}

/**
 * Sends `first` and follows 301, 302, 303, 307 and 308 answers that carry a
 * `Location`, at most MAX_REDIRECTS times, within `first.timeoutMs` in all:
 * 303 (but for HEAD), and 301/302 to a POST, go on as a GET without the body;
 * 307 and 308 keep the method and the body. Once the chain has left the first
 * backend's origin, the key header, `Ocp-Apim-*`, `Apim-*` and credential headers
 * stay behind, and a URL of another origin loses the key's query parameter. A 3xx
 * without `Location` is the answer.
 */
export async function forwardFollowingRedirects(forwarder: Forwarder, first: BackendCall, key: KeyNames): Promise<GatewayResponse | BackendFailure> {
  const deadline = first.timeoutMs === undefined ? undefined : Date.now() + first.timeoutMs;
  const keyHeader = key.header.toLowerCase();
  let call = first;
  let crossed = false;
  for (let redirects = 0; ; redirects++) {
    const answer = await forwarder.forward(call);
    if (isRejection(answer) || !REDIRECT_STATUSES.has(answer.status)) return answer;
    const location = headerValue(answer.headers, 'location');
    if (location === undefined) return answer;
    discard(answer.body);
    if (redirects === MAX_REDIRECTS) return { rejected: 'backendUnreachable', backendError: 'TOO_MANY_REDIRECTS' };
    const target = redirectTarget(location, call);
    if (target === null) return { rejected: 'backendUnreachable', backendError: 'BAD_REDIRECT_LOCATION' };
    const timeoutMs = deadline === undefined ? undefined : deadline - Date.now();
    if (timeoutMs !== undefined && timeoutMs <= 0) return { rejected: 'backendTimeout', backendError: null };

    const toGet = (answer.status === 303 && call.method !== 'GET' && call.method !== 'HEAD') || ((answer.status === 301 || answer.status === 302) && call.method === 'POST');
    crossed ||= target.origin !== call.origin;
    const headers: [string, string][] = [];
    for (const pair of call.headers) {
      const name = pair[0];
      if (name === 'host' || (toGet && BODY_HEADERS.has(name))) continue;
      if (crossed && (name === keyHeader || name.startsWith('ocp-apim-') || name.startsWith('apim-') || CREDENTIAL_HEADERS.has(name))) continue;
      headers.push(pair);
    }
    headers.unshift(['host', target.host]);
    const search = target.origin === first.origin ? target.search : withoutParameter(target.search, key.query);
    call = {
      method: toGet ? 'GET' : call.method,
      origin: target.origin,
      path: (target.pathname || '/') + search,
      headers,
      body: toGet ? null : call.body,
      ...(call.signal ? { signal: call.signal } : {}),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    };
  }
}

/** The redirect's absolute http(s) URL, resolved against the request it answers; null for anything else. */
function redirectTarget(location: string, call: BackendCall): URL | null {
  let url: URL;
  try {
    url = new URL(location, call.origin + call.path);
  } catch {
    return null;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
}

function headerValue(headers: GatewayResponse['headers'], name: string): string | undefined {
  if (!isHeaderList(headers)) return headers.get(name) ?? undefined;
  for (const [n, v] of headers) if (n.toLowerCase() === name) return v;
  return undefined;
}

/** A redirect's body is never read: a stream is cancelled (its connection closes). */
function discard(body: GatewayResponse['body']): void {
  if (body instanceof ReadableStream) void body.cancel().catch(() => undefined);
}

/** `search` (`?a=1&b=2` or '') without the parameter `name`; the other parameters stay as written. */
function withoutParameter(search: string, name: string): string {
  if (search.length <= 1) return search;
  const kept = search
    .slice(1)
    .split('&')
    .filter((part) => {
      const raw = part.split('=', 1)[0]!;
      let decoded: string;
      try {
        decoded = decodeURIComponent(raw.replace(/\+/g, ' '));
      } catch {
        decoded = raw;
      }
      return decoded !== name;
    });
  return kept.length === 0 ? '' : `?${kept.join('&')}`;
}
