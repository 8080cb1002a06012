import { normalizeApiPath, type Api } from '../catalog/records';
import {
  internalErrorResponse,
  invalidKeyResponse,
  missingKeyResponse,
  notFoundResponse,
  payloadTooLargeResponse,
  type ApimResponse,
} from '../apim/gatewayResponses';
import type { BodyTooLarge } from './limitBody';
import type { RequestTarget } from './requestUrl';
import type { HeaderBag, RejectReason } from './types';

/** What the one response writer needs to know about the request. */
export interface RejectionContext {
  readonly headers: HeaderBag;
  readonly target: RequestTarget | undefined;
  readonly api: Api | null;
  readonly activityId: () => string;
  /** The sizes, when the body was over the limit. */
  readonly bodyTooLarge?: BodyTooLarge;
}

/** The single place where a rejection becomes APIM's wire response. */
export function rejectionResponse(reason: RejectReason, context: RejectionContext): ApimResponse {
  switch (reason) {
    case 'apiNotFound':
    case 'operationNotFound':
      return notFoundResponse();
    case 'keyMissing':
      return context.api ? challenge(context.api, realmOf(context), 'missing') : notFoundResponse();
    case 'keyUnknown':
    case 'subscriptionInactive':
    case 'keyOutOfScope':
      return context.api ? challenge(context.api, realmOf(context), 'invalid') : notFoundResponse();
    case 'bodyTooLarge':
      return context.bodyTooLarge
        ? payloadTooLargeResponse(context.bodyTooLarge.bodyBytes, context.bodyTooLarge.maxBodyBytes)
        : internalErrorResponse(context.activityId());
    case 'noBackend':
    case 'backendUnreachable':
    case 'backendTimeout':
    case 'clientAborted':
    case 'internalError':
      return internalErrorResponse(context.activityId());
  }
}

const keyHeaderOf = (api: Api) => api.subscriptionKeyParameterNames.header;

/** The last 401s built for an API, for one realm (callers nearly always use one host). */
interface Challenges {
  readonly realm: string;
  missing?: ApimResponse;
  invalid?: ApimResponse;
}
// Records are immutable and replaced on change, so an API object is a safe cache key.
const challenges = new WeakMap<Api, Challenges>();

/**
 * A 401 with its `WWW-Authenticate` challenge. The header value is built once per
 * API and realm; each call still gets its own header list (callers may add to it).
 */
function challenge(api: Api, realm: string, kind: 'missing' | 'invalid'): ApimResponse {
  let cached = challenges.get(api);
  if (cached === undefined || cached.realm !== realm) challenges.set(api, (cached = { realm }));
  let response = cached[kind];
  if (response === undefined) {
    const build = kind === 'missing' ? missingKeyResponse : invalidKeyResponse;
    cached[kind] = response = build(realm, keyHeaderOf(api));
  }
  const headers: [string, string][] = [];
  for (const [name, value] of response.headers) headers.push([name, value]);
  return { status: response.status, headers, body: response.body };
}

// The normalised path of each API record, for realms.
const apiPaths = new WeakMap<Api, string>();

function apiPathOf(api: Api): string {
  let path = apiPaths.get(api);
  if (path === undefined) apiPaths.set(api, (path = normalizeApiPath(api.path)));
  return path;
}
const SCHEME = /^[a-z][a-z0-9+.-]*$/i;

/**
 * `<scheme>://<host>/<api path>` as the caller addressed us: the scheme from
 * `X-Forwarded-Proto` (first hop's value) when it is a valid scheme, else the URL's;
 * the host from `Host`, else the URL's authority; the API path as stored.
 * Decision: an empty-path API's realm is `<scheme>://<host>/` — the same formula.
 */
export function realmOf(context: Pick<RejectionContext, 'headers' | 'target' | 'api'>): string {
  const forwarded = context.headers.get('x-forwarded-proto')?.split(',', 1)[0]?.trim();
  const scheme = forwarded && SCHEME.test(forwarded) ? forwarded.toLowerCase() : (context.target?.scheme ?? 'https');
  const host = context.headers.get('host') || context.target?.authority || '';
  return `${scheme}://${host}/${context.api ? apiPathOf(context.api) : ''}`;
}
