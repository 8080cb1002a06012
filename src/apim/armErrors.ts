/**
 * The ARM errors the management API answers with, each a stable code and status
 * (docs/apim-behaviour.md#arm-error-responses), and their one wire shape:
 * `{"error":{"code","message","details"}}`.
 *
 * Messages never carry a key, a token or a request body: they are built from
 * constants, ids and field names only.
 */

/** Every code the management API uses, with its HTTP status. */
export const ARM_ERROR_STATUS = {
  ValidationError: 400,
  MissingApiVersionParameter: 400,
  InvalidApiVersionParameter: 400,
  NoRegisteredProviderFound: 400,
  Unauthorized: 401,
  ResourceNotFound: 404,
  MethodNotAllowed: 405,
  Conflict: 409,
  PreconditionFailed: 412,
  RequestEntityTooLarge: 413,
  InternalServerError: 500,
  ServiceUnavailable: 503,
} as const;

/** One of the catalogued codes. */
export type ArmErrorCode = keyof typeof ARM_ERROR_STATUS;

/** One bad field of a request: `target` names it as the client wrote it (`properties.displayName`, `$filter`). */
export interface ArmErrorDetail {
  code: string;
  target: string;
  message: string;
}

/** The body of every error response. `details` is null when there is nothing per field, as APIM sends it. */
export interface ArmErrorResponse {
  error: { code: ArmErrorCode; message: string; details: ArmErrorDetail[] | null };
}

/**
 * An ARM error on its way to the client. Thrown anywhere below the router (also
 * from inside a `store.mutate` plan, which then writes nothing) and turned into
 * the response in one place.
 */
export class ArmError extends Error {
  readonly status: number;

  constructor(
    readonly code: ArmErrorCode,
    message: string,
    readonly details: ArmErrorDetail[] | null = null,
    /** Extra response headers, e.g. `Allow` or `WWW-Authenticate`. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'ArmError';
    this.status = ARM_ERROR_STATUS[code];
  }

  /** The wire body. */
  toResponse(): ArmErrorResponse {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

/** Type guard for errors that already are ARM errors. */
export function isArmError(error: unknown): error is ArmError {
  return error instanceof ArmError;
}

/** APIM's summary line above per-field details. */
export const VALIDATION_SUMMARY = 'One or more fields contain incorrect values:';

// ---- constructors, one per situation ---------------------------------------

/** 400 listing each bad field. */
export function validationError(details: ArmErrorDetail[]): ArmError {
  return new ArmError('ValidationError', VALIDATION_SUMMARY, details);
}

/** 400 for one bad field. */
export function invalidField(target: string, message: string): ArmError {
  return validationError([{ code: 'ValidationError', target, message }]);
}

/**
 * 400 for a policy document refused at write time, as APIM reports it: the
 * detail's target is `representation` and its message names the element, line
 * and column ("Error in element 'rate-limit' on line 3, column 6: ...").
 */
export function invalidPolicyDocument(detail: string): ArmError {
  return invalidField('representation', detail);
}

/** 400 for a body that is not JSON. Never echoes the body: it may hold a key. */
export function malformedBody(): ArmError {
  return new ArmError('ValidationError', 'The request body is not valid JSON.');
}

/** 400 for a JSON body without `properties`, in APIM's words. */
export function missingProperties(): ArmError {
  return new ArmError('ValidationError', "Invalid payload format. Contract should have 'properties' specified.");
}

/** 400: no `api-version` query parameter. */
export function missingApiVersion(): ArmError {
  return new ArmError('MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.');
}

/** 400: an `api-version` that is no `YYYY-MM-DD[-preview]` date. */
export function invalidApiVersion(version: string, supported: string): ArmError {
  return new ArmError(
    'InvalidApiVersionParameter',
    `The api-version '${clip(version)}' is invalid. The supported versions are '${supported}' and later.`,
  );
}

/** 400 for a well-formed api-version older than any supported one, as ARM words it. */
export function unsupportedApiVersion(version: string, supported: string): ArmError {
  return new ArmError(
    'NoRegisteredProviderFound',
    `No registered resource provider found for API version '${clip(version)}' for type 'service'. The supported api-versions are '${supported}' and later.`,
  );
}

/** 401. `WWW-Authenticate` names the only scheme accepted (RFC 9110 requires the header on a 401). */
export function unauthorized(message: string): ArmError {
  return new ArmError('Unauthorized', message, null, { 'WWW-Authenticate': 'SharedAccessSignature' });
}

/** 404 in APIM's words: `Product not found.`, `Api not found.` */
export function resourceNotFound(what: string): ArmError {
  return new ArmError('ResourceNotFound', `${what} not found.`);
}

/** 405 with `Allow`: the resource exists, the verb does not. */
export function methodNotAllowed(method: string, allowed: readonly string[]): ArmError {
  return new ArmError('MethodNotAllowed', `The HTTP method '${clip(method)}' is not supported for this resource.`, null, {
    Allow: allowed.join(', '),
  });
}

/** 409: the change would break an integrity rule (duplicate key, path in use, subscriptions left). */
export function conflict(message: string): ArmError {
  return new ArmError('Conflict', message);
}

/** 412: `If-Match` does not match the current ETag. Nothing was changed. */
export function preconditionFailed(): ArmError {
  return new ArmError(
    'PreconditionFailed',
    'The entity has been modified since it was read: the If-Match ETag does not match. Get it again and retry.',
  );
}

/** 413: a body over the limit, refused before parsing. */
export function requestTooLarge(limit: number): ArmError {
  return new ArmError('RequestEntityTooLarge', `The request body is larger than ${limit} bytes.`);
}

/** 503: catalog storage unreachable or too slow; `Retry-After` matches the store's retry throttle. */
export function serviceUnavailable(): ArmError {
  return new ArmError('ServiceUnavailable', 'The catalog storage is unavailable. Try again later.', null, { 'Retry-After': '1' });
}

/** 500: a fault of ours, logged; the message says nothing more. */
export function internalError(): ArmError {
  return new ArmError('InternalServerError', 'The request failed because of an internal error.');
}

/** Client text echoed in a message is cut short, so a message never balloons. */
function clip(text: string): string {
  return text.length > 64 ? `${text.slice(0, 64)}...` : text;
}
