import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { armError, call, memoryHarness, snapshot, type Harness } from '../management/harness';

/**
 * What the fuzzer found: changes Table Storage cannot hold (a row key over 512
 * characters, an entity over 1 MiB, a structure too deep to serialise) were
 * answered 503 ServiceUnavailable, as if storage were down. They are the client's
 * to fix: 400 or 413, and nothing is written.
 */

let h: Harness;
beforeAll(async () => {
  h = await memoryHarness();
});
afterAll(() => h?.close());

const op = (template: string, extra: string) => `{"properties":{"displayName":"x","method":"GET","urlTemplate":"${template}"${extra}}}`;

describe('changes storage cannot hold', () => {
  it.each([
    ['an id of 256 escaped characters', 'PUT', `/products/${encodeURIComponent('é'.repeat(256))}`, '{"properties":{"displayName":"x"}}', 400, /id is too long/],
    ['an id of 256 "$"', 'PUT', `/products/${encodeURIComponent('$'.repeat(256))}`, '{"properties":{"displayName":"x"}}', 400, /id is too long/],
    ['an operation id too long with its API id', 'PUT', `/apis/echo-api/operations/${encodeURIComponent('😀'.repeat(50))}`, op('/long', ''), 400, /id is too long/],
    ['a record of 1 MB', 'PUT', '/apis/echo-api/operations/big', op('/big', `,"responses":["${'x'.repeat(1_000_000)}"]`), 413, /too large/],
    ['a record of 460,000 two-byte characters', 'PUT', '/apis/echo-api/operations/big2', op('/big2', `,"responses":["${'é'.repeat(460_000)}"]`), 413, /too large/],
    ['a record of 256 members of 3,500 characters', 'PUT', '/apis/echo-api/operations/many', op('/many', `,"responses":[${Array(256).fill(`"${'y'.repeat(3500)}"`).join(',')}]`), 413, /too large/],
    // The body itself, `properties` and `responses` are three levels.
    ['a body nested 65 levels deep', 'PUT', '/apis/echo-api/operations/deep', op('/deep', `,"responses":[${'['.repeat(62)}${']'.repeat(62)}]`), 400, /nested more than 64 levels/],
    ['a body nested 50,000 levels deep', 'PUT', '/apis/echo-api/operations/deeper', op('/deeper', `,"request":{"representations":[${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}]}`), 400, /nested more than 64 levels/],
  ])('%s: refused, nothing written', async (_, method, path, rawBody, status, message) => {
    const before = snapshot(h.store);
    const result = await call(h.api, method, path, { rawBody });
    expect(result.status).toBe(status);
    expect(armError(result).message).toMatch(message);
    await h.store.refresh();
    expect(snapshot(h.store)).toBe(before);
  });

  it('still stores what fits: 64 levels, 400,000 characters, a 256-character ASCII id', async () => {
    expect((await call(h.api, 'PUT', '/apis/echo-api/operations/fits', { rawBody: op('/fits', `,"responses":[${'['.repeat(61)}${']'.repeat(61)}, "${'x'.repeat(400_000)}"]`) })).status).toBe(201);
    expect((await call(h.api, 'PUT', `/products/${'p'.repeat(256)}`, { body: { properties: { displayName: 'long' } } })).status).toBe(201);
    expect((await call(h.api, 'GET', '/apis/echo-api/operations/fits')).status).toBe(200);
  });
});
