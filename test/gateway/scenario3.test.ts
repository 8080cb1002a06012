import { describe, expect, it } from 'vitest';
import type { Forwarder } from '../../src/gateway/forward';
import { createGateway } from '../../src/gateway/pipeline';
import { echo } from '../../src/lab/echoBackend';
import { api, bodyOf, catalogOf, headerValues, operation, product, request, subscription } from './fixtures';

/** The Echo API's backend, in process: what the lab runs without a network. */
const echoForwarder: Forwarder = {
  async forward(call) {
    return echo({ method: call.method, headers: new Headers(call.headers as [string, string][]), body: call.body });
  },
  async close() {},
};

const OPERATIONS: [string, string][] = [
  ['create-resource', 'POST'],
  ['modify-resource', 'PUT'],
  ['remove-resource', 'DELETE'],
  ['retrieve-header-only', 'HEAD'],
  ['retrieve-resource', 'GET'],
];
const HARD_CODED_KEY = '68d312d9cf3b4b3ca07be5abacaf8fc9';
const ADMIN_STARTER_KEY = 'a1b2c3d4e5f64a7b8c9d0e1f2a3b4c5d';

function lab() {
  const catalog = catalogOf({
    apis: [api('echo-api', 'echo', { serviceUrl: 'http://echoapi.cloudapp.net/api' })],
    operations: [
      ...OPERATIONS.map(([id, method]) => operation('echo-api', id, method, '/resource')),
      operation('echo-api', 'retrieve-resource-cached', 'GET', '/resource-cached'),
    ],
    products: [product('starter'), product('unlimited', { approvalRequired: true })],
    subscriptions: [
      subscription('admin-starter', '/products/starter', ADMIN_STARTER_KEY),
      subscription('admin-unlimited', '/products/unlimited', 'f0e1d2c3b4a54968a7b6c5d4e3f2a1b0'),
    ],
  });
  return { catalog, gateway: createGateway({ catalog, forwarder: echoForwarder }) };
}

const URL_ = 'https://pratyay.azure-api.net/echo/resource?param1=sample';

describe('troubleshooting scenario 3 (docs/apim-behaviour.md#the-echo-api-and-scenario-3)', () => {
  it('fault 1: the Echo API is in no product, so the admin key is out of scope and no key is missing', async () => {
    const { gateway } = lab();
    for (const [, method] of OPERATIONS) {
      const missing = await gateway.handle(request(method, URL_));
      expect(missing.status).toBe(401);
      expect(missing.trace.outcome).toBe('keyMissing');
      expect(headerValues(missing, 'www-authenticate')).toEqual([
        'AzureApiManagementKey realm="https://pratyay.azure-api.net/echo",name="Ocp-Apim-Subscription-Key",type="header"',
      ]);
      const adminKey = await gateway.handle(request(method, URL_, { 'Ocp-Apim-Subscription-Key': ADMIN_STARTER_KEY }));
      expect(adminKey.trace.outcome).toBe('keyOutOfScope');
    }
  });

  it('fault 2: the hard-coded header default is a key of no subscription -> invalid', async () => {
    const { gateway } = lab();
    for (const method of ['POST', 'GET']) {
      const r = await gateway.handle(request(method, URL_, { 'Ocp-Apim-Subscription-Key': HARD_CODED_KEY }));
      expect(r.status).toBe(401);
      expect(headerValues(r, 'content-length')).toEqual(['143']);
      expect(r.trace.outcome).toBe('keyUnknown');
    }
  });

  it('the fix: add the Echo API to Starter; the admin key gets the echo of the request', async () => {
    const { gateway, catalog } = lab();
    catalog.putLink({ productId: 'starter', apiId: 'echo-api' });
    const headers = { 'Ocp-Apim-Subscription-Key': ADMIN_STARTER_KEY, 'Content-Type': 'application/json' };
    const r = await gateway.handle(request('POST', URL_, headers, Buffer.from('{"vehicleType":"train"}')));
    expect(r.status).toBe(200);
    expect((await bodyOf(r)).toString()).toBe('{"vehicleType":"train"}');
    expect(headerValues(r, 'content-type')).toEqual(['application/json']);
    expect(headerValues(r, 'ocp-apim-subscription-key')).toEqual([ADMIN_STARTER_KEY]);
    expect(r.trace).toMatchObject({ productId: 'starter', subscriptionId: 'admin-starter', outcome: 'forwarded' });

    const head = await gateway.handle(request('HEAD', URL_, headers));
    expect(head.status).toBe(200);
    expect(head.body).toBeNull();
  });
});
