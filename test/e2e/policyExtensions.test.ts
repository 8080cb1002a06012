import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSasToken } from '../../src/management';
import { uniqueTableName } from '../helpers/catalog';
import { labHostEnv, startHostProcess, type HostProcess } from '../helpers/localHost';
import { API_VERSION, LOCAL_SERVICE } from '../helpers/management';
import { startBackend, type TestBackend } from '../gateway/backendServer';

/**
 * The IETF RateLimit headers (`ietf-headers`, our extension) and
 * `forward-request follow-redirects` end to end: the unchanged app on the local
 * host, documents written through the management API, real HTTP throughout.
 */

const PRIMARY = randomBytes(64).toString('base64');

let host: HostProcess;
let token: string;
let masterKey: string;
const backends: TestBackend[] = [];

beforeAll(async () => {
  host = await startHostProcess({ env: labHostEnv(uniqueTableName('e2epol'), { primary: PRIMARY, secondary: randomBytes(64).toString('base64') }, { WEBSITE_HOSTNAME: undefined }) });
  token = createSasToken({ identifier: 'integration', key: PRIMARY, expiry: new Date(Date.now() + 3_600_000) });
  const secrets = await manage('POST', '/subscriptions/master/listSecrets');
  expect(secrets.status).toBe(200);
  masterKey = JSON.parse(secrets.text).primaryKey;
});

afterAll(async () => {
  await host?.stop();
  await Promise.all(backends.map((backend) => backend.close()));
});

async function call(path: string, init: RequestInit = {}) {
  const response = await fetch(`${host.baseUrl}${path}`, { redirect: 'manual', ...init });
  const body = Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, text: body.toString('utf8') };
}

