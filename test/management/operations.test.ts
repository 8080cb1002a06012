import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_ID, armError, harness, targets, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await harness();
  await h.call('PUT', '/apis/shop', { body: { properties: { displayName: 'Shop', path: 'shop' } } });
});
afterAll(() => h?.close());

const put = (id: string, properties: Record<string, unknown>, api = 'shop') => h.call('PUT', `/apis/${api}/operations/${id}`, { body: { properties } });
const star = { 'If-Match': '*' };

const keyHeader = { name: 'Ocp-Apim-Subscription-Key', type: 'string', defaultValue: 'abc', required: false, values: ['abc'] };

describe('operations', () => {
  it('PUT creates with 201 and returns templateParameters and request headers/queryParameters as sent', async () => {
    const created = await put('get-item', {
      displayName: 'Get item',
      method: 'get',
      urlTemplate: '/items/{itemId}',
      templateParameters: [{ name: 'itemId', type: 'string', required: true }],
      request: { queryParameters: [{ name: 'expand', type: 'boolean', required: false }], headers: [keyHeader] },
    });
    expect(created.status).toBe(201);
    expect(created.headers.ETag).toMatch(/^"\d+"$/);
    expect(created.json).toMatchObject({
      id: `${SERVICE_ID}/apis/shop/operations/get-item`,
      type: 'Microsoft.ApiManagement/service/apis/operations',
      name: 'get-item',
      properties: {
        displayName: 'Get item',
        method: 'GET',
        urlTemplate: '/items/{itemId}',
        templateParameters: [{ name: 'itemId', type: 'string', required: true }],
        request: { queryParameters: [{ name: 'expand' }], headers: [keyHeader], representations: [] },
        responses: [],
      },
    });
    expect(h.store.view.operationsOf('shop').map((o) => o.id)).toContain('get-item');
  });

  it('PUT again replaces with 200', async () => {
    await put('replace-me', { displayName: 'A', method: 'POST', urlTemplate: '/a' });
    const replaced = await put('replace-me', { displayName: 'B', method: 'POST', urlTemplate: '/b' });
    expect(replaced.status).toBe(200);
    expect(h.store.index.getOperation('shop', 'replace-me')?.urlTemplate).toBe('/b');
  });

  it('PUT under a missing API is 404 "Api not found.", nothing written', async () => {
    const before = h.snapshot();
    const result = await put('x', { displayName: 'X', method: 'GET', urlTemplate: '/x' }, 'no-such-api');
    expect(result.status).toBe(404);
    expect(armError(result).message).toBe('Api not found.');
    expect(h.snapshot()).toBe(before);
  });

  it('GET of a missing operation, or of one under a missing API, is 404', async () => {
    expect(armError(await h.call('GET', '/apis/shop/operations/none')).message).toBe('Operation not found.');
    expect(armError(await h.call('GET', '/apis/none/operations/get-item')).message).toBe('Api not found.');
    expect((await h.call('GET', '/apis/none/operations')).status).toBe(404);
  });

  it('PATCH of request.headers keeps the query parameters and everything else', async () => {
    await put('patch-me', {
      displayName: 'Patch me',
      method: 'GET',
      urlTemplate: '/patch',
      request: { queryParameters: [{ name: 'q', type: 'string' }], headers: [keyHeader] },
    });
    const patched = await h.call('PATCH', '/apis/shop/operations/patch-me', { body: { properties: { request: { headers: [] } } }, headers: star });
    expect(patched.status).toBe(200);
    expect(patched.json.properties.request.headers).toEqual([]);
    expect(patched.json.properties.request.queryParameters).toEqual([{ name: 'q', type: 'string' }]);
    expect(patched.json.properties.displayName).toBe('Patch me');
    // The gateway's view follows at once: the hard-coded header definition is gone.
    expect(h.store.view.operationsOf('shop').find((o) => o.id === 'patch-me')?.request.headers).toEqual([]);
  });

  it.each([
    ['no method', { displayName: 'x', urlTemplate: '/x' }, ['properties.method']],
    ['a method with a space', { displayName: 'x', method: 'GE T', urlTemplate: '/x' }, ['properties.method']],
    ['a urlTemplate without a leading slash', { displayName: 'x', method: 'GET', urlTemplate: 'x' }, ['properties.urlTemplate']],
    ['an undefined template parameter', { displayName: 'x', method: 'GET', urlTemplate: '/x/{id}' }, ['properties.templateParameters']],
    ['an unused template parameter', { displayName: 'x', method: 'GET', urlTemplate: '/x', templateParameters: [{ name: 'id' }] }, ['properties.templateParameters']],
    ['a header without a name', { displayName: 'x', method: 'GET', urlTemplate: '/x', request: { headers: [{ type: 'string' }] } }, ['properties.request.headers[0].name']],
    ['headers that are not a list', { displayName: 'x', method: 'GET', urlTemplate: '/x', request: { headers: 'X-Key' } }, ['properties.request.headers']],
  ])('PUT with %s is 400 naming the field, writing nothing', async (_, properties, expected) => {
    const before = h.snapshot();
    const result = await put('invalid', properties);
    expect(result.status).toBe(400);
    expect(targets(result)).toEqual(expected);
    expect(h.snapshot()).toBe(before);
  });

  it('a second operation with the same method and URL template is 409 Conflict', async () => {
    await put('list-items', { displayName: 'List', method: 'GET', urlTemplate: '/items' });
    const before = h.snapshot();
    const twin = await put('list-items-2', { displayName: 'List again', method: 'get', urlTemplate: '/Items' });
    expect(twin.status).toBe(409);
    expect(h.snapshot()).toBe(before);
    expect((await put('post-items', { displayName: 'Post', method: 'POST', urlTemplate: '/items' })).status).toBe(201);
  });

  it('lists the operations of an API, and DELETE removes one', async () => {
    const list = await h.call('GET', '/apis/shop/operations');
    expect(list.status).toBe(200);
    expect(list.json.value.map((o: { name: string }) => o.name)).toEqual(expect.arrayContaining(['get-item', 'list-items']));
    expect((await h.call('DELETE', '/apis/shop/operations/list-items', { headers: star })).status).toBe(200);
    expect(h.store.index.getOperation('shop', 'list-items')).toBeUndefined();
    expect((await h.call('DELETE', '/apis/shop/operations/list-items', { headers: star })).status).toBe(204);
  });
});
