import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * APIM's SharedAccessSignature tokens for the direct management API (reference,
 * "Authentication"):
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

/** A token taken apart; `expiryText` is what the signature covers. */
export interface ParsedSasToken {
  form: 'long' | 'short';
  identifier: string;
  expiryText: string;
  expiresAt: Date;
  signature: string;
}

/** The outcome of `verifySasToken`: which key signed it, or why it is refused. */
export type SasVerification =
  | { valid: true; key: 'primary' | 'secondary'; expiresAt: Date }
  | { valid: false; reason: 'malformed' | 'invalidSignature' | 'expired' };

/** What a token is checked against; `now` is injected for testable expiry. */
export interface SasVerifyOptions {
  identifier: string;
  primaryKey?: string;
  secondaryKey?: string;
  now: Date;
}

/** Longest token considered: a real one is about 150 characters. */
export const MAX_TOKEN_LENGTH = 2048;
const SIGNATURE_BYTES = 64;

/** `2014-08-04T22:03:00.0000000Z`: .NET's round-trip format, seven fractional digits. */
export function formatSasExpiry(expiry: Date): string {
  if (Number.isNaN(expiry.getTime())) throw new RangeError('expiry is not a valid date');
  return expiry.toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

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

const LONG_EXPIRY = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?Z$/;
const SHORT_EXPIRY = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})$/;

/** Takes a token apart; undefined when it is neither form or its expiry is no instant. */
export function parseSasToken(token: string): ParsedSasToken | undefined {
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) return undefined;
  const parts = token.split('&');
  if (parts.length !== 3) return undefined;
  if (parts.every((p) => /^(uid|ex|sn)=/.test(p))) {
    const fields = new Map(parts.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)] as const));
    const identifier = fields.get('uid');
    const expiryText = fields.get('ex');
    const signature = fields.get('sn');
    if (fields.size !== 3 || !identifier || !expiryText || !signature) return undefined;
    const expiresAt = parseExpiry(LONG_EXPIRY, expiryText);
    return expiresAt && { form: 'long', identifier, expiryText, expiresAt, signature };
  }
  const [identifier, expiryText, signature] = parts as [string, string, string];
  if (!identifier || !signature) return undefined;
  const expiresAt = parseExpiry(SHORT_EXPIRY, expiryText);
  return expiresAt && { form: 'short', identifier, expiryText, expiresAt, signature };
}

/**
 * Checks a token (either form) against the identifier and both keys. Both keys
 * are always tried and compared in constant time, so timing tells nothing about
 * which key or how much of a signature matched. The expiry is checked after the
 * signature: only the holder of a key learns that a token has expired.
 */
export function verifySasToken(token: string, options: SasVerifyOptions): SasVerification {
  const parsed = parseSasToken(token);
  if (!parsed) return { valid: false, reason: 'malformed' };
  const presented = Buffer.from(parsed.signature, 'base64');
  // Same work whatever the identifier: a wrong one only fails the comparison.
  const identifierMatches = parsed.identifier === options.identifier;
  const primary = matches(options.primaryKey, presented, options.identifier, parsed.expiryText);
  const secondary = matches(options.secondaryKey, presented, options.identifier, parsed.expiryText);
  if (!identifierMatches || (!primary && !secondary)) return { valid: false, reason: 'invalidSignature' };
  if (options.now.getTime() >= parsed.expiresAt.getTime()) return { valid: false, reason: 'expired' };
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

function parseExpiry(pattern: RegExp, text: string): Date | undefined {
  const m = pattern.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second = '0', fraction = ''] = m.slice(1) as string[];
  const ms = Number((fraction + '000').slice(0, 3));
  const date = new Date(Date.UTC(+year!, +month! - 1, +day!, +hour!, +minute!, +second, ms));
  // Reject rollovers such as month 13 or 25:00, which Date.UTC would silently accept.
  const valid =
    date.getUTCFullYear() === +year! &&
    date.getUTCMonth() === +month! - 1 &&
    date.getUTCDate() === +day! &&
    date.getUTCHours() === +hour! &&
    date.getUTCMinutes() === +minute! &&
    date.getUTCSeconds() === +second;
  return valid ? date : undefined;
}
