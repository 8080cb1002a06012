import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiManagementClient, type SubscriptionContract } from '@azure/arm-apimanagement';
import type { TokenCredential } from '@azure/core-auth';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ECHO_API_ID } from '../../src/lab/seed';
import { SCENARIO3_SUBSCRIPTIONS } from '../helpers/scenario3Catalog';
import type { ManagementApi } from '../../src/management/managementApi';
import { INVALID_KEY_BODY } from '../../src/apim/gatewayResponses';
import { API_VERSION } from '../helpers/management';
import { RG, SERVICE_ID, SUB, SVC, harness, hostMode, token, type Harness } from './harness';

/**
 * The official SDK as the client, over a real socket: proof that people who drive
 * APIM with `@azure/arm-apimanagement` can drive the lab the same way. Over the
 * host (the `management-host` project), the SDK talks to the local Functions host,
 * and the gateway of that host then takes the key the SDK created; in memory, to
 * the smallest `node:http` adapter around `handle()`.
 */

let h: Harness;
let server: Server | undefined;
let client: ApiManagementClient;
/** `METHOD /path?query` of every request the SDK sent. */
const requests: string[] = [];

/** The smallest `node:http` adapter onto `handle()`: what the local host's wiring does. */
function listen(api: ManagementApi): Promise<Server> {
  const toHeaders = (req: IncomingMessage) => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, v);
    }
    return headers;
  };
  const s = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const response = await api.handle({
      method: req.method ?? 'GET',
      url: `http://${req.headers.host}${req.url}`,
      headers: toHeaders(req),
      body: chunks.length === 0 ? null : Buffer.concat(chunks),
    });
    res.writeHead(response.status, response.headers);
    res.end(response.body ?? undefined);
  });
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(s)));
}

/** Replaces the SDK's bearer policy: APIM's direct management API takes a SharedAccessSignature. */
const sharedAccessSignaturePolicy: PipelinePolicy = {
  name: 'sharedAccessSignaturePolicy',
  sendRequest(request, next) {
    request.headers.set('Authorization', `SharedAccessSignature ${token()}`);
    return next(request);
  },
};

/** Test only: records each request, and brings `h.store` up to date once it is answered. */
const observerPolicy: PipelinePolicy = {
  name: 'observerPolicy',
  async sendRequest(request, next) {
    const url = new URL(request.url);
    requests.push(`${request.method} ${url.pathname}${url.search}`);
    const response = await next(request);
    await h.sync();
    return response;
  },
};

/** Never called once the bearer policy is gone; the SDK's constructor just wants one. */
const unusedCredential: TokenCredential = {
  getToken: async () => ({ token: 'unused', expiresOnTimestamp: Date.now() + 3_600_000 }),
};

