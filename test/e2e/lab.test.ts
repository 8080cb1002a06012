import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSasToken } from '../../src/management';
import { callQuotaResponse, INVALID_KEY_BODY, MISSING_KEY_BODY, NOT_FOUND_BODY } from '../../src/apim/gatewayResponses';
import { uniqueTableName } from '../helpers/catalog';
import { labHostEnv, startHostProcess, type HostProcess } from '../helpers/localHost';
import { API_VERSION, LOCAL_SERVICE } from '../helpers/management';

/**
 * The scenario-3 lab end to end: the unchanged app on the local host, real HTTP,
 * real Azurite. Asserts the exact bytes a learner sees, then fixes the lab through
 * the management API and sees the echo come back through the gateway.
 */

const MISSING = MISSING_KEY_BODY.toString('utf8');
const INVALID = INVALID_KEY_BODY.toString('utf8');
const NOT_FOUND = NOT_FOUND_BODY.toString('utf8');
const HARD_CODED_KEY = '68d312d9cf3b4b3ca07be5abacaf8fc9';
const PRIMARY = randomBytes(64).toString('base64');

let host: HostProcess;
let token: string;

beforeAll(async () => {
  host = await startHostProcess({
    env: labHostEnv(uniqueTableName('e2e'), { primary: PRIMARY, secondary: randomBytes(64).toString('base64') }, { WEBSITE_HOSTNAME: undefined }),
  });
  token = createSasToken({ identifier: 'integration', key: PRIMARY, expiry: new Date(Date.now() + 3_600_000) });
});

afterAll(async () => {
  await host?.stop();
});

async function call(path: string, init: RequestInit = {}) {
  const response = await fetch(`${host.baseUrl}${path}`, init);
  const body = Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, body, text: body.toString('utf8') };
}

