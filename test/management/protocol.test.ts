import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTableClient } from '../../src/catalog/connection';
import { CatalogStore } from '../../src/catalog/catalogStore';
import { DEV_ACCOUNT_KEY, freePort, startAzurite } from '../../src/local/azurite';
import { createManagementApi } from '../../src/management/managementApi';
import { testStore } from '../helpers/catalog';
import { API_VERSION } from '../helpers/management';
import { RG, SERVICE_URL, SUB, SVC, armError, call, harness, hostMode, settings, targets, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h?.close());

describe('api-version', () => {
  it.each(['2021-08-01', '2022-08-01', '2023-05-01-preview', '2024-05-01', '2031-01-01'])('accepts %s', async (apiVersion) => {
    expect((await h.call('GET', '/products', { apiVersion })).status).toBe(200);
  });

  it('is required: 400 MissingApiVersionParameter', async () => {
    const result = await h.call('GET', '/products', { apiVersion: null });
    expect(result.status).toBe(400);
    expect(armError(result).code).toBe('MissingApiVersionParameter');
  });

  it.each(['2024-5-1', 'latest', '2024-13-01', '2024-02-30'])('refuses malformed %s with 400 InvalidApiVersionParameter', async (apiVersion) => {
    const result = await h.call('GET', '/products', { apiVersion });
    expect(result.status).toBe(400);
    expect(armError(result).code).toBe('InvalidApiVersionParameter');
  });

  it('refuses a version older than 2021-08-01 as ARM does', async () => {
    const result = await h.call('GET', '/products', { apiVersion: '2021-01-01-preview' });
    expect(result.status).toBe(400);
    expect(armError(result).code).toBe('NoRegisteredProviderFound');
  });
});

