import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB_SUBSCRIPTIONS } from '../../src/lab/seed';
import { SCENARIO3_SUBSCRIPTIONS } from '../helpers/scenario3Catalog';
import { SERVICE_ID, armError, harness, hostMode, memoryHarness, settings, targets, type Harness } from './harness';

let h: Harness;
const NOW = new Date('2025-01-02T03:04:05.000Z');
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
let startedAt = 0;
/**
 * The date a write stamps: the fixed clock in memory; over the host, whose clock
 * cannot be set, an ISO instant taken while this file runs.
 */
const STAMP = hostMode
  ? {
      asymmetricMatch: (value: unknown) =>
        typeof value === 'string' && ISO_INSTANT.test(value) && Date.parse(value) >= startedAt - 1000 && Date.parse(value) <= Date.now() + 1000,
      toString: () => 'an ISO instant of this run',
      toAsymmetricMatcher: () => 'an ISO instant of this run',
    }
  : NOW.toISOString();
beforeAll(async () => {
  startedAt = Date.now();
  // Tokens are signed on the wall clock, far from this fixed one: no lifetime cap between them.
  h = hostMode ? await harness() : await memoryHarness({ now: () => NOW, settings: { ...settings, maxTokenLifetimeMs: Number.MAX_SAFE_INTEGER } });
});
afterAll(() => h?.close());

const GENERATED = /^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$/;
const put = (sid: string, properties: Record<string, unknown>, query?: string) => h.call('PUT', `/subscriptions/${sid}`, { body: { properties }, query });
const patch = (sid: string, properties: Record<string, unknown>) => h.call('PATCH', `/subscriptions/${sid}`, { body: { properties }, headers: { 'If-Match': '*' } });
const secrets = async (sid: string) => (await h.call('POST', `/subscriptions/${sid}/listSecrets`)).json as { primaryKey: string; secondaryKey: string };

