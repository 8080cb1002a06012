import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManagementApi, type ManagementApi } from '../../src/management/managementApi';
import { createSasToken } from '../../src/management/sasToken';
import { AuthThrottle, clientOf } from '../../src/management/throttle';
import { API_VERSION } from '../helpers/management';
import { PRIMARY, SERVICE_URL, memoryHarness, settings, token, type Harness } from '../management/harness';

/**
 * Bad management signatures are throttled per client (the last X-Forwarded-For
 * entry, as Azure's front end and the local host append it), with an exponential,
 * capped Retry-After; valid tokens are never throttled; memory is bounded.
 */

let h: Harness;
beforeAll(async () => {
  h = await memoryHarness();
});
afterAll(() => h?.close());

const forged = () =>
  `SharedAccessSignature ${createSasToken({ identifier: 'integration', key: randomBytes(64).toString('base64'), expiry: new Date(Date.now() + 60_000) })}`;

function apiWith(throttle: AuthThrottle): ManagementApi {
  return createManagementApi({ store: h.store, settings, log: () => {}, throttle });
}

async function get(api: ManagementApi, authorization: string | null, client?: string) {
  const headers = new Headers();
  if (authorization !== null) headers.set('authorization', authorization);
  if (client) headers.set('x-forwarded-for', client);
  const response = await api.handle({ method: 'GET', url: `${SERVICE_URL}/products?api-version=${API_VERSION}`, headers, body: null });
  return { status: response.status, headers: response.headers, json: response.body === null ? null : JSON.parse(response.body) };
}

describe('clientOf', () => {
  it.each([
    ['1.2.3.4:5678', '1.2.3.4'],
    ['spoofed, 10.0.0.1:443', '10.0.0.1'],
    ['[::1]:80', '::1'],
    ['2001:db8::1', '2001:db8::1'],
    ['::ffff:192.168.1.1', '192.168.1.1'],
    [' a , b ,, ', 'b'],
    [`${'x'.repeat(5000)}`, 'x'.repeat(64)],
  ])('%s -> %s', (forwarded, client) => {
    expect(clientOf(new Headers({ 'x-forwarded-for': forwarded }))).toBe(client);
  });

  it('is one shared bucket without the header', () => {
    expect(clientOf(new Headers())).toBe('unknown');
    expect(clientOf(new Headers({ 'x-forwarded-for': ' , ' }))).toBe('unknown');
  });
});

describe('AuthThrottle', () => {
  it('blocks after maxFailures in the window, doubling each block up to the cap, and forgets a quiet client', () => {
    let now = 0;
    const throttle = new AuthThrottle({ maxFailures: 3, windowMs: 1000, baseBlockMs: 100, maxBlockMs: 350, forgetAfterMs: 10_000, now: () => now });
    const blocks: number[] = [];
    for (let round = 0; round < 4; round++) {
      expect(throttle.recordFailure('a')).toBe(0);
      expect(throttle.recordFailure('a')).toBe(0);
      const block = throttle.recordFailure('a');
      blocks.push(block);
      expect(throttle.blockedFor('a')).toBe(block);
      now += block;
      expect(throttle.blockedFor('a')).toBe(0);
    }
    expect(blocks).toEqual([100, 200, 350, 350]);
    // Failures spread wider than the window never add up to a block.
    for (let i = 0; i < 10; i++) {
      now += 1001;
      expect(throttle.recordFailure('b')).toBe(0);
    }
    // Quiet for longer than forgetAfterMs: back to the first block.
    now += 20_000;
    throttle.recordFailure('a');
    throttle.recordFailure('a');
    expect(throttle.recordFailure('a')).toBe(100);
  });

  it('tracks at most maxClients, dropping the least recently seen', () => {
    const throttle = new AuthThrottle({ maxFailures: 2, maxClients: 100 });
    throttle.recordFailure('first');
    throttle.recordFailure('first');
    expect(throttle.blockedFor('first')).toBeGreaterThan(0);
    for (let i = 0; i < 10_000; i++) throttle.recordFailure(`client-${i}`);
    expect(throttle.size).toBe(100);
    expect(throttle.blockedFor('first')).toBe(0);
  });
});

describe('the management API with the throttle', () => {
  it('answers 429 TooManyRequests with Retry-After to a client past 10 bad signatures; valid tokens and other clients pass', async () => {
    let now = 1_000_000;
    const api = apiWith(new AuthThrottle({ now: () => now }));
    const attacker = 'spoofed-by-client, 203.0.113.7:50000';
    for (let i = 0; i < 10; i++) expect((await get(api, forged(), attacker)).status).toBe(401);
    const blocked = await get(api, forged(), '203.0.113.7:50001');
    expect(blocked.status).toBe(429);
    expect(blocked.json.error.code).toBe('TooManyRequests');
    expect(blocked.json.error.details).toBeNull();
    expect(blocked.headers['Retry-After']).toBe('5');
    // Missing or malformed credentials from a blocked client: 429 too (they never count, though).
    expect((await get(api, null, attacker)).status).toBe(429);
    expect((await get(api, 'SharedAccessSignature junk', attacker)).status).toBe(429);
    // An expired token is a key holder's: it keeps its 401 "expired".
    const expired = await get(api, `SharedAccessSignature ${token(PRIMARY, new Date(Date.now() - 1000))}`, attacker);
    expect(expired.status).toBe(401);
    expect(expired.json.error.message).toMatch(/expired/);
    // Valid tokens are never throttled, from the same client either.
    expect((await get(api, `SharedAccessSignature ${token()}`, attacker)).status).toBe(200);
    // Another client is not affected.
    expect((await get(api, forged(), '198.51.100.1')).status).toBe(401);
    // After Retry-After, heard again; the next block lasts twice as long.
    now += 5000;
    for (let i = 0; i < 10; i++) expect((await get(api, forged(), attacker)).status).toBe(401);
    const again = await get(api, forged(), attacker);
    expect(again.status).toBe(429);
    expect(again.headers['Retry-After']).toBe('10');
  });

  it('counts only bad signatures: missing and malformed credentials never start a block', async () => {
    const api = apiWith(new AuthThrottle());
    for (let i = 0; i < 30; i++) {
      expect((await get(api, null, '192.0.2.1')).status).toBe(401);
      expect((await get(api, 'Basic abc', '192.0.2.1')).status).toBe(401);
    }
  });

  it('a flood of bad signatures from many clients does not lock out the key holder, whoever the key holder shares a bucket with', async () => {
    const api = apiWith(new AuthThrottle({ maxClients: 50 }));
    const floods = Array.from({ length: 2000 }, (_, i) => get(api, forged(), i % 2 === 0 ? undefined : `10.0.${(i >> 8) & 255}.${i & 255}`));
    const statuses = (await Promise.all(floods)).map((r) => r.status);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    for (const client of [undefined, '10.0.0.1', '10.0.7.9']) expect((await get(api, `SharedAccessSignature ${token()}`, client)).status).toBe(200);
  });

  it('can be turned off', async () => {
    const api = createManagementApi({ store: h.store, settings, log: () => {}, throttle: false });
    for (let i = 0; i < 20; i++) expect((await get(api, forged())).status).toBe(401);
  });
});
