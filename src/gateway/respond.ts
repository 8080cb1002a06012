import { normalizeApiPath, type Api } from '../catalog/records';
import {
  internalErrorResponse,
  invalidKeyResponse,
  missingKeyResponse,
  notFoundResponse,
  type ApimResponse,
} from '../apim/gatewayResponses';
import type { RequestTarget } from './requestUrl';
import type { HeaderBag, RejectReason } from './types';

/** What the one response writer needs to know about the request. */
export interface RejectionContext {
  readonly headers: HeaderBag;
  readonly target: RequestTarget | undefined;
  readonly api: Api | null;
  readonly activityId: () => string;
}

/** The single place where a rejection becomes APIM's wire response. */
export function rejectionResponse(reason: RejectReason, context: RejectionContext): ApimResponse {
  switch (reason) {
    case 'apiNotFound':
    case 'operationNotFound':
      return notFoundResponse();
    case 'keyMissing':
      return context.api ? missingKeyResponse(realmOf(context), keyHeaderOf(context.api)) : notFoundResponse();
    case 'keyUnknown':
    case 'subscriptionInactive':
    case 'keyOutOfScope':
      return context.api ? invalidKeyResponse(realmOf(context), keyHeaderOf(context.api)) : notFoundResponse();
    case 'noBackend':
    case 'backendUnreachable':
    case 'backendTimeout':
    case 'clientAborted':
    case 'internalError':
      return internalErrorResponse(context.activityId());
  }
}

const keyHeaderOf = (api: Api) => api.subscriptionKeyParameterNames.header;
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
  return `${scheme}://${host}/${context.api ? normalizeApiPath(context.api.path) : ''}`;
}
