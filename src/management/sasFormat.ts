/**
 * The text of a SharedAccessSignature token: its two forms and their expiry
 * format, without the signing (sasToken.ts). No Node dependency: the test
 * console's browser script reads a pasted token's expiry with it.
 *
 *     long form:  uid={identifier}&ex={expiry}&sn={signature}   expiry 2014-08-04T22:03:00.0000000Z
 *     short form: {identifier}&{yyyyMMddHHmm}&{signature}
 */

/** A token taken apart; `expiryText` is what the signature covers. */
export interface ParsedSasToken {
  form: 'long' | 'short';
  identifier: string;
  expiryText: string;
  expiresAt: Date;
  signature: string;
}

/** Longest token considered: a real one is about 150 characters. */
export const MAX_TOKEN_LENGTH = 2048;

/** `2014-08-04T22:03:00.0000000Z`: .NET's round-trip format, seven fractional digits. */
export function formatSasExpiry(expiry: Date): string {
  if (Number.isNaN(expiry.getTime())) throw new RangeError('expiry is not a valid date');
  return expiry.toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
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

function parseExpiry(pattern: RegExp, text: string): Date | undefined {
  const m = pattern.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second = '0', fraction = ''] = m.slice(1);
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
