import { describe, expect, it } from 'vitest';
import { subscriptionStates, type Api } from '../../src/catalog/records';
import { createGateway } from '../../src/gateway/pipeline';
import { api, bodyOf, catalogOf, headerValues, operation, product, recordingForwarder, request, subscription } from './fixtures';

const MISSING =
  '{ "statusCode": 401, "message": "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API." }';
const INVALID =
  '{ "statusCode": 401, "message": "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription." }';

const KEY = {
  api: 'key-api-scope',
  otherApi: 'key-other-api-scope',
  product: 'key-starter-product',
  otherProduct: 'key-other-product',
  hidden: 'key-not-published-product',
  allApis: 'key-all-apis',
  master: 'key-master',
} as const;

function setup(apiExtra: Partial<Api> = {}) {
  const catalog = catalogOf({
    apis: [api('echo-api', 'echo', apiExtra), api('other-api', 'other')],
    operations: [operation('echo-api', 'get', 'GET', '/resource'), operation('other-api', 'get', 'GET', '/resource')],
    products: [product('starter'), product('other'), product('hidden', { state: 'notPublished' })],
    links: [
      ['starter', 'echo-api'],
      ['other', 'other-api'],
      ['hidden', 'echo-api'],
    ],
    subscriptions: [
      subscription('api-sub', '/apis/echo-api', KEY.api),
      subscription('other-api-sub', '/apis/other-api', KEY.otherApi),
      subscription('starter-sub', '/products/starter', KEY.product),
      subscription('other-sub', '/products/other', KEY.otherProduct),
      subscription('hidden-sub', '/products/hidden', KEY.hidden),
      subscription('all-apis-sub', '/apis', KEY.allApis),
      subscription('master', '/', KEY.master),
    ],
  });
  const forwarder = recordingForwarder();
  return { catalog, forwarder, gateway: createGateway({ catalog, forwarder }) };
}

const URL_ = 'https://gw.test/echo/resource';
const withKey = (key: string, url = URL_) => request('GET', url, { 'Ocp-Apim-Subscription-Key': key });

async function expect401(r: Awaited<ReturnType<ReturnType<typeof setup>['gateway']['handle']>>, body: string, wwwAuth: string) {
  expect(r.status).toBe(401);
  expect((await bodyOf(r)).toString()).toBe(body);
  expect(headerValues(r, 'content-length')).toEqual([String(Buffer.byteLength(body))]);
  expect(headerValues(r, 'content-type')).toEqual(['application/json']);
  expect(headerValues(r, 'www-authenticate')).toEqual([wwwAuth]);
}

const DEFAULT_CHALLENGE = 'AzureApiManagementKey realm="https://gw.test/echo",name="Ocp-Apim-Subscription-Key",type="header"';

describe('401 missing (docs/apim-behaviour.md#reading-the-subscription-key, #requests-without-a-key, #gateway-error-responses)', () => {
  it('no key: exact body (152 bytes) and challenge; backend not called', async () => {
    const { gateway, forwarder } = setup();
    const r = await gateway.handle(request('GET', URL_));
    await expect401(r, MISSING, DEFAULT_CHALLENGE);
    expect(headerValues(r, 'content-length')).toEqual(['152']);
    expect(r.trace).toMatchObject({ apiId: 'echo-api', operationId: 'get', keySource: 'none', outcome: 'keyMissing' });
    expect(forwarder.calls).toHaveLength(0);
  });

  it('realm uses the Host header and X-Forwarded-Proto (first value)', async () => {
    const { gateway } = setup();
    const r = await gateway.handle(
      request('GET', 'http://10.0.0.4:7071/echo/resource', { Host: 'pratyay.azure-api.net', 'X-Forwarded-Proto': 'https, http' }),
    );
    expect(headerValues(r, 'www-authenticate')).toEqual([
      'AzureApiManagementKey realm="https://pratyay.azure-api.net/echo",name="Ocp-Apim-Subscription-Key",type="header"',
    ]);
  });

  it('realm falls back to the URL scheme and authority; API path as stored', async () => {
    const { gateway } = setup({ path: 'Echo' });
    const r = await gateway.handle(request('GET', 'http://localhost:7071/ECHO/resource'));
    expect(headerValues(r, 'www-authenticate')).toEqual([
      'AzureApiManagementKey realm="http://localhost:7071/Echo",name="Ocp-Apim-Subscription-Key",type="header"',
    ]);
  });

  it('an empty-path API has realm <scheme>://<host>/', async () => {
    const catalog = catalogOf({ apis: [api('root', '')], operations: [operation('root', 'get', 'GET', '/x')] });
    const r = await createGateway({ catalog, forwarder: recordingForwarder() }).handle(request('GET', 'https://gw.test/x'));
    expect(headerValues(r, 'www-authenticate')).toEqual([
      'AzureApiManagementKey realm="https://gw.test/",name="Ocp-Apim-Subscription-Key",type="header"',
    ]);
  });

  it('the challenge names the API\'s custom header, never the query parameter', async () => {
    const { gateway } = setup({ subscriptionKeyParameterNames: { header: 'api-key', query: 'apikey' } });
    const r = await gateway.handle(request('GET', URL_));
    await expect401(r, MISSING, 'AzureApiManagementKey realm="https://gw.test/echo",name="api-key",type="header"');
  });

  it('a key under another name counts as missing (header and query)', async () => {
    const { gateway } = setup();
    await expect401(await gateway.handle(request('GET', URL_, { 'api-key': KEY.api })), MISSING, DEFAULT_CHALLENGE);
    await expect401(await gateway.handle(request('GET', `${URL_}?apikey=${KEY.api}`)), MISSING, DEFAULT_CHALLENGE);
    // The query name is exact.
    await expect401(await gateway.handle(request('GET', `${URL_}?Subscription-Key=${KEY.api}`)), MISSING, DEFAULT_CHALLENGE);
  });

  it('with a custom header name, the default header is just another header', async () => {
    const { gateway } = setup({ subscriptionKeyParameterNames: { header: 'api-key', query: 'apikey' } });
    expect((await gateway.handle(withKey(KEY.api))).trace.outcome).toBe('keyMissing');
    expect((await gateway.handle(request('GET', URL_, { 'API-KEY': KEY.api }))).status).toBe(200);
    expect((await gateway.handle(request('GET', `${URL_}?apikey=${KEY.api}`))).status).toBe(200);
  });

  it('an empty header value counts as missing and lets a query key through', async () => {
    const { gateway } = setup();
    expect((await gateway.handle(withKey(''))).trace.outcome).toBe('keyMissing');
    expect((await gateway.handle(request('GET', `${URL_}?subscription-key=`))).trace.outcome).toBe('keyMissing');
    const r = await gateway.handle(withKey('', `${URL_}?subscription-key=${KEY.api}`));
    expect(r.status).toBe(200);
    expect(r.trace.keySource).toBe('query');
  });
});