beforeAll(async () => {
  h = await harness();
  let endpoint = `${h.origin}/management`;
  if (!hostMode) {
    server = await listen(h.api);
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/management`;
  }
  client = new ApiManagementClient(unusedCredential, SUB, {
    endpoint,
    allowInsecureConnection: true,
    apiVersion: API_VERSION,
    retryOptions: { maxRetries: 0 },
  });
  client.pipeline.removePolicy({ name: 'bearerTokenAuthenticationPolicy' });
  client.pipeline.addPolicy(sharedAccessSignaturePolicy);
  client.pipeline.addPolicy(observerPolicy);
});

afterAll(async () => {
  if (server) await new Promise((resolve) => server!.close(resolve));
  await h?.close();
});

async function collect<T>(iterator: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterator) items.push(item);
  return items;
}

describe('the official @azure/arm-apimanagement SDK against the lab', () => {
  it('sends SharedAccessSignature, api-version 2024-05-01, and the configured service path', async () => {
    const product = await client.product.get(RG, SVC, 'starter');
    expect(product.displayName).toBe('Starter');
    expect(product.id).toBe(`${SERVICE_ID}/products/starter`);
    expect(product.eTag).toMatch(/^"\d+"$/);
    expect(requests.at(-1)).toMatch(new RegExp(`^GET /management${SERVICE_ID}/products/starter\\?api-version=${API_VERSION}$`));
  });

  it('creates a product, an API (long-running PUT that completes at once), an operation, a link and a subscription', async () => {
    const product = await client.product.createOrUpdate(RG, SVC, 'sdk-product', {
      displayName: 'SDK product',
      subscriptionRequired: true,
      approvalRequired: false,
      state: 'published',
    });
    expect(product).toMatchObject({ name: 'sdk-product', displayName: 'SDK product', state: 'published' });
    expect(product.eTag).toMatch(/^"\d+"$/);

    const api = await client.api.beginCreateOrUpdateAndWait(RG, SVC, 'sdk-api', {
      displayName: 'SDK API',
      path: 'sdk',
      protocols: ['https'],
      serviceUrl: 'https://backend.example/sdk',
      subscriptionKeyParameterNames: { header: 'X-Sdk-Key', query: 'sdk-key' },
    });
    expect(api).toMatchObject({ name: 'sdk-api', path: 'sdk', apiRevision: '1', isCurrent: true, subscriptionRequired: true });
    expect(h.store.view.apiByPath('sdk')?.subscriptionKeyParameterNames.header).toBe('X-Sdk-Key');

    const operation = await client.apiOperation.createOrUpdate(RG, SVC, 'sdk-api', 'get-thing', {
      displayName: 'Get thing',
      method: 'GET',
      urlTemplate: '/things/{thingId}',
      templateParameters: [{ name: 'thingId', type: 'string', required: true }],
      request: {
        queryParameters: [{ name: 'verbose', type: 'boolean', required: false }],
        headers: [{ name: 'X-Trace', type: 'string', defaultValue: 'on', required: false }],
      },
    });
    expect(operation).toMatchObject({ name: 'get-thing', method: 'GET', urlTemplate: '/things/{thingId}' });
    expect(operation.request?.headers?.[0]?.defaultValue).toBe('on');

    const link = await client.productApi.createOrUpdate(RG, SVC, 'sdk-product', 'sdk-api');
    expect(link.name).toBe('sdk-api');
    expect((await client.productApi.checkEntityExists(RG, SVC, 'sdk-product', 'sdk-api')).body).toBe(true);
    // Not linked: APIM's 404, which this SDK surfaces as a RestError rather than `false`.
    await expect(client.productApi.checkEntityExists(RG, SVC, 'unlimited', 'sdk-api')).rejects.toMatchObject({ statusCode: 404 });
    expect((await client.product.getEntityTag(RG, SVC, 'sdk-product')).eTag).toBe(product.eTag);
    expect((await collect(client.productApi.listByProduct(RG, SVC, 'sdk-product'))).map((a) => a.name)).toEqual(['sdk-api']);
    expect((await collect(client.apiProduct.listByApis(RG, SVC, 'sdk-api'))).map((p) => p.name)).toEqual(['sdk-product']);
    expect(h.store.view.productsOfApi('sdk-api').map((p) => p.id)).toEqual(['sdk-product']);

    const subscription = await client.subscription.createOrUpdate(RG, SVC, 'sdk-sub', {
      scope: '/products/sdk-product',
      displayName: 'SDK subscription',
      ownerId: '/users/1',
      state: 'active',
      allowTracing: true,
    });
    expect(subscription).toMatchObject({ name: 'sdk-sub', state: 'active', scope: `${SERVICE_ID}/products/sdk-product`, allowTracing: true });
    expect(subscription.createdDate).toBeInstanceOf(Date);
    expect(subscription.primaryKey).toBeUndefined();
    expect((await collect(client.productSubscriptions.list(RG, SVC, 'sdk-product'))).map((s) => s.name)).toEqual(['sdk-sub']);
  });

  it('lists secrets, regenerates keys, and every key change is live at the gateway at once', async () => {
    const keys = await client.subscription.listSecrets(RG, SVC, 'sdk-sub');
    expect(keys.primaryKey).toMatch(/^[0-9a-f]{32}$/);
    expect(h.store.index.subscriptionByKey(keys.primaryKey!)).toMatchObject({ which: 'primary', subscription: { id: 'sdk-sub', state: 'active' } });
    expect(h.store.index.subscriptionByKey(keys.secondaryKey!)?.which).toBe('secondary');

    await client.subscription.regeneratePrimaryKey(RG, SVC, 'sdk-sub');
    await client.subscription.regenerateSecondaryKey(RG, SVC, 'sdk-sub');
    const rotated = await client.subscription.listSecrets(RG, SVC, 'sdk-sub');
    expect(rotated.primaryKey).not.toBe(keys.primaryKey);
    expect(rotated.secondaryKey).not.toBe(keys.secondaryKey);
    expect(h.store.index.subscriptionByKey(keys.primaryKey!)).toBeUndefined();
    expect(h.store.index.subscriptionByKey(keys.secondaryKey!)).toBeUndefined();
    expect(h.store.index.subscriptionByKey(rotated.primaryKey!)?.subscription.id).toBe('sdk-sub');
  });

  it('updates with If-Match, and surfaces a stale ETag as a 412 PreconditionFailed RestError', async () => {
    const current = await client.subscription.get(RG, SVC, 'sdk-sub');
    const updated = await client.subscription.update(RG, SVC, 'sdk-sub', current.eTag!, { state: 'suspended' });
    expect(updated.state).toBe('suspended');
    expect(updated.eTag).not.toBe(current.eTag);
    await expect(client.subscription.update(RG, SVC, 'sdk-sub', current.eTag!, { state: 'active' })).rejects.toMatchObject({
      statusCode: 412,
      code: 'PreconditionFailed',
    });
    expect(h.store.index.getSubscription('sdk-sub')?.state).toBe('suspended');
  });

  it('surfaces ARM errors: 404 ResourceNotFound, 400 ValidationError', async () => {
    await expect(client.product.get(RG, SVC, 'no-such-product')).rejects.toMatchObject({ statusCode: 404, code: 'ResourceNotFound' });
    await expect(
      client.subscription.createOrUpdate(RG, SVC, 'sdk-bad', { scope: '/products/no-such-product', displayName: 'Bad' }),
    ).rejects.toMatchObject({ statusCode: 400, code: 'ValidationError' });
  });

  it('pages with top: for await follows nextLink across several pages', async () => {
    for (let i = 0; i < 5; i++) {
      await client.subscription.createOrUpdate(RG, SVC, `sdk-page-${i}`, { scope: '/apis', displayName: `Page ${i}`, state: 'active' });
    }
    const before = requests.length;
    const all: SubscriptionContract[] = await collect(client.subscription.list(RG, SVC, { top: 2 }));
    const pages = requests.slice(before);
    const names = all.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['sdk-sub', 'sdk-page-0', 'sdk-page-4', ...SCENARIO3_SUBSCRIPTIONS]));
    expect(new Set(names).size).toBe(h.store.index.listSubscriptions().length);
    expect(pages.length).toBe(Math.ceil(names.length / 2));
    expect(pages[1]).toContain('$skip=2');

    const filtered = await collect(client.subscription.list(RG, SVC, { filter: "displayName eq 'Page 3'" }));
    expect(filtered.map((s) => s.name)).toEqual(['sdk-page-3']);
    const someOf = await collect(client.subscription.list(RG, SVC, { filter: "startswith(name, 'sdk-page-') and displayName ge 'Page 3'", top: 1 }));
    expect(someOf.map((s) => s.name).sort()).toEqual(['sdk-page-3', 'sdk-page-4']);
    const current = await collect(client.api.listByService(RG, SVC, { filter: "isCurrent eq true and contains(path, 'ech')" }));
    expect(current.map((a) => a.name)).toEqual(['echo-api']);
  });

  it('writes, reads, lists and deletes a policy document; a refused document is a 400 ValidationError', async () => {
    const value = '<policies><inbound><base /><rate-limit calls="5" renewal-period="60" /></inbound></policies>';
    const created = await client.productPolicy.createOrUpdate(RG, SVC, 'sdk-product', 'policy', { format: 'rawxml', value }, { ifMatch: '*' });
    expect(created).toMatchObject({ name: 'policy', type: 'Microsoft.ApiManagement/service/products/policies', format: 'rawxml', value });
    expect(created.eTag).toMatch(/^"\d+"$/);
    expect(await client.productPolicy.get(RG, SVC, 'sdk-product', 'policy', { format: 'xml' })).toMatchObject({ format: 'xml', value });
    expect((await collect(client.productPolicy.listByProduct(RG, SVC, 'sdk-product'))).map((p) => p.value)).toEqual([value]);
    await expect(
      client.apiPolicy.createOrUpdate(RG, SVC, 'sdk-api', 'policy', { value: '<policies><inbound><quota calls="1" renewal-period="60" /></inbound></policies>' }),
    ).rejects.toMatchObject({ statusCode: 400, code: 'ValidationError' });
    await client.productPolicy.delete(RG, SVC, 'sdk-product', 'policy', created.eTag!);
    expect(h.store.view.policyDocument({ scope: 'product', productId: 'sdk-product' })).toBeUndefined();
  });

  it('deletes: the API (long-running) with its links, and the product with its subscriptions', async () => {
    await client.api.beginDeleteAndWait(RG, SVC, 'sdk-api', '*');
    expect(h.store.index.getApi('sdk-api')).toBeUndefined();
    expect(h.store.index.getOperation('sdk-api', 'get-thing')).toBeUndefined();
    await expect(client.product.delete(RG, SVC, 'sdk-product', '*')).rejects.toMatchObject({ statusCode: 409, code: 'Conflict' });
    await client.product.delete(RG, SVC, 'sdk-product', '*', { deleteSubscriptions: true });
    expect(h.store.index.getProduct('sdk-product')).toBeUndefined();
    expect(h.store.index.getSubscription('sdk-sub')).toBeUndefined();
    expect(h.store.index.getApi(ECHO_API_ID)).toBeDefined();
  });
});

const INVALID = INVALID_KEY_BODY.toString('utf8');

// Over the host only: in memory there is no gateway behind the SDK's endpoint.
describe.skipIf(!hostMode)('the gateway of the host takes the key the SDK created', () => {
  const echo = async (key: string) => {
    const response = await fetch(`${h.origin}/echo/resource?param1=sample`, { headers: { 'Ocp-Apim-Subscription-Key': key } });
    return { status: response.status, headers: response.headers, text: await response.text() };
  };

  it('echoes with the key of an SDK-made subscription, and after regeneratePrimaryKey refuses the old key and takes the new one', async () => {
    await client.product.createOrUpdate(RG, SVC, 'sdk-gateway', { displayName: 'SDK gateway', subscriptionRequired: true, state: 'published' });
    await client.productApi.createOrUpdate(RG, SVC, 'sdk-gateway', ECHO_API_ID);
    await client.subscription.createOrUpdate(RG, SVC, 'sdk-gateway-sub', { scope: '/products/sdk-gateway', displayName: 'SDK gateway', state: 'active' });
    const keys = await client.subscription.listSecrets(RG, SVC, 'sdk-gateway-sub');

    const echoed = await echo(keys.primaryKey!);
    expect(echoed.status, echoed.text).toBe(200);
    expect(echoed.headers.get('ocp-apim-subscription-key')).toBe(keys.primaryKey);

    await client.subscription.regeneratePrimaryKey(RG, SVC, 'sdk-gateway-sub');
    const rotated = await client.subscription.listSecrets(RG, SVC, 'sdk-gateway-sub');
    expect(rotated.primaryKey).not.toBe(keys.primaryKey);

    const refused = await echo(keys.primaryKey!);
    expect(refused.status).toBe(401);
    expect(refused.text).toBe(INVALID);
    const fresh = await echo(rotated.primaryKey!);
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('ocp-apim-subscription-key')).toBe(rotated.primaryKey);
    // The secondary key was not touched.
    expect((await echo(keys.secondaryKey!)).status).toBe(200);
  });
});
