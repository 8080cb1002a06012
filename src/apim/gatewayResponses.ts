/**
 * Every response the APIM gateway itself writes, byte for byte (docs/apim-behaviour.md#gateway-error-responses).
 * Bodies are precomputed Buffers; headers carry the exact Content-Length.
 *
 * `Date` is not set here: the HTTP server in front of the gateway adds it, as it
 * does for every response.
 */

/** A response written by the gateway (not by a backend). Structurally a `GatewayResponse`. */
export interface ApimResponse {
  readonly status: number;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Buffer;
}

/** APIM's one-line error body: `{ "statusCode": 401, "message": "..." }`, no trailing newline. */
export function apimErrorBody(statusCode: number, message: string, activityId?: string): Buffer {
  const tail = activityId === undefined ? '' : `, "activityId": ${JSON.stringify(activityId)}`;
  return Buffer.from(`{ "statusCode": ${statusCode}, "message": ${JSON.stringify(message)}${tail} }`, 'utf8');
}

export const MISSING_KEY_MESSAGE =
  'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.';
export const INVALID_KEY_MESSAGE =
  'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.';
export const NOT_FOUND_MESSAGE = 'Resource not found';
export const INTERNAL_ERROR_MESSAGE = 'Internal server error';

/** 152 bytes. */
export const MISSING_KEY_BODY = apimErrorBody(401, MISSING_KEY_MESSAGE);
/** 143 bytes. */
export const INVALID_KEY_BODY = apimErrorBody(401, INVALID_KEY_MESSAGE);
/** 54 bytes. */
export const NOT_FOUND_BODY = apimErrorBody(404, NOT_FOUND_MESSAGE);

/** Builds a JSON error response; a fresh header list each time, so callers may add to it. */
function jsonResponse(status: number, body: Buffer, ...extra: [string, string][]): ApimResponse {
  return {
    status,
    headers: [['Content-Type', 'application/json'], ['Content-Length', String(body.length)], ...extra],
    body,
  };
}