describe('key sources', () => {
  it('header name is case-insensitive', async () => {
    const { gateway } = setup();
    const r = await gateway.handle(request('GET', URL_, { 'ocp-apim-subscription-key': KEY.api }));
    expect(r.status).toBe(200);
    expect(r.trace.keySource).toBe('header');
  });

  it('query parameter works and stays in the forwarded URL', async () => {
    const { gateway, forwarder } = setup();
    const r = await gateway.handle(request('GET', `${URL_}?a=1&subscription-key=${KEY.api}`));
    expect(r.status).toBe(200);
    expect(r.trace.keySource).toBe('query');
    expect(forwarder.calls[0]?.path).toBe(`/resource?a=1&subscription-key=${KEY.api}`);
  });

  it('the header wins over the query parameter', async () => {
    const { gateway } = setup();
    const invalidHeader = await gateway.handle(withKey('wrong', `${URL_}?subscription-key=${KEY.api}`));
    await expect401(invalidHeader, INVALID, DEFAULT_CHALLENGE);
    expect(invalidHeader.trace.keySource).toBe('header');
    const validHeader = await gateway.handle(withKey(KEY.api, `${URL_}?subscription-key=wrong`));
    expect(validHeader.status).toBe(200);
  });

  it('the secondary key works', async () => {
    const { gateway } = setup();
    const r = await gateway.handle(withKey(`${KEY.api}-secondary`));
    expect(r.status).toBe(200);
    expect(r.trace.subscriptionId).toBe('api-sub');
  });

  it('the trace never holds the key', async () => {
    const { gateway } = setup();
    for (const key of [KEY.api, KEY.otherApi, 'unknown-key-123']) {
      const r = await gateway.handle(withKey(key));
      expect(JSON.stringify(r.trace)).not.toContain(key);
    }
  });
});

describe('scopes (docs/apim-behaviour.md#requests-with-a-key)', () => {
  it.each([
    ['API scope, this API', KEY.api, 'api-sub', null],
    ['product scope, product contains the API', KEY.product, 'starter-sub', 'starter'],
    ['notPublished product still works', KEY.hidden, 'hidden-sub', 'hidden'],
    ['all APIs', KEY.allApis, 'all-apis-sub', null],
    ['service (master)', KEY.master, 'master', null],
  ])('%s -> forwarded', async (_, key, subscriptionId, productId) => {
    const { gateway, forwarder } = setup();
    const r = await gateway.handle(withKey(key));
    expect(r.status).toBe(200);
    expect(r.trace).toMatchObject({ outcome: 'forwarded', subscriptionId, productId, subscriptionState: 'active' });
    expect(forwarder.calls).toHaveLength(1);
  });

  it.each([
    ['API scope of another API', KEY.otherApi, 'other-api-sub'],
    ['product not containing the API', KEY.otherProduct, 'other-sub'],
  ])('%s -> 401 invalid', async (_, key, subscriptionId) => {
    const { gateway, forwarder } = setup();
    const r = await gateway.handle(withKey(key));
    await expect401(r, INVALID, DEFAULT_CHALLENGE);
    expect(headerValues(r, 'content-length')).toEqual(['143']);
    expect(r.trace).toMatchObject({ outcome: 'keyOutOfScope', subscriptionId });
    expect(forwarder.calls).toHaveLength(0);
  });

  it('unknown key -> 401 invalid', async () => {
    const { gateway } = setup();
    const r = await gateway.handle(withKey('68d312d9cf3b4b3ca07be5abacaf8fc9'));
    await expect401(r, INVALID, DEFAULT_CHALLENGE);
    expect(r.trace).toMatchObject({ outcome: 'keyUnknown', subscriptionId: null });
  });

  it('a product key stops working when the API leaves the product', async () => {
    const { gateway, catalog } = setup();
    expect((await gateway.handle(withKey(KEY.product))).status).toBe(200);
    catalog.deleteLink('starter', 'echo-api');
    expect((await gateway.handle(withKey(KEY.product))).trace.outcome).toBe('keyOutOfScope');
  });

  it('a deleted subscription\'s key and a rotated-out key are invalid', async () => {
    const { gateway, catalog } = setup();
    catalog.putSubscription(subscription('api-sub', '/apis/echo-api', 'rotated-primary'));
    expect((await gateway.handle(withKey(KEY.api))).trace.outcome).toBe('keyUnknown');
    expect((await gateway.handle(withKey('rotated-primary'))).status).toBe(200);
    catalog.deleteSubscription('api-sub');
    expect((await gateway.handle(withKey('rotated-primary'))).trace.outcome).toBe('keyUnknown');
  });
});

