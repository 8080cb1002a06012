import type { ArmError } from '../apim/armErrors';
import { checkAuthorization } from './auth';
import type { ManagementSettings } from './settings';
import { clientOf, tooManyRequestsResponse, type AuthThrottle } from './throttle';
import type { ManagementResponse } from './types';

/** Why a caller was turned away: the throttle's 429, or the 401 of its credentials. */
export type Refusal = { kind: 'throttled'; response: ManagementResponse } | { kind: 'unauthorized'; error: ArmError };

/**
 * Authentication first, then the throttle, and only for failures: a valid token
 * is never throttled (see throttle.ts for why). Every endpoint that takes a
 * management token (the management API, the lab's `/lab/state`) admits its
 * callers here, with the one throttle of the process, so a guesser gains
 * nothing by switching endpoints.
 */
export function admitManagementCall(
  headers: Headers,
  settings: ManagementSettings,
  now: Date,
  throttle: AuthThrottle | undefined,
): Refusal | undefined {
  const outcome = checkAuthorization(headers.get('authorization'), settings, now);
  if (outcome.ok) return undefined;
  // Expired or too long-lived tokens are a key holder's: they are not guesses.
  if (throttle && outcome.reason !== 'expired' && outcome.reason !== 'lifetimeTooLong' && outcome.reason !== 'notConfigured') {
    const client = clientOf(headers);
    const blockedFor = throttle.blockedFor(client);
    if (blockedFor > 0) return { kind: 'throttled', response: tooManyRequestsResponse(blockedFor) };
    if (outcome.reason === 'invalidSignature') throttle.recordFailure(client);
  }
  return { kind: 'unauthorized', error: outcome.error };
}
