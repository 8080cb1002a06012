import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createSasToken,
  createShortSasToken,
  formatSasExpiry,
  generateManagementKey,
  parseSasToken,
  verifySasToken,
} from '../../src/management/sasToken';

const KEY = 'the-primary-key';
const OTHER = 'the-secondary-key';
const expiry = new Date('2030-08-04T22:03:00.000Z');
const before = new Date('2030-08-04T22:02:59.000Z');
const opts = { identifier: 'integration', primaryKey: KEY, secondaryKey: OTHER, now: before };

/** The signature computed independently from the recipe in docs/apim-behaviour.md#sharedaccesssignature-tokens. */
const reference = (key: string, text: string) => createHmac('sha512', key).update(text).digest('base64');

describe('SharedAccessSignature tokens', () => {
  it('creates the long form with a .NET round-trip expiry, signed as documented', () => {
    expect(formatSasExpiry(new Date('2014-08-04T22:03:00Z'))).toBe('2014-08-04T22:03:00.0000000Z');
    expect(formatSasExpiry(new Date('2014-08-04T22:03:00.123Z'))).toBe('2014-08-04T22:03:00.1230000Z');
    const token = createSasToken({ identifier: 'integration', key: KEY, expiry });
    expect(token).toBe(`uid=integration&ex=2030-08-04T22:03:00.0000000Z&sn=${reference(KEY, 'integration\n2030-08-04T22:03:00.0000000Z')}`);
    expect(verifySasToken(token, opts)).toEqual({ valid: true, key: 'primary', expiresAt: expiry });
  });

  it('accepts the short form identifier&yyyyMMddHHmm&signature', () => {
    const token = createShortSasToken({ identifier: 'integration', key: KEY, expiry });
    expect(token).toBe(`integration&203008042203&${reference(KEY, 'integration\n203008042203')}`);
    expect(parseSasToken(token)).toMatchObject({ form: 'short', expiresAt: expiry });
    expect(verifySasToken(token, opts)).toMatchObject({ valid: true, key: 'primary' });
  });

  it('accepts a token signed with the secondary key', () => {
    const token = createSasToken({ identifier: 'integration', key: OTHER, expiry });
    expect(verifySasToken(token, opts)).toMatchObject({ valid: true, key: 'secondary' });
    expect(verifySasToken(token, { ...opts, secondaryKey: undefined })).toEqual({ valid: false, reason: 'invalidSignature' });
  });

  it('refuses an expired token, at the exact instant of expiry', () => {
    const token = createSasToken({ identifier: 'integration', key: KEY, expiry });
    expect(verifySasToken(token, { ...opts, now: expiry })).toEqual({ valid: false, reason: 'expired' });
  });

  it('reports a bad signature before expiry, so only key holders learn a token expired', () => {
    const forged = createSasToken({ identifier: 'integration', key: 'guess', expiry: new Date('2000-01-01T00:00:00Z') });
    expect(verifySasToken(forged, opts)).toEqual({ valid: false, reason: 'invalidSignature' });
  });

  it('refuses a changed expiry, identifier or signature', () => {
    const token = createSasToken({ identifier: 'integration', key: KEY, expiry });
    expect(verifySasToken(token.replace('2030-08-04', '2031-08-04'), opts).valid).toBe(false);
    expect(verifySasToken(token, { ...opts, identifier: 'other' })).toEqual({ valid: false, reason: 'invalidSignature' });
    const sn = token.slice(token.indexOf('sn=') + 3);
    const flipped = (sn[0] === 'A' ? 'B' : 'A') + sn.slice(1);
    expect(verifySasToken(token.replace(sn, flipped), opts).valid).toBe(false);
    expect(verifySasToken(token.replace(sn, sn.slice(0, 20)), opts).valid).toBe(false);
  });

  it('never accepts anything when no key is configured, not even a signature made with the empty key', () => {
    const token = createSasToken({ identifier: 'integration', key: '', expiry });
    expect(verifySasToken(token, { identifier: 'integration', now: before })).toEqual({ valid: false, reason: 'invalidSignature' });
    expect(verifySasToken(token, { identifier: 'integration', primaryKey: '', now: before }).valid).toBe(false);
  });

  it.each([
    '',
    'uid=integration&ex=2030-08-04T22:03:00.0000000Z',
    'uid=integration&ex=2030-13-04T22:03:00.0000000Z&sn=abc',
    'uid=integration&ex=2030-02-30T22:03:00Z&sn=abc',
    'uid=integration&ex=tomorrow&sn=abc',
    'integration&2030080422&abc',
    'integration&203008042203',
    'a&b&c&d',
    'x'.repeat(5000),
  ])('treats %j as malformed', (token) => {
    expect(verifySasToken(token, opts)).toEqual({ valid: false, reason: 'malformed' });
  });

  it('generates 64-byte Base64 management keys, different every time', () => {
    const a = generateManagementKey();
    expect(Buffer.from(a, 'base64')).toHaveLength(64);
    expect(a).not.toBe(generateManagementKey());
  });
});
