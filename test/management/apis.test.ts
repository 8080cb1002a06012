import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_ID, armError, harness, memoryHarness, targets, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h?.close());

const put = (id: string, properties: Record<string, unknown>) => h.call('PUT', `/apis/${id}`, { body: { properties } });
const star = { 'If-Match': '*' };

describe('APIs', () => {
  it('PUT creates with 201 and APIM defaults, including the read-only revision fields', async () => {
    const created = await put('orders', { displayName: 'Orders', path: '/orders/', serviceUrl: 'https://backend.example/orders' });
    expect(created.status).toBe(201);
    expect(created.headers.ETag).toMatch(/^"\d+"$/);
    expect(created.json).toEqual({
      id: `${SERVICE_ID}/apis/orders`,
      type: 'Microsoft.ApiManagement/service/apis',
      name: 'orders',
      properties: {
        displayName: 'Orders',
        description: null,
        path: 'orders',
        serviceUrl: 'https://backend.example/orders',
        protocols: ['https'],
        subscriptionRequired: true,
        subscriptionKeyParameterNames: { header: 'Ocp-Apim-Subscription-Key', query: 'subscription-key' },
        apiRevision: '1',
        isCurrent: true,
        isOnline: true,
        type: 'http',
      },
    });
    // Effective at the gateway at once.
    expect(h.store.view.apiByPath('ORDERS')?.id).toBe('orders');
  });

  it('PUT again replaces with 200; custom key parameter names, protocols and open access are kept', async () => {
    await put('billing', { displayName: 'Billing', path: 'billing' });
    const replaced = await put('billing', {
      displayName: 'Billing v2',
      path: 'billing',
      protocols: ['http', 'https'],
      subscriptionRequired: false,
      subscriptionKeyParameterNames: { header: 'X-Key', query: 'key' },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.json.properties).toMatchObject({
      displayName: 'Billing v2',
      protocols: ['http', 'https'],
      subscriptionRequired: false,
      subscriptionKeyParameterNames: { header: 'X-Key', query: 'key' },
    });
    expect(h.store.index.getApi('billing')?.subscriptionKeyParameterNames.header).toBe('X-Key');
  });

  it('a path already used by another API (compared case-insensitively) is 409 Conflict, nothing written', async () => {
    await put('first', { displayName: 'First', path: 'shared/path' });
    const before = h.snapshot();
    const clash = await put('second', { displayName: 'Second', path: '/Shared/Path' });
    expect(clash.status).toBe(409);
    expect(armError(clash).code).toBe('Conflict');
    expect(h.snapshot()).toBe(before);
    // PATCHing another API onto the path is refused too; keeping its own path is fine.
    await put('third', { displayName: 'Third', path: 'third' });
    expect((await h.call('PATCH', '/apis/third', { body: { properties: { path: 'shared/path' } }, headers: star })).status).toBe(409);
    expect((await h.call('PATCH', '/apis/first', { body: { properties: { path: 'shared/path', displayName: 'First!' } }, headers: star })).status).toBe(200);
  });

  it('PATCH merges: one key parameter name can change alone', async () => {
    await put('keys', { displayName: 'Keys', path: 'keys', subscriptionKeyParameterNames: { header: 'X-A', query: 'a' } });
    const patched = await h.call('PATCH', '/apis/keys', { body: { properties: { subscriptionKeyParameterNames: { query: 'b' }, type: 'http' } }, headers: star });
    expect(patched.status).toBe(200);
    expect(patched.json.properties.subscriptionKeyParameterNames).toEqual({ header: 'X-A', query: 'b' });
    expect(patched.json.properties.displayName).toBe('Keys');
    // Input-only fields (`apiType`, `format`) never reach the stored record; `type` is the record's.
    expect(Object.keys(h.store.index.getApi('keys')!).sort()).toEqual(
      ['description', 'displayName', 'id', 'path', 'protocols', 'serviceUrl', 'subscriptionKeyParameterNames', 'subscriptionRequired', 'type'],
    );
  });

  it.each([
    ['no path', { displayName: 'x' }, ['properties.path']],
    ['no displayName', { path: 'x' }, ['properties.displayName']],
    ['a 401-character path', { displayName: 'x', path: 'p'.repeat(401) }, ['properties.path']],
    ['a path with a query', { displayName: 'x', path: 'a?b' }, ['properties.path']],
    ['an unknown protocol', { displayName: 'x', path: 'x', protocols: ['ws'] }, ['properties.protocols[0]']],
    ['a serviceUrl that is no http URL', { displayName: 'x', path: 'x', serviceUrl: 'ftp://files' }, ['properties.serviceUrl']],
    ['a header name with a space', { displayName: 'x', path: 'x', subscriptionKeyParameterNames: { header: 'My Key' } }, ['properties.subscriptionKeyParameterNames.header']],
    ['a GraphQL API', { displayName: 'x', path: 'x', type: 'graphql' }, ['properties.type']],
    ['a WebSocket apiType', { displayName: 'x', path: 'x', apiType: 'websocket' }, ['properties.apiType']],
    ['type and apiType that disagree', { displayName: 'x', path: 'x', type: 'http', apiType: 'soap' }, ['properties.apiType']],
    ['an import', { displayName: 'x', path: 'x', format: 'openapi+json', value: '{}' }, ['properties.format']],
  ])('PUT with %s is 400 naming the field, writing nothing', async (_, properties, expected) => {
    const before = h.snapshot();
    const result = await put('invalid', properties);
    expect(result.status).toBe(400);
    expect(targets(result)).toEqual(expected);
    expect(h.snapshot()).toBe(before);
  });

  it('type: apiType soap creates a SOAP pass-through API, returned as type soap by PUT, GET and the list', async () => {
    const created = await put('calculator', { displayName: 'Calculator', path: 'calc', apiType: 'soap' });
    expect(created.status).toBe(201);
    expect(created.json.properties.type).toBe('soap');
    expect(created.json.properties).not.toHaveProperty('apiType');
    await h.sync();
    expect(h.store.index.getApi('calculator')?.type).toBe('soap');
    expect((await h.call('GET', '/apis/calculator')).json.properties.type).toBe('soap');
    const listed = (await h.call('GET', '/apis')).json.value.find((a: { name: string }) => a.name === 'calculator');
    expect(listed.properties.type).toBe('soap');
    // `type` is accepted on create as well, and both may be given when they agree.
    expect((await put('soap-by-type', { displayName: 'S', path: 'soap-by-type', type: 'soap' })).json.properties.type).toBe('soap');
    expect((await put('soap-by-both', { displayName: 'S', path: 'soap-by-both', type: 'soap', apiType: 'soap' })).json.properties.type).toBe('soap');
  });

  it('type: PATCH keeps it unless asked, changes it with type or apiType; a PUT without one makes the API http', async () => {
    await put('switch', { displayName: 'Switch', path: 'switch', apiType: 'soap' });
    const renamed = await h.call('PATCH', '/apis/switch', { body: { properties: { displayName: 'Renamed' } }, headers: star });
    expect(renamed.json.properties.type).toBe('soap');
    const toHttp = await h.call('PATCH', '/apis/switch', { body: { properties: { apiType: 'http' } }, headers: star });
    expect(toHttp.status).toBe(200);
    expect(toHttp.json.properties.type).toBe('http');
    const toSoap = await h.call('PATCH', '/apis/switch', { body: { properties: { type: 'soap' } }, headers: star });
    expect(toSoap.json.properties.type).toBe('soap');
    const clash = await h.call('PATCH', '/apis/switch', { body: { properties: { type: 'http', apiType: 'soap' } }, headers: star });
    expect(clash.status).toBe(400);
    expect(targets(clash)).toEqual(['properties.apiType']);
    const replaced = await put('switch', { displayName: 'Switch', path: 'switch' });
    expect(replaced.status).toBe(200);
    expect(replaced.json.properties.type).toBe('http');
  });

  it('type: an API stored before APIs had a type reads as http', async () => {
    const memory = await memoryHarness();
    try {
      const { type: _, ...untyped } = memory.store.index.getApi('echo-api')!;
      await memory.store.mutate(() => ({ changes: [{ put: { kind: 'api', value: { ...untyped, id: 'old', path: 'old' } } }], value: null }));
      expect(memory.store.index.getApi('old')).not.toHaveProperty('type');
      expect((await memory.call('GET', '/apis/old')).json.properties.type).toBe('http');
    } finally {
      await memory.close();
    }
  });

  it('lists APIs', async () => {
    const list = await h.call('GET', '/apis');
    expect(list.status).toBe(200);
    expect(list.json.value.map((a: { name: string }) => a.name)).toContain('echo-api');
    expect(list.json.count).toBe(list.json.value.length);
  });

  it('DELETE removes the API with its operations, links and API-scoped subscriptions in one change', async () => {
    await put('gone', { displayName: 'Gone', path: 'gone' });
    await h.call('PUT', '/apis/gone/operations/op1', { body: { properties: { displayName: 'Op', method: 'GET', urlTemplate: '/x' } } });
    await h.call('PUT', '/products/starter/apis/gone');
    await h.call('PUT', '/subscriptions/gone-sub', { body: { properties: { scope: '/apis/gone', displayName: 'G', state: 'active' } } });
    const version = h.store.index.version;

    const deleted = await h.call('DELETE', '/apis/gone', { headers: star, query: 'deleteRevisions=true' });
    expect(deleted.status).toBe(200);
    expect(h.store.index.version).toBe(version + 1); // one transaction
    expect(h.store.index.getApi('gone')).toBeUndefined();
    expect(h.store.index.getOperation('gone', 'op1')).toBeUndefined();
    expect(h.store.index.hasLink('starter', 'gone')).toBe(false);
    expect(h.store.index.getSubscription('gone-sub')).toBeUndefined();
    expect(h.store.view.apiByPath('gone')).toBeUndefined();
    expect((await h.call('GET', '/apis/gone/operations/op1')).status).toBe(404);
    expect((await h.call('DELETE', '/apis/gone', { headers: star })).status).toBe(204);
  });
});
