import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testStore } from '../helpers/catalog';
import { SERVICE_ID, armError, harness, targets, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h?.close());

const put = (id: string, properties: Record<string, unknown>, headers?: Record<string, string>) =>
  h.call('PUT', `/products/${id}`, { body: { properties }, headers });

describe('products', () => {
  it('PUT creates with 201, APIM defaults and an ARM envelope; the same PUT again replaces with 200', async () => {
    const created = await put('gold', { displayName: 'Gold' });
    expect(created.status).toBe(201);
    expect(created.headers.ETag).toMatch(/^"\d+"$/);
    expect(created.json).toEqual({
      id: `${SERVICE_ID}/products/gold`,
      type: 'Microsoft.ApiManagement/service/products',
      name: 'gold',
      properties: {
        displayName: 'Gold',
        description: null,
        terms: null,
        subscriptionRequired: true,
        approvalRequired: false,
        subscriptionsLimit: null,
        state: 'notPublished',
      },
    });
    const replaced = await put('gold', { displayName: 'Gold 2', state: 'published', subscriptionsLimit: 3, description: 'd' });
    expect(replaced.status).toBe(200);
    expect(replaced.headers.ETag).not.toBe(created.headers.ETag);
    expect(replaced.json.properties).toMatchObject({ displayName: 'Gold 2', state: 'published', subscriptionsLimit: 3, description: 'd' });
    expect(h.store.index.getProduct('gold')?.state).toBe('published');
  });

  it('GET answers the product with its ETag; a missing one is 404 "Product not found."', async () => {
    await put('silver', { displayName: 'Silver' });
    const got = await h.call('GET', '/products/silver');
    expect(got.status).toBe(200);
    expect(got.json.properties.displayName).toBe('Silver');
    expect(got.headers.ETag).toMatch(/^"\d+"$/);
    const missing = await h.call('GET', '/products/nope');
    expect(missing.status).toBe(404);
    expect(armError(missing)).toEqual({ code: 'ResourceNotFound', message: 'Product not found.', details: null });
  });

  it('lists products in a stable order with count and nextLink', async () => {
    const list = await h.call('GET', '/products');
    expect(list.status).toBe(200);
    const names = list.json.value.map((p: { name: string }) => p.name);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(['starter', 'unlimited']));
    expect(list.json.count).toBe(names.length);
    expect(list.json.nextLink).toBeNull();
  });

  it('PATCH changes only the given properties', async () => {
    const created = await put('bronze', { displayName: 'Bronze', description: 'keep me', state: 'published' });
    const patched = await h.call('PATCH', '/products/bronze', {
      body: { properties: { displayName: 'Bronze+' } },
      headers: { 'If-Match': created.headers.ETag! },
    });
    expect(patched.status).toBe(200);
    expect(patched.json.properties).toMatchObject({ displayName: 'Bronze+', description: 'keep me', state: 'published' });
    expect(patched.headers.ETag).not.toBe(created.headers.ETag);
  });

  it('PATCH of a missing product is 404', async () => {
    const result = await h.call('PATCH', '/products/ghost', { body: { properties: { displayName: 'x' } }, headers: { 'If-Match': '*' } });
    expect(result.status).toBe(404);
  });

  it.each([
    ['no displayName', {}, ['properties.displayName']],
    ['an unknown state', { displayName: 'x', state: 'retired' }, ['properties.state']],
    ['a 301-character displayName', { displayName: 'x'.repeat(301) }, ['properties.displayName']],
    ['a string for a boolean', { displayName: 'x', approvalRequired: 'no' }, ['properties.approvalRequired']],
    ['a fractional subscriptionsLimit', { displayName: 'x', subscriptionsLimit: 1.5 }, ['properties.subscriptionsLimit']],
    ['approval on an open product', { displayName: 'x', subscriptionRequired: false, approvalRequired: true }, ['properties.approvalRequired']],
  ])('PUT with %s is 400 naming the field, writing nothing', async (_, properties, expected) => {
    const before = h.snapshot();
    const result = await put('invalid', properties);
    expect(result.status).toBe(400);
    expect(targets(result)).toEqual(expected);
    expect(h.snapshot()).toBe(before);
  });

  it('PATCH with a bad value is 400 and leaves the product unchanged', async () => {
    await put('steady', { displayName: 'Steady' });
    const before = h.snapshot();
    const result = await h.call('PATCH', '/products/steady', { body: { properties: { state: 'gone' } }, headers: { 'If-Match': '*' } });
    expect(result.status).toBe(400);
    expect(targets(result)).toEqual(['properties.state']);
    expect(h.snapshot()).toBe(before);
  });

  it('DELETE with subscriptions is 409 Conflict unless deleteSubscriptions=true, which removes product, links and subscriptions at once', async () => {
    await put('doomed', { displayName: 'Doomed', state: 'published' });
    await h.call('PUT', '/products/doomed/apis/echo-api');
    const sub = await h.call('PUT', '/subscriptions/doomed-sub', { body: { properties: { scope: '/products/doomed', displayName: 'D', state: 'active' } } });
    expect(sub.status).toBe(201);
    const { primaryKey } = (await h.call('POST', '/subscriptions/doomed-sub/listSecrets')).json;
    expect(h.store.view.subscriptionByKey(primaryKey)?.subscription.id).toBe('doomed-sub');

    const before = h.snapshot();
    const refused = await h.call('DELETE', '/products/doomed', { headers: { 'If-Match': '*' } });
    expect(refused.status).toBe(409);
    expect(armError(refused).code).toBe('Conflict');
    expect(h.snapshot()).toBe(before);

    const bad = await h.call('DELETE', '/products/doomed', { headers: { 'If-Match': '*' }, query: 'deleteSubscriptions=maybe' });
    expect(bad.status).toBe(400);
    expect(targets(bad)).toEqual(['deleteSubscriptions']);

    const deleted = await h.call('DELETE', '/products/doomed', { headers: { 'If-Match': '*' }, query: 'deleteSubscriptions=true' });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toBeNull();
    expect(h.store.index.getProduct('doomed')).toBeUndefined();
    expect(h.store.index.getSubscription('doomed-sub')).toBeUndefined();
    expect(h.store.index.listLinks().filter((l) => l.productId === 'doomed')).toEqual([]);
    expect(h.store.view.subscriptionByKey(primaryKey)).toBeUndefined();
    // Storage agrees: a fresh instance sees none of it.
    const fresh = testStore({ tableName: h.store.tableName });
    await fresh.ensureStarted();
    expect(fresh.index.hasLink('doomed', 'echo-api')).toBe(false);
    expect(fresh.index.getSubscription('doomed-sub')).toBeUndefined();
    expect(fresh.index.getProduct('doomed')).toBeUndefined();

    const again = await h.call('DELETE', '/products/doomed', { headers: { 'If-Match': '*' } });
    expect(again.status).toBe(204);
  });

  it('DELETE of a product without subscriptions needs no flag', async () => {
    await put('lonely', { displayName: 'Lonely' });
    expect((await h.call('DELETE', '/products/lonely', { headers: { 'If-Match': '*' } })).status).toBe(200);
    expect(h.store.index.getProduct('lonely')).toBeUndefined();
  });
});