/** RFC 9110 quoted-string content: escape `"` and `\` so a hostile Host cannot break the header. */
const quoted = (value: string) => value.replace(/["\\]/g, '\\$&');

/**
 * `AzureApiManagementKey realm="https://host/echo",name="Ocp-Apim-Subscription-Key",type="header"`.
 * No spaces between parameters; only the header form is ever advertised.
 */
export function wwwAuthenticate(realm: string, headerName: string): string {
  return `AzureApiManagementKey realm="${quoted(realm)}",name="${quoted(headerName)}",type="header"`;
}

/** 401: no key under the API's header or query name. */
export function missingKeyResponse(realm: string, headerName: string): ApimResponse {
  return jsonResponse(401, MISSING_KEY_BODY, ['WWW-Authenticate', wwwAuthenticate(realm, headerName)]);
}

/** 401: a key that is unknown, of a non-active subscription, or out of the API's scope. */
export function invalidKeyResponse(realm: string, headerName: string): ApimResponse {
  return jsonResponse(401, INVALID_KEY_BODY, ['WWW-Authenticate', wwwAuthenticate(realm, headerName)]);
}

/** 404: no API or no operation matches. Never carries `WWW-Authenticate`. */
export function notFoundResponse(): ApimResponse {
  return jsonResponse(404, NOT_FOUND_BODY);
}

/**
 * 500: the gateway could not get a response from the backend (refused, reset, DNS,
 * timeout), the API has no usable `serviceUrl`, or an unexpected fault.
 *
 * Decision: APIM sends a failed `forward-request` (its `BackendConnectionFailure`,
 * timeouts included) to the `on-error` section; with no `on-error` policy the caller
 * gets APIM's generic 500 `{ "statusCode": 500, "message": "Internal server error",
 * "activityId": "<guid>" }` (as seen on the wire from APIM-fronted Azure services),
 * not a 502/504. The activity id is a fresh v4 UUID per call (36 characters, so the
 * body is always 111 bytes) and lets an operator find the call in logs; it never
 * says why the backend failed, so nothing about the backend or the key leaks.
 */
export function internalErrorResponse(activityId: string): ApimResponse {
  return jsonResponse(500, apimErrorBody(500, INTERNAL_ERROR_MESSAGE, activityId));
}

/**
 * 413: the request body is over the gateway's limit (`GATEWAY_MAX_BODY_BYTES`).
 * Decision: APIM's one-line shape with the public message of its own body-size
 * check (`validate-content` max-size: "Request's body is {size} bytes long and it
 * exceeds the limit of {maxSize} bytes."), under 413 Payload Too Large rather than
 * that policy's 400, so that clients and proxies see the standard status.
 */
export function payloadTooLargeResponse(bodyBytes: number, maxBodyBytes: number): ApimResponse {
  const message = `Request's body is ${bodyBytes} bytes long and it exceeds the limit of ${maxBodyBytes} bytes.`;
  return jsonResponse(413, apimErrorBody(413, message));
}

export const SERVICE_UNAVAILABLE_MESSAGE = 'Service Unavailable';

/**
 * 503: the gateway has no catalog yet (storage unreachable since start), so it
 * cannot tell a good key from a bad one and lets nothing through.
 * Decision: APIM's one-line shape with the reason phrase as message, and a
 * `Retry-After` hint of 5 seconds.
 */
export function serviceUnavailableResponse(): ApimResponse {
  return jsonResponse(503, apimErrorBody(503, SERVICE_UNAVAILABLE_MESSAGE), ['Retry-After', '5']);
}

export const FORBIDDEN_MESSAGE = 'Forbidden';

/** 403 from `ip-filter`: a caller address the filter refuses. */
export function forbiddenResponse(): ApimResponse {
  return jsonResponse(403, apimErrorBody(403, FORBIDDEN_MESSAGE));
}

/** 429 from `rate-limit`; `Retry-After` equals the seconds in the message. */
export function rateLimitResponse(retryAfterSeconds: number): ApimResponse {
  const seconds = wholeSeconds(retryAfterSeconds);
  const body = apimErrorBody(429, `Rate limit is exceeded. Try again in ${seconds} seconds.`);
  return jsonResponse(429, body, ['Retry-After', String(seconds)]);
}

/** 403 from `quota` (calls): `Out of call volume quota. Quota will be replenished in 00:06:46.` */
export function callQuotaResponse(secondsUntilRenewal: number): ApimResponse {
  return quotaResponse('call volume', secondsUntilRenewal);
}

/** 403 from `quota` (bandwidth): same shape as the call quota. */
export function bandwidthQuotaResponse(secondsUntilRenewal: number): ApimResponse {
  return quotaResponse('bandwidth', secondsUntilRenewal);
}

function quotaResponse(kind: string, secondsUntilRenewal: number): ApimResponse {
  const seconds = wholeSeconds(secondsUntilRenewal);
  const body = apimErrorBody(403, `Out of ${kind} quota. Quota will be replenished in ${formatTimeSpan(seconds)}.`);
  return jsonResponse(403, body, ['Retry-After', String(seconds)]);
}

const wholeSeconds = (seconds: number) => (Number.isFinite(seconds) ? Math.max(0, Math.ceil(seconds)) : 0);
const two = (n: number) => String(n).padStart(2, '0');

/** .NET `TimeSpan` text: `hh:mm:ss`, or `d.hh:mm:ss` from one day on. */
export function formatTimeSpan(totalSeconds: number): string {
  const s = wholeSeconds(totalSeconds);
  const days = Math.floor(s / 86_400);
  const clock = `${two(Math.floor((s % 86_400) / 3600))}:${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}`;
  return days > 0 ? `${days}.${clock}` : clock;
}

/** Request tracing (docs/apim-behaviour.md#request-tracing): the debug token a caller sends, and what the gateway answers with. */
export { DEBUG_AUTHORIZATION_HEADER, TRACE_ID_HEADER, DEBUG_EXPIRED_HEADER, DEBUG_WRONG_API_HEADER } from './headers';