function manage(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  return call(`/management${LOCAL_SERVICE}${path}${path.includes('?') ? '&' : '?'}api-version=${API_VERSION}`, {
    method,
    headers: { Authorization: `SharedAccessSignature ${token}`, 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

function expectApimError(result: Awaited<ReturnType<typeof call>>, status: number, body: string) {
  expect(result.status).toBe(status);
  expect(result.text).toBe(body);
  expect(result.headers.get('content-type')).toBe('application/json');
  expect(result.headers.get('content-length')).toBe(String(Buffer.byteLength(body)));
}

const realm = (h: HostProcess) => `AzureApiManagementKey realm="http://127.0.0.1:${h.port}/echo",name="Ocp-Apim-Subscription-Key",type="header"`;

describe('scenario 3, broken as seeded', () => {
  it('answers 401 missing, byte for byte, to a call without a key', async () => {
    const result = await call('/echo/resource?param1=sample');
    expectApimError(result, 401, MISSING);
    expect(result.body.length).toBe(152);
    expect(result.headers.get('www-authenticate')).toBe(realm(host));
  });

  it('answers 401 invalid, byte for byte, to the hard-coded key', async () => {
    const result = await call('/echo/resource?param1=sample', { headers: { 'Ocp-Apim-Subscription-Key': HARD_CODED_KEY } });
    expectApimError(result, 401, INVALID);
    expect(result.body.length).toBe(143);
    expect(result.headers.get('www-authenticate')).toBe(realm(host));
  });

  it('answers 401 missing on every one of the six operations', async () => {
    for (const [method, path] of [
      ['POST', '/echo/resource'],
      ['PUT', '/echo/resource'],
      ['DELETE', '/echo/resource'],
      ['GET', '/echo/resource'],
      ['GET', '/echo/resource-cached'],
    ] as const) {
      expectApimError(await call(path, { method }), 401, MISSING);
    }
    const head = await fetch(`${host.baseUrl}/echo/resource`, { method: 'HEAD' });
    expect(head.status).toBe(401);
    expect(head.headers.get('www-authenticate')).toBe(realm(host));
  });

  it('builds the realm from X-Forwarded-Proto and Host, as behind Azure front ends', async () => {
    // fetch may not set Host: plain node:http can.
    const wwwAuthenticate = await new Promise<string | undefined>((resolve, reject) => {
      const req = httpRequest(`${host.baseUrl}/echo/resource`, { headers: { 'X-Forwarded-Proto': 'https', Host: 'lab.example.net' } }, (res) => {
        res.resume();
        resolve(res.headers['www-authenticate'] as string | undefined);
      });
      req.on('error', reject);
      req.end();
    });
    expect(wwwAuthenticate).toBe(
      'AzureApiManagementKey realm="https://lab.example.net/echo",name="Ocp-Apim-Subscription-Key",type="header"',
    );
  });

  it('answers 404 before any key check: unknown path, path prefix of another word, wrong method', async () => {
    expectApimError(await call('/nothing-here'), 404, NOT_FOUND);
    expectApimError(await call('/echoes/resource'), 404, NOT_FOUND);
    expectApimError(await call('/echo/resource', { method: 'PATCH' }), 404, NOT_FOUND);
    const notFound = await call('/echo/unknown', { headers: { 'Ocp-Apim-Subscription-Key': HARD_CODED_KEY } });
    expectApimError(notFound, 404, NOT_FOUND);
    expect(notFound.headers.get('www-authenticate')).toBeNull();
  });

  it('serves the echo backend directly', async () => {
    const result = await call('/backend/echo/resource', { method: 'POST', body: 'hello', headers: { 'Content-Type': 'text/plain', 'X-Probe': 'p' } });
    expect(result.status).toBe(200);
    expect(result.text).toBe('hello');
    expect(result.headers.get('x-probe')).toBe('p');
    expect(result.headers.get('content-type')).toBe('text/plain');
  });
});

describe('scenario 3, fixed through the management API', () => {
  let starterKey: string;

  beforeAll(async () => {
    for (const operation of ['create-resource', 'retrieve-resource']) {
      const patched = await manage('PATCH', `/apis/echo-api/operations/${operation}`, { properties: { request: { headers: [] } } }, { 'If-Match': '*' });
      expect(patched.status, patched.text).toBe(200);
    }
    const linked = await manage('PUT', '/products/starter/apis/echo-api');
    expect([200, 201]).toContain(linked.status);
    const secrets = await manage('POST', '/subscriptions/starter-admin/listSecrets');
    expect(secrets.status).toBe(200);
    starterKey = JSON.parse(secrets.text).primaryKey;
    expect(starterKey).toMatch(/^[0-9a-f]{32}$/);
  });

  it('still refuses the hard-coded key, which belongs to no subscription', async () => {
    expectApimError(await call('/echo/resource?param1=sample', { headers: { 'Ocp-Apim-Subscription-Key': HARD_CODED_KEY } }), 401, INVALID);
  });

  it('echoes the request through the gateway with the Starter key, key header forwarded', async () => {
    const result = await call('/echo/resource?param1=sample', { headers: { 'Ocp-Apim-Subscription-Key': starterKey, 'X-Custom': 'abc' } });
    expect(result.status).toBe(200);
    expect(result.headers.get('x-custom')).toBe('abc');
    expect(result.headers.get('ocp-apim-subscription-key')).toBe(starterKey);
    expect(result.headers.get('x-forwarded-for')).toMatch(/127\.0\.0\.1/);
  });

  it('returns a binary body byte for byte, and accepts the key in the query string', async () => {
    const payload = randomBytes(256 * 1024);
    const result = await call(`/echo/resource?subscription-key=${starterKey}`, {
      method: 'POST',
      body: payload,
      headers: { 'Content-Type': 'application/octet-stream' },
    });
    expect(result.status).toBe(200);
    expect(result.headers.get('content-type')).toBe('application/octet-stream');
    expect(Buffer.compare(result.body, payload)).toBe(0);
  });

  it('answers HEAD with headers and no body', async () => {
    const response = await fetch(`${host.baseUrl}/echo/resource`, { method: 'HEAD', headers: { 'Ocp-Apim-Subscription-Key': starterKey } });
    expect(response.status).toBe(200);
    expect((await response.arrayBuffer()).byteLength).toBe(0);
  });

  it('refuses the key at once when the subscription is suspended, and takes it back when reactivated', async () => {
    const suspend = await manage('PATCH', '/subscriptions/starter-admin', { properties: { state: 'suspended' } }, { 'If-Match': '*' });
    expect(suspend.status, suspend.text).toBe(200);
    expectApimError(await call('/echo/resource', { headers: { 'Ocp-Apim-Subscription-Key': starterKey } }), 401, INVALID);
    const activate = await manage('PATCH', '/subscriptions/starter-admin', { properties: { state: 'active' } }, { 'If-Match': '*' });
    expect(activate.status).toBe(200);
    expect((await call('/echo/resource', { headers: { 'Ocp-Apim-Subscription-Key': starterKey } })).status).toBe(200);
  });

  it("enforces the lab's Starter policy: 100 calls an hour per subscription, then APIM's 403 with the time to the next period", async () => {
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof call>> | undefined;
    for (let i = 0; i < 101 && !limited; i++) {
      const result = await call('/echo/resource', { headers: { 'Ocp-Apim-Subscription-Key': starterKey } });
      statuses.push(result.status);
      if (result.status === 403) limited = result;
    }
    // Earlier tests of this file already made some of the period's 100 calls.
    expect(statuses.filter((status) => status === 200).length).toBeLessThanOrEqual(100);
    expect(statuses.filter((status) => status !== 200 && status !== 403)).toEqual([]);
    expect(limited, `statuses ${statuses.join(',')}`).toBeDefined();
    const replenished = /replenished in (\d\d):(\d\d):(\d\d)\./.exec(limited!.text);
    expect(replenished).not.toBeNull();
    const [, h, m, sec] = replenished!.map(Number);
    const seconds = h! * 3600 + m! * 60 + sec!;
    expect(seconds).toBeLessThanOrEqual(3600);
    expectApimError(limited!, 403, callQuotaResponse(seconds).body.toString());
    expect(limited!.headers.get('retry-after')).toBe(String(seconds));
    // The gateway's own answers come first: a call without a key is still the 401, not the 403.
    expectApimError(await call('/echo/resource'), 401, MISSING);
  });

  it('refuses management calls without a valid token', async () => {
    const result = await call(`/management${LOCAL_SERVICE}/products?api-version=${API_VERSION}`);
    expect(result.status).toBe(401);
    expect(JSON.parse(result.text).error.code).toBe('Unauthorized');
  });
});

describe('scenario 3, reset alone', () => {
  it('POST /lab/reset?scenario=3 brings back both 401s and leaves the other scenarios as they are', async () => {
    // The Echo API is fixed (above); another scenario is fixed too: its fix must survive the reset of scenario 3.
    const unlimited = JSON.parse((await manage('POST', '/subscriptions/unlimited-admin/listSecrets')).text).primaryKey as string;
    const fixed = await manage(
      'PUT',
      '/apis/blank-api/operations/getheaders/policies/policy',
      { properties: { format: 'rawxml', value: '<policies><inbound><base /></inbound><backend><forward-request /></backend><outbound><base /></outbound></policies>' } },
      { 'If-Match': '*' },
    );
    expect(fixed.status, fixed.text).toBe(200);
    const headers = { 'Ocp-Apim-Subscription-Key': unlimited };
    expect((await call('/httpbin/headers', { headers })).body.length).toBeGreaterThan(0);

    const reset = await call('/lab/reset?scenario=3', { method: 'POST', headers: { Authorization: `SharedAccessSignature ${token}` } });
    expect(reset.status, reset.text).toBe(200);
    expect(JSON.parse(reset.text)).toMatchObject({ scenario: 3 });

    expectApimError(await call('/echo/resource?param1=sample'), 401, MISSING);
    expectApimError(await call('/echo/resource?param1=sample', { headers: { 'Ocp-Apim-Subscription-Key': HARD_CODED_KEY } }), 401, INVALID);
    // The Echo API is in no product again, so the administrator's Unlimited key does not cover it either.
    expectApimError(await call('/echo/resource?param1=sample', { headers }), 401, INVALID);
    const operation = JSON.parse((await manage('GET', '/apis/echo-api/operations/retrieve-resource')).text);
    expect(operation.properties.request.headers).toMatchObject([{ name: 'Ocp-Apim-Subscription-Key', defaultValue: HARD_CODED_KEY }]);
    expect(JSON.parse((await manage('GET', '/apis/echo-api/products')).text).value).toEqual([]);

    // Scenario 1 keeps its fix; the Unlimited key is the same key as before.
    const blank = await call('/httpbin/headers', { headers });
    expect(blank.status).toBe(200);
    expect(JSON.parse(blank.text).headers['Ocp-Apim-Subscription-Key']).toBe(unlimited);
  });

  it('the trace, read as the console reads it, says why each 401: the hard-coded key belongs to no subscription, the other calls carry none', async () => {
    const issued = await manage('POST', '/gateways/managed/listDebugCredentials', { credentialsExpireAfter: 'PT1H', apiId: '/apis/echo-api', purposes: ['tracing'] });
    const debug = JSON.parse(issued.text).token as string;
    const messagesOf = async (result: Awaited<ReturnType<typeof call>>) => {
      const trace = JSON.parse((await manage('POST', '/gateways/managed/listTrace', { traceId: result.headers.get('apim-trace-id') })).text);
      return (['inbound', 'backend', 'outbound'] as const).flatMap((group) => (trace.traceEntries[group] as { data: { message?: string } }[]).flatMap((e) => e.data.message ?? []));
    };
    const invalid = await call('/echo/resource?param1=sample', { headers: { 'Ocp-Apim-Subscription-Key': HARD_CODED_KEY, 'Apim-Debug-Authorization': debug } });
    expectApimError(invalid, 401, INVALID);
    expect(await messagesOf(invalid)).toEqual([
      "API 'echo-api' and operation 'retrieve-resource' matched.",
      'A subscription key was found in the header.',
      'The subscription key belongs to no subscription: 401 (invalid key).',
    ]);
    const missing = await call('/echo/resource', { method: 'PUT', headers: { 'Apim-Debug-Authorization': debug } });
    expectApimError(missing, 401, MISSING);
    expect(await messagesOf(missing)).toEqual([
      "API 'echo-api' and operation 'modify-resource' matched.",
      'No subscription key was found in the request.',
      "No subscription key under the API's header or query parameter name, and the API is in no product that needs none: 401 (missing key).",
    ]);
    expect(JSON.stringify(await messagesOf(invalid))).not.toContain(HARD_CODED_KEY);
  });
});