describe('subscription state: only active works', () => {
  it.each(subscriptionStates.filter((s) => s !== 'active'))('%s -> 401 invalid, for every scope kind', async (state) => {
    const { gateway, catalog } = setup();
    for (const [id, scope, key] of [
      ['api-sub', '/apis/echo-api', KEY.api],
      ['starter-sub', '/products/starter', KEY.product],
      ['all-apis-sub', '/apis', KEY.allApis],
      ['master', '/', KEY.master],
    ] as const) {
      catalog.putSubscription(subscription(id, scope, key, { state }));
      const r = await gateway.handle(withKey(key));
      await expect401(r, INVALID, DEFAULT_CHALLENGE);
      expect(r.trace).toMatchObject({ outcome: 'subscriptionInactive', subscriptionId: id, subscriptionState: state });
    }
  });

  it('an active subscription past its expirationDate still works (audit only)', async () => {
    const { gateway, catalog } = setup();
    catalog.putSubscription(subscription('api-sub', '/apis/echo-api', KEY.api, { expirationDate: '2000-01-01T00:00:00Z' }));
    expect((await gateway.handle(withKey(KEY.api))).status).toBe(200);
  });
});

describe('no subscription required', () => {
  function openSetup() {
    const catalog = catalogOf({
      apis: [api('echo-api', 'echo'), api('free-api', 'free', { subscriptionRequired: false })],
      operations: [operation('echo-api', 'get', 'GET', '/resource'), operation('free-api', 'get', 'GET', '/resource')],
      products: [product('open', { subscriptionRequired: false }), product('starter')],
      links: [
        ['starter', 'echo-api'],
        ['open', 'echo-api'],
      ],
      subscriptions: [subscription('starter-sub', '/products/starter', KEY.product)],
    });
    const forwarder = recordingForwarder();
    return { catalog, forwarder, gateway: createGateway({ catalog, forwarder }) };
  }

  it('open product: no key proceeds in that product\'s context', async () => {
    const { gateway, forwarder } = openSetup();
    const r = await gateway.handle(request('GET', URL_));
    expect(r.status).toBe(200);
    expect(r.trace).toMatchObject({ keySource: 'none', productId: 'open', subscriptionId: null, outcome: 'forwarded' });
    expect(forwarder.calls).toHaveLength(1);
  });

  it('open product: a valid key runs in the key\'s product', async () => {
    const { gateway } = openSetup();
    const r = await gateway.handle(withKey(KEY.product));
    expect(r.trace).toMatchObject({ productId: 'starter', subscriptionId: 'starter-sub' });
  });

  it('API with subscriptionRequired false: no key proceeds', async () => {
    const { gateway } = openSetup();
    const r = await gateway.handle(request('GET', 'https://gw.test/free/resource'));
    expect(r.status).toBe(200);
    expect(r.trace).toMatchObject({ keySource: 'none', productId: null, outcome: 'forwarded' });
  });

  it('invalid key to an open API or an open product -> 401 invalid (decision)', async () => {
    const { gateway, forwarder } = openSetup();
    const free = await gateway.handle(withKey('nope', 'https://gw.test/free/resource'));
    await expect401(free, INVALID, 'AzureApiManagementKey realm="https://gw.test/free",name="Ocp-Apim-Subscription-Key",type="header"');
    await expect401(await gateway.handle(withKey('nope')), INVALID, DEFAULT_CHALLENGE);
    expect(forwarder.calls).toHaveLength(0);
  });

  it('a product requiring subscription does not open the API', async () => {
    const { gateway, catalog } = openSetup();
    catalog.deleteLink('open', 'echo-api');
    expect((await gateway.handle(request('GET', URL_))).trace.outcome).toBe('keyMissing');
  });
});
