import { unauthorized, type ArmError } from '../apim/armErrors';
import { MAX_TOKEN_LENGTH, verifySasToken } from './sasToken';
import { DEFAULT_TOKEN_MAX_LIFETIME_DAYS, TOKEN_MAX_LIFETIME_SETTING, type ManagementSettings } from './settings';

/**
 * Who may call the management API: the holder of a SharedAccessSignature token
 * signed with one of the two management keys. Accepted as
 * `Authorization: SharedAccessSignature <token>` (APIM's direct management API) and
 * `Authorization: Bearer <token>` (what the official SDKs send from a credential),
 * the Bearer value with or without its own `SharedAccessSignature ` prefix.
 *
 * Never open by default: without configured keys every call is refused.
 */

export const NOT_CONFIGURED_MESSAGE =
  'Management keys are not configured: set MANAGEMENT_PRIMARY_KEY (and optionally MANAGEMENT_SECONDARY_KEY) to use the management API.';
/** 401 texts, one per reason; none quotes the request. */
export const MISSING_TOKEN_MESSAGE =
  "Missing credentials: send 'Authorization: SharedAccessSignature uid={identifier}&ex={expiry}&sn={signature}'.";
export const MALFORMED_TOKEN_MESSAGE =
  "The Authorization header does not hold a SharedAccessSignature token ('uid=...&ex=...&sn=...' or '{identifier}&{yyyyMMddHHmm}&{signature}').";
export const INVALID_TOKEN_MESSAGE = 'The SharedAccessSignature token is invalid: wrong identifier or signature.';
export const EXPIRED_TOKEN_MESSAGE = 'The SharedAccessSignature token has expired.';
export const LIFETIME_TOO_LONG_MESSAGE = (days: number): string =>
  `The SharedAccessSignature token expires too far ahead: a token may be valid for at most ${days} days (${TOKEN_MAX_LIFETIME_SETTING}). Sign one with a nearer expiry.`;

const DAY_MS = 86_400_000;
const SAS_SCHEME = /^SharedAccessSignature\s+(.*)$/i;
const BEARER_SCHEME = /^Bearer\s+(.*)$/i;

/** The token of an `Authorization` header value, or undefined for another scheme. */
export function tokenOfAuthorization(header: string): string | undefined {
  const value = header.trim();
  const sas = SAS_SCHEME.exec(value);
  if (sas) return sas[1]!.trim();
  const bearer = BEARER_SCHEME.exec(value);
  if (!bearer) return undefined;
  const inner = bearer[1]!.trim();
  return SAS_SCHEME.exec(inner)?.[1]!.trim() ?? inner;
}

/** Why a request was refused: `invalidSignature` is the only reason that can be a guess at a key. */
export type AuthFailureReason = 'notConfigured' | 'missing' | 'malformed' | 'expired' | 'lifetimeTooLong' | 'invalidSignature';

/** The outcome of `checkAuthorization`: pass, or the reason and the 401 to answer with. */
export type AuthOutcome = { ok: true } | { ok: false; reason: AuthFailureReason; error: ArmError };

const refused = (reason: AuthFailureReason, message: string): AuthOutcome => ({ ok: false, reason, error: unauthorized(message) });

/**
 * Checks the `Authorization` header. Messages say what is wrong, never echoing
 * the token or a key. The work is bounded whatever the header: values longer
 * than a token are refused unread, and a token costs two HMAC-SHA512.
 */
export function checkAuthorization(authorization: string | null, settings: ManagementSettings, now: Date): AuthOutcome {
  if (!settings.primaryKey && !settings.secondaryKey) return refused('notConfigured', NOT_CONFIGURED_MESSAGE);
  if (authorization === null || authorization.trim() === '') return refused('missing', MISSING_TOKEN_MESSAGE);
  if (authorization.length > MAX_TOKEN_LENGTH + 64) return refused('malformed', MALFORMED_TOKEN_MESSAGE);
  const token = tokenOfAuthorization(authorization);
  if (token === undefined) return refused('malformed', MALFORMED_TOKEN_MESSAGE);
  const maxLifetimeMs = settings.maxTokenLifetimeMs ?? DEFAULT_TOKEN_MAX_LIFETIME_DAYS * DAY_MS;
  const result = verifySasToken(token, {
    identifier: settings.identifier,
    primaryKey: settings.primaryKey,
    secondaryKey: settings.secondaryKey,
    now,
    maxLifetimeMs,
  });
  if (result.valid) return { ok: true };
  switch (result.reason) {
    case 'malformed':
      return refused('malformed', MALFORMED_TOKEN_MESSAGE);
    case 'expired':
      return refused('expired', EXPIRED_TOKEN_MESSAGE);
    case 'lifetimeTooLong':
      return refused('lifetimeTooLong', LIFETIME_TOO_LONG_MESSAGE(Math.round(maxLifetimeMs / DAY_MS)));
    case 'invalidSignature':
      return refused('invalidSignature', INVALID_TOKEN_MESSAGE);
  }
}

/** Undefined when the request may proceed; otherwise the 401 to answer with. */
export function authenticate(authorization: string | null, settings: ManagementSettings, now: Date): ArmError | undefined {
  const outcome = checkAuthorization(authorization, settings, now);
  return outcome.ok ? undefined : outcome.error;
}
