import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLabConsole } from '../../src/lab/console';
import { AuthThrottle } from '../../src/management';
import { checkAuthorization, LIFETIME_TOO_LONG_MESSAGE } from '../../src/management/auth';
import { createSasToken, formatSasExpiry, verifySasToken } from '../../src/management/sasToken';
import { managementSettingsFromEnv, publicOriginFromEnv } from '../../src/management/settings';
import { API_VERSION } from '../helpers/management';
import { PRIMARY, SERVICE_ID, armError, hostMode, memoryHarness, settings, token, type Harness } from './harness';

/**
 * Attacks on the management API's authentication and links: non-canonical
 * signatures, tokens valid for ever, bodies sent by callers without a token,
 * a caller-chosen Host in `nextLink`, and the lab state as a way around the throttle.
 */

const now = new Date('2030-01-01T00:00:00Z');
const sign = (key: string, ex: string) => createHmac('sha512', key).update(`integration\n${ex}`).digest('base64');
const auth = (value: string) => checkAuthorization(`SharedAccessSignature ${value}`, settings, now);

describe('signature spelling', () => {
  const ex = formatSasExpiry(new Date(now.getTime() + 3_600_000));
  const sn = sign(PRIMARY, ex);
  const opts = { identifier: 'integration', primaryKey: PRIMARY, now };

  it('accepts the canonical Base64 of the 64-byte HMAC', () => {
    expect(sn).toMatch(/^[A-Za-z0-9+/]{86}==$/);
    expect(verifySasToken(`uid=integration&ex=${ex}&sn=${sn}`, opts).valid).toBe(true);
  });

  // A signature whose Base64 contains both '+' or '/' exercises the other alphabet.
  const withSymbols = (() => {
    for (let hour = 1; hour < 500; hour++) {
      const e = formatSasExpiry(new Date(now.getTime() + hour * 60_000));
      const s = sign(PRIMARY, e);
      if (/[+/]/.test(s)) return { e, s };
    }
    throw new Error('no signature with + or /');
  })();

  it.each([
    ['the base64url alphabet', (s: string) => s.replace(/\+/g, '-').replace(/\//g, '_')],
    ['no padding', (s: string) => s.replace(/=+$/, '')],
    ['junk after the padding', (s: string) => `${s}AAAA`],
    ['a character inserted', (s: string) => `${s.slice(0, 10)}.${s.slice(10)}`],
    ['spaces inside', (s: string) => `${s.slice(0, 10)} ${s.slice(10)}`],
    ['one padding character', (s: string) => s.slice(0, -1)],
  ])('refuses %s, which decodes to the same bytes', (_, respell) => {
    const { e, s } = withSymbols;
    const other = respell(s);
    expect(other).not.toBe(s);
    expect(verifySasToken(`uid=integration&ex=${e}&sn=${other}`, opts)).toEqual({ valid: false, reason: 'invalidSignature' });
  });

  it('refuses non-zero bits in the last character (another spelling of the same bytes)', () => {
    const last = sn[85]!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const bumped = alphabet[alphabet.indexOf(last) + 1]!;
    const other = `${sn.slice(0, 85)}${bumped}==`;
    expect(Buffer.from(other, 'base64').equals(Buffer.from(sn, 'base64'))).toBe(true);
    expect(verifySasToken(`uid=integration&ex=${ex}&sn=${other}`, opts)).toEqual({ valid: false, reason: 'invalidSignature' });
  });
});

describe('token lifetime', () => {
  it('refuses a correctly signed token that expires in the year 9999', () => {
    const ex = '9999-12-31T23:59:59.0000000Z';
    const outcome = auth(`uid=integration&ex=${ex}&sn=${sign(PRIMARY, ex)}`);
    expect(outcome).toMatchObject({ ok: false, reason: 'lifetimeTooLong' });
    if (!outcome.ok) {
      expect(outcome.error.status).toBe(401);
      expect(outcome.error.message).toBe(LIFETIME_TOO_LONG_MESSAGE(30));
    }
  });

  it('accepts up to 30 days by default, and what MANAGEMENT_TOKEN_MAX_LIFETIME_DAYS allows', () => {
    const in30 = createSasToken({ identifier: 'integration', key: PRIMARY, expiry: new Date(now.getTime() + 30 * 86_400_000) });
    const in31 = createSasToken({ identifier: 'integration', key: PRIMARY, expiry: new Date(now.getTime() + 31 * 86_400_000) });
    expect(auth(in30).ok).toBe(true);
    expect(auth(in31)).toMatchObject({ ok: false, reason: 'lifetimeTooLong' });
    const longer = { ...managementSettingsFromEnv({ MANAGEMENT_PRIMARY_KEY: PRIMARY, MANAGEMENT_TOKEN_MAX_LIFETIME_DAYS: '90' }) };
    expect(checkAuthorization(`SharedAccessSignature ${in31}`, longer, now).ok).toBe(true);
    const shorter = managementSettingsFromEnv({ MANAGEMENT_PRIMARY_KEY: PRIMARY, MANAGEMENT_TOKEN_MAX_LIFETIME_DAYS: '1' });
    expect(checkAuthorization(`SharedAccessSignature ${in30}`, shorter, now)).toMatchObject({ ok: false, reason: 'lifetimeTooLong' });
  });

  it('tells only a key holder: a wrongly signed far-future token is just invalid', () => {
    const ex = '9999-12-31T23:59:59.0000000Z';
    expect(auth(`uid=integration&ex=${ex}&sn=${sign('not-the-key', ex)}`)).toMatchObject({ ok: false, reason: 'invalidSignature' });
  });

  it.each(['0', '-1', '3651', '30d', '1.5'])('refuses MANAGEMENT_TOKEN_MAX_LIFETIME_DAYS=%j at start, naming the setting', (value) => {
    expect(() => managementSettingsFromEnv({ MANAGEMENT_TOKEN_MAX_LIFETIME_DAYS: value })).toThrow(/MANAGEMENT_TOKEN_MAX_LIFETIME_DAYS must be/);
  });
});

// In memory only: over the host these would repeat themselves (test/e2e/hardening.test.ts covers the host).
describe.skipIf(hostMode)('absolute links come from the configured host name', () => {
  it('builds the origin from WEBSITE_HOSTNAME: https in Azure, http locally', () => {
    expect(publicOriginFromEnv({ WEBSITE_HOSTNAME: 'apim-lab.azurewebsites.net' })).toBe('https://apim-lab.azurewebsites.net');
    expect(publicOriginFromEnv({ WEBSITE_HOSTNAME: 'localhost:7071' })).toBe('http://localhost:7071');
    expect(publicOriginFromEnv({})).toBe('http://localhost:7071');
    expect(() => publicOriginFromEnv({ WEBSITE_HOSTNAME: 'evil.example/x?' })).toThrow(/WEBSITE_HOSTNAME/);
  });

  let h: Harness;
  beforeAll(async () => {
    h = await memoryHarness({ settings: { ...settings, publicOrigin: 'https://apim-lab.azurewebsites.net' } });
  });
  afterAll(() => h?.close());

  it("never puts the request's Host into nextLink", async () => {
    const response = await h.api.handle({
      method: 'GET',
      url: `http://evil.example/management${SERVICE_ID}/products?api-version=${API_VERSION}&$top=1`,
      headers: new Headers({ Authorization: `SharedAccessSignature ${token()}` }),
      body: null,
    });
    expect(response.status).toBe(200);
    const { nextLink } = JSON.parse(response.body!) as { nextLink: string };
    expect(nextLink).toMatch(/^https:\/\/apim-lab\.azurewebsites\.net\/management\//);
    expect(nextLink).not.toContain('evil.example');
  });
});

describe.skipIf(hostMode)('bodies of refused callers are never read', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await memoryHarness();
  });
  afterAll(() => h?.close());

  const put = (authorization: string | null, contentLength: string) => {
    let reads = 0;
    const headers = new Headers({ 'Content-Length': contentLength, 'Content-Type': 'application/json' });
    if (authorization) headers.set('Authorization', authorization);
    const body = new TextEncoder().encode('{"properties":{"displayName":"x"}}');
    const response = h.api.handle({
      method: 'PUT',
      url: `${h.serviceUrl}/products/unread?api-version=${API_VERSION}`,
      headers,
      body: null,
      readBody: async () => {
        reads++;
        return body;
      },
    });
    return response.then((r) => ({ ...r, reads }));
  };

  it('answers a caller without a valid token 401 without reading its body', async () => {
    const none = await put(null, '104857600');
    expect(none.status).toBe(401);
    expect(none.reads).toBe(0);
    const bad = await put(`SharedAccessSignature ${token(randomBytes(64).toString('base64'))}`, '34');
    expect(bad.status).toBe(401);
    expect(bad.reads).toBe(0);
  });

  it("answers an announced body over 1 MiB with ARM's 413 without reading it", async () => {
    const big = await put(`SharedAccessSignature ${token()}`, String(1024 * 1024 + 1));
    expect(big.status).toBe(413);
    expect(armError({ ...big, json: JSON.parse(big.body!) }).code).toBe('RequestEntityTooLarge');
    expect(big.reads).toBe(0);
  });

  it('reads the body of an admitted caller', async () => {
    const ok = await put(`SharedAccessSignature ${token()}`, '34');
    expect(ok.status).toBe(201);
    expect(ok.reads).toBe(1);
  });
});