function manage(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  return call(`/management${LOCAL_SERVICE}${path}?api-version=${API_VERSION}`, {
    method,
    headers: { Authorization: `SharedAccessSignature ${token}`, 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** An API at `path` with one GET operation `/resource`, and its API-scope policy document. */
async function apiWithPolicy(id: string, path: string, serviceUrl: string, policy: string) {
  for (const [resource, properties] of [
    [`/apis/${id}`, { displayName: id, path, serviceUrl, protocols: ['http', 'https'] }],
    [`/apis/${id}/operations/get`, { displayName: 'Get', method: 'GET', urlTemplate: '/resource' }],
    [`/apis/${id}/policies/policy`, { format: 'rawxml', value: policy }],
  ] as const) {
    const written = await manage('PUT', resource, { properties });
    expect([200, 201], `${resource}: ${written.text}`).toContain(written.status);
  }
}

const inbound = (elements: string, backend = '<base />') =>
  `<policies>\n  <inbound>\n    <base />\n    ${elements}\n  </inbound>\n  <backend>${backend}</backend>\n  <outbound><base /></outbound>\n  <on-error><base /></on-error>\n</policies>`;

const ietf = (headers: Headers) => ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'].map((name) => headers.get(name));

describe('ietf-headers through the local host', () => {
  beforeAll(async () => {
    const echo = `${host.baseUrl}/backend/echo`;
    await apiWithPolicy('limited-api', 'limited', echo, inbound('<rate-limit calls="2" renewal-period="60" ietf-headers="true" />'));
    await apiWithPolicy('plain-api', 'plain', echo, inbound('<rate-limit calls="1" renewal-period="60" />'));
  });

  it('refuses a bad value when the document is written: 400 ValidationError naming the element, line and column', async () => {
    const refused = await manage('PUT', '/apis/limited-api/policies/policy', {
      properties: { format: 'rawxml', value: inbound('<rate-limit calls="2" renewal-period="60" ietf-headers="sometimes" />') },
    }, { 'If-Match': '*' });
    expect(refused.status).toBe(400);
    const error = JSON.parse(refused.text).error;
    expect(error.code).toBe('ValidationError');
    expect(error.details[0].message).toBe("Error in element 'rate-limit' on line 4, column 47: The attribute 'ietf-headers' must be 'true' or 'false'; got 'sometimes'.");
    // The stored document is still the one with ietf-headers="true".
    expect(JSON.parse((await manage('GET', '/apis/limited-api/policies/policy')).text).properties.value).toContain('ietf-headers="true"');
  });

  it('puts RateLimit-Limit, -Remaining and -Reset on the 200s and on the 429 (Reset = Retry-After)', async () => {
    const headers = { 'Ocp-Apim-Subscription-Key': masterKey };
    const first = await call('/limited/resource', { headers });
    expect(first.status, first.text).toBe(200);
    const [limit, remaining, reset] = ietf(first.headers);
    expect([limit, remaining]).toEqual(['2', '1']);
    expect(Number(reset)).toBeGreaterThanOrEqual(59);
    expect(Number(reset)).toBeLessThanOrEqual(60);
    const second = await call('/limited/resource', { headers });
    expect(second.status).toBe(200);
    expect(ietf(second.headers).slice(0, 2)).toEqual(['2', '0']);
    const refused = await call('/limited/resource', { headers });
    expect(refused.status).toBe(429);
    const retryAfter = refused.headers.get('retry-after');
    expect(ietf(refused.headers)).toEqual(['2', '0', retryAfter]);
    expect(refused.text).toBe(`{ "statusCode": 429, "message": "Rate limit is exceeded. Try again in ${retryAfter} seconds." }`);
  });

  it('adds none without the attribute, allowed or refused', async () => {
    const headers = { 'Ocp-Apim-Subscription-Key': masterKey };
    for (const status of [200, 429]) {
      const result = await call('/plain/resource', { headers });
      expect(result.status).toBe(status);
      expect([...result.headers.keys()].filter((name) => name.startsWith('ratelimit'))).toEqual([]);
    }
  });
});

describe('forward-request follow-redirects through the local host', () => {
  let elsewhere: TestBackend;
  let redirecting: TestBackend;

  beforeAll(async () => {
    elsewhere = await startBackend((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`arrived at ${req.url}`);
    });
    redirecting = await startBackend((_req, res) => {
      res.writeHead(302, { location: `${elsewhere.url}/final?subscription-key=${masterKey}&a=1` });
      res.end();
    });
    backends.push(elsewhere, redirecting);
    await apiWithPolicy('follow-api', 'follow', redirecting.url, inbound('', '<forward-request follow-redirects="true" />'));
    await apiWithPolicy('nofollow-api', 'nofollow', redirecting.url, inbound('', '<forward-request follow-redirects="false" />'));
  });

  it('"true": the caller gets the final answer from the other origin, which never sees the key', async () => {
    const result = await call('/follow/resource', { headers: { 'Ocp-Apim-Subscription-Key': masterKey } });
    expect(result.status).toBe(200);
    expect(result.text).toBe('arrived at /final?a=1');
    const final = elsewhere.received.at(-1)!;
    expect(JSON.stringify(final)).not.toContain(masterKey);
    expect(final.rawHeaders.some(([name]) => name.toLowerCase() === 'ocp-apim-subscription-key')).toBe(false);
    // The first backend got the call as APIM forwards it, key header included.
    expect(redirecting.received.at(-1)!.rawHeaders.find(([name]) => name.toLowerCase() === 'ocp-apim-subscription-key')?.[1]).toBe(masterKey);
  });

  it('"false": the caller gets the 302 as the backend sent it', async () => {
    const before = elsewhere.received.length;
    const result = await call('/nofollow/resource', { headers: { 'Ocp-Apim-Subscription-Key': masterKey } });
    expect(result.status).toBe(302);
    expect(result.headers.get('location')).toBe(`${elsewhere.url}/final?subscription-key=${masterKey}&a=1`);
    expect(elsewhere.received.length).toBe(before);
  });
});
