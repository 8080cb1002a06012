import { normalizeApiPath, type Api } from '../catalog/records';
import {
  internalErrorResponse,
  invalidKeyResponse,
  missingKeyResponse,
  notFoundResponse,
  payloadTooLargeResponse,
  serviceUnavailableResponse,
  type ApimResponse,
} from '../apim/gatewayResponses';
import type { RequestTarget } from './requestUrl';
import type { HeaderBag, Rejection } from './types';

/** What the one response writer needs to know about the request. */
export interface RejectionContext {
  readonly headers: HeaderBag;
  readonly target: RequestTarget | undefined;
  readonly api: Api | null;
  readonly activityId: () => string;
}

/** The single place where a rejection becomes APIM's wire response. */
export function rejectionResponse(rejection: Rejection, context: RejectionContext): ApimResponse {
  switch (rejection.rejected) {
    case 'apiNotFound':
    case 'operationNotFound':
      return notFoundResponse();
    case 'keyMissing':
      return context.api ? challenge(context.api, context, 'missing') : notFoundResponse();
    case 'keyUnknown':
    case 'subscriptionInactive':
    case 'keyOutOfScope':
      return context.api ? challenge(context.api, context, 'invalid') : notFoundResponse();
    case 'bodyTooLarge':
      return payloadTooLargeResponse(rejection.bodyBytes, rejection.maxBodyBytes);
    case 'noBackend':
    case 'backendUnreachable':
    case 'backendTimeout':
    case 'clientAborted':
    case 'policyUnusable':
    case 'internalError':
      return internalErrorResponse(context.activityId());
    case 'catalogUnavailable':
      return serviceUnavailableResponse();
  }
}

const keyHeaderOf = (api: Api) => api.subscriptionKeyParameterNames.header;

/** The last 401s built for an API, for one scheme and host (callers nearly always use one). */
interface Challenges {
  readonly scheme: string;
  readonly host: string;
  missing?: ApimResponse;
  invalid?: ApimResponse;
}
// Records are immutable and replaced on change, so an API object is a safe cache key.
const challenges = new WeakMap<Api, Challenges>();

/**
 * A 401 with its `WWW-Authenticate` challenge. The realm's parts (scheme, host) are
 * read for every request and compared with the cached ones; the header value is
 * only built when they change. The response is shared by every call for that realm,
 * and frozen with its header list.
 */
function challenge(api: Api, context: RealmContext, kind: 'missing' | 'invalid'): ApimResponse {
  const scheme = realmScheme(context);
  const host = realmHost(context);
  let cached = challenges.get(api);
  if (cached === undefined || cached.host !== host || cached.scheme !== scheme) challenges.set(api, (cached = { scheme, host }));
  let response = cached[kind];
  if (response === undefined) {
    const build = kind === 'missing' ? missingKeyResponse : invalidKeyResponse;
    const built = build(realm(scheme, host, api), keyHeaderOf(api));
    for (const pair of built.headers) Object.freeze(pair);
    Object.freeze(built.headers);
    cached[kind] = response = Object.freeze(built);
  }
  return response;
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
  return realm(realmScheme(context), realmHost(context), context.api);
}

type RealmContext = Pick<RejectionContext, 'headers' | 'target'>;

function realmScheme(context: RealmContext): string {
  const forwarded = context.headers.get('x-forwarded-proto')?.split(',', 1)[0]?.trim();
  return forwarded && SCHEME.test(forwarded) ? forwarded.toLowerCase() : (context.target?.scheme ?? 'https');
}

function realmHost(context: RealmContext): string {
  return context.headers.get('host') || context.target?.authority || '';
}

const realm = (scheme: string, host: string, api: Api | null) => `${scheme}://${host}/${api ? apiPathOf(api) : ''}`;
