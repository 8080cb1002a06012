import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { formatSasExpiry, parseSasToken } from './sasFormat';

export { MAX_TOKEN_LENGTH, formatSasExpiry, parseSasToken, type ParsedSasToken } from './sasFormat';

/**
 * APIM's SharedAccessSignature tokens for the direct management API (docs/apim-behaviour.md#sharedaccesssignature-tokens):
 *
 *     signature = Base64(HMAC-SHA512(key, identifier + "\n" + expiry))
 *     long form:  uid={identifier}&ex={expiry}&sn={signature}   expiry 2014-08-04T22:03:00.0000000Z
 *     short form: {identifier}&{yyyyMMddHHmm}&{signature}
 *
 * The signature covers the expiry text exactly as written in the token; for the
 * short form that is the 12 digits (decision: APIM documents the short form only
 * as a portal output; signing the text as written is the one rule for both forms).
 * Expiries are UTC.
 */

export interface SasTokenInput {
  identifier: string;
  /** A management key (used as UTF-8 bytes). */
  key: string;
  expiry: Date;
}

/** The outcome of `verifySasToken`: which key signed it, or why it is refused. */
export type SasVerification =
  | { valid: true; key: 'primary' | 'secondary'; expiresAt: Date }
  | { valid: false; reason: 'malformed' | 'invalidSignature' | 'expired' | 'lifetimeTooLong' };

/** What a token is checked against; `now` is injected for testable expiry. */
export interface SasVerifyOptions {
  identifier: string;
  primaryKey?: string;
  secondaryKey?: string;
  now: Date;
  /** Longest time from `now` to a token's expiry; a token valid for longer is refused. Default: no limit. */
  maxLifetimeMs?: number;
}

const SIGNATURE_BYTES = 64;
/** The one spelling of 64 bytes in Base64: standard alphabet, 86 characters and `==`. */
const CANONICAL_SIGNATURE = /^[A-Za-z0-9+/]{85}[AQgw]==$/;

/** Base64 HMAC-SHA512 of `identifier\nexpiryText` under `key`. */
export function signSas(key: string, identifier: string, expiryText: string): string {
  return signatureBytes(key, identifier, expiryText).toString('base64');
}

/** A long-form token (without the `SharedAccessSignature ` prefix). */
export function createSasToken({ identifier, key, expiry }: SasTokenInput): string {
  const ex = formatSasExpiry(expiry);
  return `uid=${identifier}&ex=${ex}&sn=${signSas(key, identifier, ex)}`;
}

/** A short-form token, `{identifier}&{yyyyMMddHHmm}&{signature}`; the expiry is cut to the minute. */
export function createShortSasToken({ identifier, key, expiry }: SasTokenInput): string {
  const ex = formatSasExpiry(expiry).replace(/^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}).*$/, '$1$2$3$4$5');
  return `${identifier}&${ex}&${signSas(key, identifier, ex)}`;
}

/** A fresh management key: 64 random bytes, Base64. */
export function generateManagementKey(): string {
  return randomBytes(64).toString('base64');
}

/**
 * Checks a token (either form) against the identifier and both keys. Both keys
 * are always tried and compared in constant time, so timing tells nothing about
 * which key or how much of a signature matched. The expiry is checked after the
 * signature: only the holder of a key learns that a token has expired, or that
 * it is valid for longer than `maxLifetimeMs` (a leaked token must not work forever).
 */
export function verifySasToken(token: string, options: SasVerifyOptions): SasVerification {
  const parsed = parseSasToken(token);
  if (!parsed) return { valid: false, reason: 'malformed' };
  // Node's Base64 decoder forgives other alphabets, missing padding and junk; a signature has one spelling only.
  const presented = CANONICAL_SIGNATURE.test(parsed.signature) ? Buffer.from(parsed.signature, 'base64') : Buffer.alloc(0);
  // Same work whatever the identifier: a wrong one only fails the comparison.
  const identifierMatches = parsed.identifier === options.identifier;
  const primary = matches(options.primaryKey, presented, options.identifier, parsed.expiryText);
  const secondary = matches(options.secondaryKey, presented, options.identifier, parsed.expiryText);
  if (!identifierMatches || (!primary && !secondary)) return { valid: false, reason: 'invalidSignature' };
  if (options.now.getTime() >= parsed.expiresAt.getTime()) return { valid: false, reason: 'expired' };
  if (options.maxLifetimeMs !== undefined && parsed.expiresAt.getTime() - options.now.getTime() > options.maxLifetimeMs) {
    return { valid: false, reason: 'lifetimeTooLong' };
  }
  return { valid: true, key: primary ? 'primary' : 'secondary', expiresAt: parsed.expiresAt };
}

function matches(key: string | undefined, presented: Buffer, identifier: string, expiryText: string): boolean {
  const expected = signatureBytes(key ?? '', identifier, expiryText);
  if (presented.length !== SIGNATURE_BYTES) {
    // timingSafeEqual needs equal lengths; a wrong-length signature still costs one comparison.
    timingSafeEqual(expected, expected);
    return false;
  }
  return timingSafeEqual(presented, expected) && key !== undefined && key !== '';
}

function signatureBytes(key: string, identifier: string, expiryText: string): Buffer {
  return createHmac('sha512', Buffer.from(key, 'utf8')).update(`${identifier}\n${expiryText}`, 'utf8').digest();
}