describe('the service in the path', () => {
  const url = (sub: string, rg: string, svc: string) =>
    `${h.origin}/management/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.ApiManagement/service/${svc}/products?api-version=${API_VERSION}`;

  it.each([
    ['subscription', ['00000000-0000-0000-0000-000000000000', RG, SVC]],
    ['resource group', [SUB, 'other-rg', SVC]],
    ['service', [SUB, RG, 'other-apim']],
  ] as const)('another %s is 404 ResourceNotFound', async (_, [sub, rg, svc]) => {
    const result = await h.call('GET', url(sub, rg, svc));
    expect(result.status).toBe(404);
    expect(armError(result).code).toBe('ResourceNotFound');
  });

  it('matches ARM paths case-insensitively', async () => {
    const target = `${h.origin}/management/SUBSCRIPTIONS/${SUB.toUpperCase()}/resourcegroups/${RG.toUpperCase()}/providers/microsoft.apimanagement/Service/${SVC.toUpperCase()}/Products?api-version=${API_VERSION}`;
    expect((await h.call('GET', target)).status).toBe(200);
  });

  it('an unknown resource below the service is 404, a known one with an unsupported verb 405 with Allow', async () => {
    const unknown = await h.call('GET', '/backends');
    expect(unknown.status).toBe(404);
    expect(armError(unknown).code).toBe('ResourceNotFound');
    const verb = await h.call('POST', '/products/starter');
    expect(verb.status).toBe(405);
    expect(armError(verb).code).toBe('MethodNotAllowed');
    expect(verb.headers.Allow).toBe('GET, HEAD, PUT, PATCH, DELETE');
  });

  it('answers every response with a request id', async () => {
    const result = await h.call('GET', '/products/starter');
    expect(result.headers['x-ms-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('ids in the URL', () => {
  it.each([
    ['a space', 'a%20b'],
    ['a question mark', 'a%3Fb'],
    ['an asterisk', 'a*b'],
    ['an encoded slash', 'a%2Fb'],
    ['a percent sign', 'a%25b'],
    ['257 characters', 'x'.repeat(257)],
    ['broken percent-encoding', 'a%E0%A4%A'],
  ])('refuses %s with 400 naming the parameter, writing nothing', async (_, id) => {
    const before = h.snapshot();
    const result = await h.call('PUT', `/products/${id}`, { body: { properties: { displayName: 'x' } } });
    expect(result.status).toBe(400);
    expect(armError(result).code).toBe('ValidationError');
    expect(targets(result)).toEqual(['productId']);
    expect(h.snapshot()).toBe(before);
  });

  it('decodes ids before use: an encoded unicode id round-trips', async () => {
    const result = await h.call('PUT', `/products/${encodeURIComponent('prodüct')}`, { body: { properties: { displayName: 'Unicode' } } });
    expect(result.status).toBe(201);
    expect(result.json.name).toBe('prodüct');
    expect(h.store.index.getProduct('prodüct')?.displayName).toBe('Unicode');
  });
});

describe('request bodies', () => {
  it.each([
    ['malformed JSON', '{"properties": {"displayName": "x"', /not valid JSON/],
    ['JSON without properties', '{"displayName": "x"}', /should have 'properties'/],
    ['an array', '[]', /should have 'properties'/],
    ['no body at all', '', /should have 'properties'/],
  ])('refuses %s with 400 ValidationError, writing nothing', async (_, rawBody, message) => {
    const before = h.snapshot();
    const result = await h.call('PUT', '/products/body-test', { rawBody });
    expect(result.status).toBe(400);
    expect(armError(result)).toMatchObject({ code: 'ValidationError', message: expect.stringMatching(message) });
    expect(h.snapshot()).toBe(before);
  });

  it('does not echo a malformed body, which may hold a key', async () => {
    const result = await h.call('PUT', '/subscriptions/echo-test', { rawBody: '{"properties":{"primaryKey":"s3cr3t-key-value"' });
    expect(result.status).toBe(400);
    expect(result.body).not.toContain('s3cr3t');
  });

  it('refuses bytes that are not UTF-8', async () => {
    const result = await h.call('PUT', '/products/utf8-test', { rawBody: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]) });
    expect(result.status).toBe(400);
    expect(h.store.index.getProduct('utf8-test')).toBeUndefined();
  });

  it('refuses an oversized body with 413', async () => {
    const result = await h.call('PUT', '/products/big', { body: { properties: { displayName: 'x', terms: 'y'.repeat(1_100_000) } } });
    expect(result.status).toBe(413);
    expect(armError(result).code).toBe('RequestEntityTooLarge');
  });

  it('names every bad field in one ValidationError', async () => {
    const before = h.snapshot();
    const result = await h.call('PUT', '/products/many-errors', {
      body: { properties: { displayName: 'x'.repeat(301), state: 'retired', subscriptionRequired: 'yes', subscriptionsLimit: -1 } },
    });
    expect(result.status).toBe(400);
    expect(armError(result).message).toBe('One or more fields contain incorrect values:');
    expect(targets(result).sort()).toEqual(
      ['properties.displayName', 'properties.state', 'properties.subscriptionRequired', 'properties.subscriptionsLimit'].sort(),
    );
    expect(armError(result).details!.every((d) => d.code === 'ValidationError' && d.message.length > 0)).toBe(true);
    expect(h.snapshot()).toBe(before);
  });
});

describe('HEAD', () => {
  it('answers with the ETag and no body', async () => {
    const get = await h.call('GET', '/apis/echo-api');
    const head = await h.call('HEAD', '/apis/echo-api');
    expect(head.status).toBe(200);
    expect(head.body).toBeNull();
    expect(head.headers.ETag).toBe(get.headers.ETag);
  });

  it('answers 404 without a body', async () => {
    const head = await h.call('HEAD', '/apis/missing');
    expect(head.status).toBe(404);
    expect(head.body).toBeNull();
  });
});

// In memory only: these build the core over a store of their own (unreachable, or
// an Azurite the test stops, or fresh) or a broken one, which a host process cannot be given.
describe.skipIf(hostMode)('storage down', () => {
  it('answers 503 ServiceUnavailable quickly when the catalog cannot be loaded', async () => {
    const port = await freePort();
    const client = createTableClient({
      connectionString: `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${DEV_ACCOUNT_KEY};TableEndpoint=http://127.0.0.1:${port}/devstoreaccount1;`,
      tableName: 'unreachable',
      source: 'test',
    });
    const store = new CatalogStore({ client, pollIntervalMs: 0, log: () => {} });
    const api = createManagementApi({ store, settings, log: () => {} });
    for (const method of ['GET', 'PUT']) {
      const started = Date.now();
      const result = await call(api, method, '/products/p1', { body: { properties: { displayName: 'x' } } });
      expect(result.status).toBe(503);
      expect(armError(result).code).toBe('ServiceUnavailable');
      expect(result.headers['Retry-After']).toBe('1');
      expect(Date.now() - started).toBeLessThan(5000);
    }
  });

  it('answers 503 for reads and writes when storage goes away after start, and the index keeps serving the gateway', async () => {
    const azurite = await startAzurite();
    try {
      const store = new CatalogStore({
        client: createTableClient({ connectionString: azurite.connectionString, tableName: 'goesaway', source: 'test' }),
        pollIntervalMs: 0,
        log: () => {},
      });
      const api = createManagementApi({ store, settings, log: () => {}, storageTimeoutMs: 3000 });
      expect((await call(api, 'PUT', '/products/before', { body: { properties: { displayName: 'Before' } } })).status).toBe(201);
      await azurite.stop();
      for (const [method, path] of [
        ['GET', '/products/before'],
        ['PUT', '/products/after'],
      ] as const) {
        const started = Date.now();
        const result = await call(api, method, path, { body: { properties: { displayName: 'After' } } });
        expect(result.status).toBe(503);
        expect(Date.now() - started).toBeLessThan(6000);
      }
      expect(store.index.getProduct('before')).toBeDefined();
      expect(store.index.getProduct('after')).toBeUndefined();
    } finally {
      await azurite.stop();
    }
  });

  it('serves the seeded catalog of a fresh store (the catalog is loaded on first use)', async () => {
    const store = testStore();
    const api = createManagementApi({ store, settings, log: () => {} });
    expect((await call(api, 'GET', `${SERVICE_URL}/products?api-version=${API_VERSION}`)).status).toBe(200);
    expect(store.isReady).toBe(true);
  });
});

// In memory only: a store that throws cannot be put into a host process.
describe.skipIf(hostMode)('unexpected faults', () => {
  it('answer 500 InternalServerError without details, and are logged', async () => {
    const logs: string[] = [];
    const broken = {
      isReady: true,
      catchUp: async () => {},
      get index(): never {
        throw new Error('index exploded');
      },
    } as unknown as CatalogStore;
    const api = createManagementApi({ store: broken, settings, log: (m) => logs.push(m) });
    const result = await call(api, 'GET', '/products');
    expect(result.status).toBe(500);
    expect(armError(result)).toEqual({ code: 'InternalServerError', message: 'The request failed because of an internal error.', details: null });
    expect(result.body).not.toContain('exploded');
    expect(logs).toEqual(['management: unexpected failure on GET: Error: index exploded']);
  });
});