describe.skipIf(hostMode)('/lab/state shares the management throttle', () => {
  const bad = () => `SharedAccessSignature ${token(randomBytes(64).toString('base64'))}`;
  const from = (authorization: string) => new Headers({ Authorization: authorization, 'X-Forwarded-For': '203.0.113.9:5000' });

  it('a client blocked by the management API is blocked on /lab/state, and the other way round', async () => {
    const throttle = new AuthThrottle({ maxFailures: 3 });
    const h = await memoryHarness({ throttle });
    try {
      const labConsole = createLabConsole({ store: h.store, settings, throttle });
      for (let i = 0; i < 3; i++) {
        const refused = await labConsole.handle({ method: 'GET', path: 'state', headers: from(bad()) });
        expect(refused.status).toBe(401);
      }
      const api = await h.call('GET', '/products', { authorization: bad(), headers: { 'X-Forwarded-For': '203.0.113.9:6000' } });
      expect(api.status).toBe(429);
      const state = await labConsole.handle({ method: 'GET', path: 'state', headers: from(bad()) });
      expect(state.status).toBe(429);
      expect(JSON.parse(state.body).error.code).toBe('TooManyRequests');
      expect(state.headers['Retry-After']).toMatch(/^\d+$/);
      // A valid token is never throttled, on either.
      expect((await labConsole.handle({ method: 'GET', path: 'state', headers: from(`SharedAccessSignature ${token()}`) })).status).toBe(200);
    } finally {
      await h.close();
    }
  });
});
