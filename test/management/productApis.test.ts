import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ECHO_API_ID } from '../../src/lab/seed';
import { SERVICE_ID, armError, harness, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h?.close());

describe('product <-> API links', () => {
  it('PUT links with 201 answering the API under the product, then 200; the gateway sees the link at once', async () => {
    expect(h.store.view.productsOfApi(ECHO_API_ID)).toEqual([]);
    const linked = await h.call('PUT', `/products/starter/apis/${ECHO_API_ID}`);
    expect(linked.status).toBe(201);
    expect(linked.json).toMatchObject({
      id: `${SERVICE_ID}/products/starter/apis/${ECHO_API_ID}`,
      type: 'Microsoft.ApiManagement/service/products/apis',
      name: ECHO_API_ID,
      properties: { displayName: 'Echo API', path: 'echo' },
    });
    expect(h.store.view.productsOfApi(ECHO_API_ID).map((p) => p.id)).toEqual(['starter']);
    const version = h.store.index.version;
    const again = await h.call('PUT', `/products/starter/apis/${ECHO_API_ID}`);
    expect(again.status).toBe(200);
    expect(h.store.index.version).toBe(version); // nothing to write
  });

  it('HEAD is 204 when linked, 404 when not', async () => {
    expect((await h.call('HEAD', `/products/starter/apis/${ECHO_API_ID}`)).status).toBe(204);
    const missing = await h.call('HEAD', `/products/unlimited/apis/${ECHO_API_ID}`);
    expect(missing.status).toBe(404);
    expect(missing.body).toBeNull();
  });

  it('needs both the product and the API: 404 naming the missing one, nothing written', async () => {
    const before = h.snapshot();
    expect(armError(await h.call('PUT', `/products/nope/apis/${ECHO_API_ID}`)).message).toBe('Product not found.');
    expect(armError(await h.call('PUT', '/products/starter/apis/nope')).message).toBe('Api not found.');
    expect(h.snapshot()).toBe(before);
  });

  it('lists both ways: the APIs of a product and the products of an API', async () => {
    await h.call('PUT', `/products/unlimited/apis/${ECHO_API_ID}`);
    const apis = await h.call('GET', '/products/starter/apis');
    expect(apis.status).toBe(200);
    expect(apis.json.value.map((a: { id: string }) => a.id)).toEqual([`${SERVICE_ID}/products/starter/apis/${ECHO_API_ID}`]);
    expect(apis.json.count).toBe(1);
    const products = await h.call('GET', `/apis/${ECHO_API_ID}/products`);
    expect(products.json.value.map((p: { id: string; type: string }) => [p.id, p.type])).toEqual([
      [`${SERVICE_ID}/products/starter`, 'Microsoft.ApiManagement/service/apis/products'],
      [`${SERVICE_ID}/products/unlimited`, 'Microsoft.ApiManagement/service/apis/products'],
    ]);
    expect((await h.call('GET', '/products/nope/apis')).status).toBe(404);
    expect((await h.call('GET', '/apis/nope/products')).status).toBe(404);
  });

  it('PUT answers the link with the id and type the list of the product\'s APIs gives it (docs/management.md, the decision)', async () => {
    const linked = await h.call('PUT', `/products/starter/apis/${ECHO_API_ID}`);
    const listed = (await h.call('GET', '/products/starter/apis')).json.value.find((a: { name: string }) => a.name === ECHO_API_ID);
    expect({ id: linked.json.id, type: linked.json.type, name: linked.json.name }).toEqual({ id: listed.id, type: listed.type, name: listed.name });
    expect(listed.type).toBe('Microsoft.ApiManagement/service/products/apis');
    // The API itself keeps its own id and type.
    expect((await h.call('GET', `/apis/${ECHO_API_ID}`)).json).toMatchObject({ id: `${SERVICE_ID}/apis/${ECHO_API_ID}`, type: 'Microsoft.ApiManagement/service/apis' });
  });

  it('DELETE unlinks with 200, then 204; no If-Match needed (links have no ETag in APIM)', async () => {
    const unlinked = await h.call('DELETE', `/products/unlimited/apis/${ECHO_API_ID}`);
    expect(unlinked.status).toBe(200);
    expect(h.store.view.productsOfApi(ECHO_API_ID).map((p) => p.id)).toEqual(['starter']);
    expect((await h.call('DELETE', `/products/unlimited/apis/${ECHO_API_ID}`)).status).toBe(204);
  });
});