describe('subscriptions', () => {
  it('PUT without a state creates a submitted subscription with generated keys; GET never shows keys, listSecrets does', async () => {
    const created = await put('s-new', { scope: '/products/starter', displayName: 'New', ownerId: '/users/1' });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({
      id: `${SERVICE_ID}/subscriptions/s-new`,
      type: 'Microsoft.ApiManagement/service/subscriptions',
      name: 's-new',
      properties: {
        ownerId: `${SERVICE_ID}/users/1`,
        scope: `${SERVICE_ID}/products/starter`,
        displayName: 'New',
        state: 'submitted',
        createdDate: STAMP,
        startDate: null,
        expirationDate: null,
        endDate: null,
        notificationDate: null,
        stateComment: null,
        allowTracing: false,
      },
    });
    const got = await h.call('GET', '/subscriptions/s-new');
    expect(got.body).not.toMatch(/primaryKey|secondaryKey/);
    const keys = await secrets('s-new');
    expect(keys.primaryKey).toMatch(GENERATED);
    expect(keys.secondaryKey).toMatch(GENERATED);
    expect(keys.primaryKey).not.toBe(keys.secondaryKey);
    // Live at the gateway at once (as a submitted subscription, which the gateway refuses).
    expect(h.store.view.subscriptionByKey(keys.secondaryKey)).toMatchObject({ which: 'secondary', subscription: { id: 's-new', state: 'submitted' } });
  });

  it('lists never show keys either', async () => {
    const list = await h.call('GET', '/subscriptions');
    expect(list.status).toBe(200);
    expect(list.body).not.toMatch(/primaryKey|secondaryKey/);
    expect(list.json.value.map((s: { name: string }) => s.name)).toEqual(expect.arrayContaining([...SCENARIO3_SUBSCRIPTIONS]));
  });

  it.each([
    ['a relative product', '/products/unlimited', '/products/unlimited'],
    ['a full product id', `${SERVICE_ID}/products/unlimited`, '/products/unlimited'],
    ['a relative API', '/apis/echo-api', '/apis/echo-api'],
    ['a full API id', `${SERVICE_ID.toUpperCase()}/apis/echo-api`, '/apis/echo-api'],
    ['all APIs', '/apis', '/apis'],
    ['all APIs, full', `${SERVICE_ID}/apis`, '/apis'],
    ['the service with a trailing slash', `${SERVICE_ID}/`, '/'],
    ['the service without one', SERVICE_ID, '/'],
    ['the relative service', '/', '/'],
  ])('accepts the scope as %s', async (_, scope, stored) => {
    const sid = `scope-${stored.replace(/\W/g, '')}-${Math.random().toString(36).slice(2, 8)}`;
    const result = await put(sid, { scope, displayName: 'Scoped', state: 'active' });
    expect(result.status).toBe(201);
    expect(h.store.index.getSubscription(sid)?.scope).toBe(stored);
    expect(result.json.properties.scope).toBe(`${SERVICE_ID}${stored}`);
  });

  it.each([
    ['a missing product', '/products/nope', /Product 'nope' not found/],
    ['a missing API', '/apis/nope', /Api 'nope' not found/],
    ['another service', '/subscriptions/x/resourceGroups/y/providers/Microsoft.ApiManagement/service/z/products/starter', /of this service/],
    ['something else', '/users/1', /of this service/],
  ])('refuses a scope of %s with 400 on properties.scope, writing nothing', async (_, scope, message) => {
    const before = h.snapshot();
    const result = await put('bad-scope', { scope, displayName: 'Bad' });
    expect(result.status).toBe(400);
    expect(armError(result).details).toEqual([{ code: 'ValidationError', target: 'properties.scope', message: expect.stringMatching(message) }]);
    expect(h.snapshot()).toBe(before);
  });

  it('takes keys supplied by an admin (1-256 characters) and makes them live', async () => {
    const primaryKey = 'k'.repeat(256);
    const created = await put('s-admin-keys', { scope: '/apis', displayName: 'Admin keys', state: 'active', primaryKey, secondaryKey: 'x' });
    expect(created.status).toBe(201);
    expect(created.json.properties.startDate).toEqual(STAMP);
    expect(await secrets('s-admin-keys')).toEqual({ primaryKey, secondaryKey: 'x' });
    expect(h.store.view.subscriptionByKey(primaryKey)?.subscription.id).toBe('s-admin-keys');
  });

  it.each([
    ['a 257-character key', { primaryKey: 'k'.repeat(257) }, ['properties.primaryKey']],
    ['an empty key', { secondaryKey: '' }, ['properties.secondaryKey']],
    ['a key with a space', { primaryKey: 'a b' }, ['properties.primaryKey']],
    ['equal keys', { primaryKey: 'same-key', secondaryKey: 'same-key' }, ['properties.secondaryKey']],
    ['an unknown state', { state: 'paused' }, ['properties.state']],
    ['no displayName', { displayName: undefined }, ['properties.displayName']],
    ['a 101-character displayName', { displayName: 'd'.repeat(101) }, ['properties.displayName']],
    ['an owner that is no user', { ownerId: '/groups/admins' }, ['properties.ownerId']],
    ['a string for allowTracing', { allowTracing: 'yes' }, ['properties.allowTracing']],
  ])('PUT with %s is 400 naming the field, writing nothing, never echoing a key', async (_, extra, expected) => {
    const before = h.snapshot();
    const result = await put('bad', { scope: '/apis', displayName: 'Bad', ...extra });
    expect(result.status).toBe(400);
    expect(targets(result)).toEqual(expected);
    expect(result.body).not.toContain('same-key');
    expect(result.body).not.toContain('kkkkkkkk');
    expect(h.snapshot()).toBe(before);
  });

  it('a key of another subscription is 409 Conflict, on PUT and on PATCH', async () => {
    const taken = (await secrets(LAB_SUBSCRIPTIONS.starter)).secondaryKey;
    const before = h.snapshot();
    const result = await put('thief', { scope: '/apis', displayName: 'Thief', primaryKey: taken });
    expect(result.status).toBe(409);
    expect(armError(result).code).toBe('Conflict');
    expect(result.body).not.toContain(taken);
    expect(h.snapshot()).toBe(before);
    await put('honest', { scope: '/apis', displayName: 'Honest' });
    expect((await patch('honest', { secondaryKey: taken })).status).toBe(409);
    expect(h.store.view.subscriptionByKey(taken)?.subscription.id).toBe(LAB_SUBSCRIPTIONS.starter);
  });

  it('PUT over an existing subscription answers 200 and keeps its keys, state and creation date', async () => {
    await put('s-keep', { scope: '/apis', displayName: 'Keep', state: 'active' });
    const keys = await secrets('s-keep');
    const replaced = await put('s-keep', { scope: '/products/starter', displayName: 'Kept' }, 'notify=true&appType=developerPortal');
    expect(replaced.status).toBe(200);
    expect(replaced.json.properties).toMatchObject({ displayName: 'Kept', state: 'active', scope: `${SERVICE_ID}/products/starter` });
    expect(await secrets('s-keep')).toEqual(keys);
  });

  it('checks notify and appType rather than ignoring garbage', async () => {
    expect(targets(await put('q', { scope: '/apis', displayName: 'Q' }, 'appType=mobile'))).toEqual(['appType']);
    expect(targets(await put('q', { scope: '/apis', displayName: 'Q' }, 'notify=perhaps'))).toEqual(['notify']);
  });

  it('PATCH changes state (setting APIM dates), comment, tracing, scope, owner and expiry', async () => {
    await put('s-patch', { scope: '/apis', displayName: 'Patch' });
    const activated = await patch('s-patch', { state: 'active', allowTracing: true, stateComment: 'approved', expirationDate: '2026-01-01T00:00:00+01:00' });
    expect(activated.status).toBe(200);
    expect(activated.json.properties).toMatchObject({
      state: 'active',
      startDate: STAMP,
      allowTracing: true,
      stateComment: 'approved',
      expirationDate: '2025-12-31T23:00:00.000Z',
      displayName: 'Patch',
    });
    const cancelled = await patch('s-patch', { state: 'cancelled', scope: `${SERVICE_ID}/products/unlimited`, ownerId: `${SERVICE_ID}/users/7` });
    expect(cancelled.json.properties).toMatchObject({
      state: 'cancelled',
      endDate: STAMP,
      scope: `${SERVICE_ID}/products/unlimited`,
      ownerId: `${SERVICE_ID}/users/7`,
    });
    expect(h.store.index.getSubscription('s-patch')?.ownerId).toBe('/users/7');
  });

  it('PATCH keys rotate them at the gateway at once', async () => {
    await put('s-rotate', { scope: '/apis', displayName: 'Rotate', state: 'active' });
    const old = await secrets('s-rotate');
    expect((await patch('s-rotate', { primaryKey: 'brand-new-primary' })).status).toBe(200);
    expect(h.store.view.subscriptionByKey(old.primaryKey)).toBeUndefined();
    expect(h.store.view.subscriptionByKey('brand-new-primary')?.subscription.id).toBe('s-rotate');
    expect(h.store.view.subscriptionByKey(old.secondaryKey)?.which).toBe('secondary');
  });

  it('regeneratePrimaryKey / regenerateSecondaryKey answer 204 and replace just that key', async () => {
    await put('s-regen', { scope: '/apis', displayName: 'Regen', state: 'active' });
    const before = await secrets('s-regen');
    const regenerated = await h.call('POST', '/subscriptions/s-regen/regeneratePrimaryKey');
    expect(regenerated.status).toBe(204);
    expect(regenerated.body).toBeNull();
    const middle = await secrets('s-regen');
    expect(middle.primaryKey).toMatch(GENERATED);
    expect(middle.primaryKey).not.toBe(before.primaryKey);
    expect(middle.secondaryKey).toBe(before.secondaryKey);
    expect(h.store.view.subscriptionByKey(before.primaryKey)).toBeUndefined();
    expect(h.store.view.subscriptionByKey(middle.primaryKey)?.subscription.id).toBe('s-regen');

    expect((await h.call('POST', '/subscriptions/s-regen/regenerateSecondaryKey')).status).toBe(204);
    const after = await secrets('s-regen');
    expect(after.primaryKey).toBe(middle.primaryKey);
    expect(after.secondaryKey).not.toBe(middle.secondaryKey);
    expect((await h.call('POST', '/subscriptions/nope/regeneratePrimaryKey')).status).toBe(404);
    expect((await h.call('POST', '/subscriptions/nope/listSecrets')).status).toBe(404);
  });

  it('listSecrets answers with the ETag', async () => {
    const got = await h.call('GET', `/subscriptions/${LAB_SUBSCRIPTIONS.master}`);
    const listed = await h.call('POST', `/subscriptions/${LAB_SUBSCRIPTIONS.master}/listSecrets`);
    expect(listed.headers.ETag).toBe(got.headers.ETag);
  });

  it('GET /products/{productId}/subscriptions lists the subscriptions of that product; a missing product is 404', async () => {
    await put('unl-1', { scope: '/products/unlimited', displayName: 'U1' });
    const list = await h.call('GET', '/products/unlimited/subscriptions');
    expect(list.status).toBe(200);
    const scopes = new Set(list.json.value.map((s: { properties: { scope: string } }) => s.properties.scope));
    expect([...scopes]).toEqual([`${SERVICE_ID}/products/unlimited`]);
    expect(list.json.value.map((s: { name: string }) => s.name)).toEqual(expect.arrayContaining([LAB_SUBSCRIPTIONS.unlimited, 'unl-1']));
    expect((await h.call('GET', '/products/nope/subscriptions')).status).toBe(404);
  });

  it('GET /products/{productId}/subscriptions answers each under the product: nested id and type .../products/subscriptions', async () => {
    await put('unl-nested', { scope: '/products/unlimited', displayName: 'Nested' });
    const item = (await h.call('GET', '/products/unlimited/subscriptions')).json.value.find((s: { name: string }) => s.name === 'unl-nested');
    expect(item).toMatchObject({
      id: `${SERVICE_ID}/products/unlimited/subscriptions/unl-nested`,
      type: 'Microsoft.ApiManagement/service/products/subscriptions',
      name: 'unl-nested',
      properties: { scope: `${SERVICE_ID}/products/unlimited`, displayName: 'Nested' },
    });
    // The service-level list and GET keep the subscription's own id and type.
    const own = { id: `${SERVICE_ID}/subscriptions/unl-nested`, type: 'Microsoft.ApiManagement/service/subscriptions' };
    expect((await h.call('GET', '/subscriptions/unl-nested')).json).toMatchObject(own);
    expect((await h.call('GET', '/subscriptions')).json.value.find((s: { name: string }) => s.name === 'unl-nested')).toMatchObject(own);
  });

  it('DELETE needs If-Match and removes the keys from the gateway', async () => {
    await put('s-del', { scope: '/apis', displayName: 'Del', state: 'active' });
    const { primaryKey } = await secrets('s-del');
    const missing = await h.call('DELETE', '/subscriptions/s-del');
    expect(missing.status).toBe(400);
    expect(targets(missing)).toEqual(['If-Match']);
    expect((await h.call('DELETE', '/subscriptions/s-del', { headers: { 'If-Match': '*' } })).status).toBe(200);
    expect(h.store.view.subscriptionByKey(primaryKey)).toBeUndefined();
  });
});
