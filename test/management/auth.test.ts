import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSasToken, createShortSasToken } from '../../src/management/sasToken';
import { API_VERSION } from '../helpers/management';
import { PRIMARY, SECONDARY, armError, harness, hostMode, memoryHarness, settings, token, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h?.close());

const inAnHour = () => new Date(Date.now() + 3_600_000);

describe('management authentication (SharedAccessSignature)', () => {
  it.each([
    ['long form', () => `SharedAccessSignature ${token()}`],
    ['short form', () => `SharedAccessSignature ${createShortSasToken({ identifier: 'integration', key: PRIMARY, expiry: inAnHour() })}`],
    ['secondary key', () => `SharedAccessSignature ${token(SECONDARY)}`],
    ['Bearer with the token', () => `Bearer ${token()}`],
    ['Bearer with the whole SAS value', () => `Bearer SharedAccessSignature ${token()}`],
    ['scheme in another case', () => `sharedaccesssignature ${token()}`],
  ])('accepts the %s', async (_, authorization) => {
    const result = await h.call('GET', '/products', { authorization: authorization() });
    expect(result.status).toBe(200);
    expect(result.json.value.length).toBeGreaterThan(0);
  });

  it.each([
    ['no Authorization header', null, /Missing credentials/],
    ['another scheme', 'Basic dXNlcjpwYXNz', /does not hold a SharedAccessSignature token/],
    ['a malformed token', 'SharedAccessSignature uid=integration&sn=abc', /does not hold a SharedAccessSignature token/],
    ['a bad signature', `SharedAccessSignature ${createSasToken({ identifier: 'integration', key: 'not-the-key', expiry: inAnHour() })}`, /invalid/],
    ['another identifier', `SharedAccessSignature ${createSasToken({ identifier: 'someone', key: PRIMARY, expiry: inAnHour() })}`, /invalid/],
    ['an expired token', `SharedAccessSignature ${token(PRIMARY, new Date(Date.now() - 1000))}`, /expired/],
  ])('refuses %s with 401 Unauthorized and an ARM error body', async (_, authorization, message) => {
    const before = h.snapshot();
    const result = await h.call('PUT', '/products/should-not-exist', { authorization, body: { properties: { displayName: 'x' } } });
    expect(result.status).toBe(401);
    expect(result.headers['WWW-Authenticate']).toBe('SharedAccessSignature');
    const error = armError(result);
    expect(error.code).toBe('Unauthorized');
    expect(error.message).toMatch(message);
    // Never echoes the token or a key.
    if (authorization) expect(result.body).not.toContain(authorization.split(' ').pop()!.slice(-20));
    expect(result.body).not.toContain(PRIMARY);
    expect(h.snapshot()).toBe(before);
  });

  // In memory only: the host's clock cannot be set.
  it.skipIf(hostMode)('uses the clock it is given for expiry', async () => {
    const expiry = new Date('2030-01-01T00:00:00Z');
    const api = (await memoryHarness({ store: h.store, now: () => new Date('2030-01-01T00:00:01Z') })).api;
    const late = await api.handle({
      method: 'GET',
      url: `http://x/management/subscriptions/${settings.service.subscriptionId}/resourceGroups/${settings.service.resourceGroup}/providers/Microsoft.ApiManagement/service/${settings.service.serviceName}/products?api-version=${API_VERSION}`,
      headers: new Headers({ authorization: `SharedAccessSignature ${token(PRIMARY, expiry)}` }),
      body: null,
    });
    expect(late.status).toBe(401);
    expect(JSON.parse(late.body!).error.message).toMatch(/expired/);
  });

  // In memory only: the core with other settings (over the host it would take a second host without keys).
  it.skipIf(hostMode)('refuses every call, saying why, when no management key is configured', async () => {
    const open = await memoryHarness({ store: h.store, settings: { ...settings, primaryKey: undefined, secondaryKey: undefined } });
    const emptySigned = `SharedAccessSignature ${createSasToken({ identifier: 'integration', key: '', expiry: inAnHour() })}`;
    for (const authorization of [null, `SharedAccessSignature ${token()}`, emptySigned]) {
      const result = await open.call('GET', '/products', { authorization });
      expect(result.status).toBe(401);
      expect(armError(result)).toMatchObject({ code: 'Unauthorized', message: expect.stringMatching(/not configured/) });
    }
  });

  it('authenticates before anything else: an unknown path or a missing api-version is still 401', async () => {
    expect((await h.call('GET', '/nothing-here', { authorization: null })).status).toBe(401);
    expect((await h.call('GET', '/products', { authorization: null, apiVersion: null })).status).toBe(401);
  });
});
