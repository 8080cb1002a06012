import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policyDocument } from '../../src/lab/instance/common';
import { startLabHost, type LabHost } from '../helpers/labHost';

/**
 * Troubleshooting scenario 4, "slow responses, a 500 and an unexpected 429", end
 * to end on the local host (docs/scenarios/4-performance.md): GetAllProducts
 * waits for the slow backend, DeleteProduct gets the backend's 500, PutProduct
 * gets the fake 429 of a return-response it inherits from the API's document
 * although the backend made the update. The fixes through the management API:
 * the return-response removed, GetAllProducts cached; the reset breaks it again.
 */

const DELAY_MS = 1000;
const SEED_PRODUCTS =
  '[{"Id":1,"Name":"Tomato Soup","Category":"Groceries","Price":1.0},{"Id":2,"Name":"Yo-yo","Category":"Toys","Price":3.75},{"Id":3,"Name":"Hammer","Category":"Hardware","Price":16.99}]';
const FAKE_429 = '{\n                Rate limit is exceeded. Try again after some time.\n                }';
const UPDATE = '{"Id":1,"Name":"Tomato Soup","Category":"Groceries","Price":2.5}';

let lab: LabHost;
let key: string;

beforeAll(async () => {
  lab = await startLabHost({ PRODUCTSTORE_DELAY_MS: String(DELAY_MS) });
  key = await lab.adminKey('starter-admin');
});

afterAll(async () => {
  await lab?.stop();
});

const call = (method: string, path: string, body?: string) =>
  lab.call(`/productstore/api/Products${path}`, {
    method,
    headers: { 'Ocp-Apim-Subscription-Key': key, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    ...(body ? { body } : {}),
  });

/** The API's document without the fake 429: what remains is `<base />` everywhere. */
const API_FIXED = policyDocument({});

/** GetAllProducts' document with the response cache: one answer for every caller, kept an hour. */
const GET_ALL_CACHED = policyDocument({
  inbound: ['<base />', '<cache-lookup vary-by-developer="false" vary-by-developer-groups="false" />'],
  outbound: ['<cache-store duration="3600" />'],
});

async function expectBroken() {
  const all = await call('GET', '');
  expect([all.status, all.headers['content-type'], all.text]).toEqual([200, 'application/json; charset=utf-8', SEED_PRODUCTS]);
  expect(all.ms).toBeGreaterThanOrEqual(DELAY_MS);
  const deleted = await call('DELETE', '/1');
  expect([deleted.status, deleted.reason, deleted.headers['content-type'], deleted.text]).toEqual([500, 'Internal Server Error', 'application/json; charset=utf-8', '{"Message":"An error has occurred."}']);
  const put = await call('PUT', '/1', UPDATE);
  // The policy's reason ("Too many requests") cannot reach the status line on Azure Functions: the standard phrase does (docs/apim-behaviour.md).
  expect([put.status, put.reason, put.text, put.headers['content-length'], put.headers['content-type']]).toEqual([429, 'Too Many Requests', FAKE_429, '86', undefined]);
  expect(put.headers['retry-after']).toBeUndefined();
  // The update was made all the same.
  const one = await call('GET', '/1');
  expect([one.status, one.text]).toEqual([200, UPDATE]);
}

describe('scenario 4: slow responses, a 500 and an unexpected 429', () => {
  it('broken as seeded: GetAllProducts is slow, DeleteProduct 500, PutProduct the fake 429 although the update was made', async () => {
    await expectBroken();
  });

  it('the trace says the answer was replaced by a return-response inherited from the API scope, and where it is written', async () => {
    const { result, lines } = await lab.traced('productstore', '/productstore/api/Products/2', {
      method: 'PUT',
      headers: { 'Ocp-Apim-Subscription-Key': key, 'Content-Type': 'application/json' },
      body: '{"Id":2,"Name":"Yo-yo","Category":"Toys","Price":4.0}',
    });
    expect(result.status).toBe(429);
    expect(lines).toContain('backend \u00b7 forward-request: forward-request (global, line 10): backend answered 204');
    expect(lines).toContain(
      "outbound \u00b7 return-response: return-response (api productstore, line 10): replaced the backend's 204 answer with 429 Too many requests; inherited from the API scope (the document of API productstore) by operation Products_PutProduct",
    );
    expect(lines.at(-1)).toBe('outbound \u00b7 gateway: The call was allowed; the effective policy gave the answer (see the policy entries).');
    const deleted = await lab.traced('productstore', '/productstore/api/Products/1', { method: 'DELETE', headers: { 'Ocp-Apim-Subscription-Key': key } });
    expect(deleted.lines).toContain('backend \u00b7 forward-request: forward-request (global, line 10): backend answered 500');
    expect(deleted.lines.at(-1)).toBe('outbound \u00b7 gateway: The call was allowed and forwarded to the backend.');
  });

  it('fixed: without the return-response PutProduct answers 204; with the cache, the second GetAllProducts comes from it at once; the reset breaks it again', async () => {
    await lab.putPolicy('/apis/productstore', API_FIXED);
    const put = await call('PUT', '/3', '{"Id":3,"Name":"Hammer","Category":"Hardware","Price":20.0}');
    expect([put.status, put.reason, put.body.length]).toEqual([204, 'No Content', 0]);

    await lab.putPolicy('/apis/productstore/operations/Products_GetAllProducts', GET_ALL_CACHED);
    const first = await call('GET', '');
    expect(first.status).toBe(200);
    expect(first.ms).toBeGreaterThanOrEqual(DELAY_MS);
    const { result: second, lines } = await lab.traced('productstore', '/productstore/api/Products', { headers: { 'Ocp-Apim-Subscription-Key': key } });
    expect([second.status, second.text, second.headers['content-type']]).toEqual([200, first.text, first.headers['content-type']]);
    expect(second.ms).toBeLessThan(DELAY_MS);
    expect(lines).toContain('inbound \u00b7 cache-lookup: cache-lookup (operation Products_GetAllProducts, line 4): hit: answered 200 from the cache, the backend is not called');
    expect(lines.some((line) => line.startsWith('backend'))).toBe(false);
    // DeleteProduct still fails: its fault is in the backend, not in a policy.
    expect((await call('DELETE', '/1')).status).toBe(500);

    await lab.reset(4);
    // The ProductStore starts over too: the seed products, the update undone.
    await expectBroken();
  });
});
