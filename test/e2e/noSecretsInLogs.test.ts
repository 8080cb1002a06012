import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSasToken } from '../../src/management';
import { uniqueTableName } from '../helpers/catalog';
import { labHostEnv, startHostProcess, type HostProcess } from '../helpers/localHost';
import { API_VERSION, LOCAL_SERVICE } from '../helpers/management';
import { sleep } from '../helpers/time';

/**
 * Runs a whole session against one host — the lab's 401s, the fix, keys in headers
 * and query strings, rotation, refused management calls whose bodies carry keys,
 * bad and expired tokens — then searches everything the host printed for every
 * secret the session used. Only the start banner's own token may appear, once.
 */

const PRIMARY = randomBytes(64).toString('base64');
const SECONDARY = randomBytes(64).toString('base64');
const ENCRYPTION = process.env.KEY_ENCRYPTION_KEY!;

let host: HostProcess;
const secrets = new Set<string>([PRIMARY, SECONDARY, ENCRYPTION]);

function token(key = PRIMARY, hours = 1) {
  const value = createSasToken({ identifier: 'integration', key, expiry: new Date(Date.now() + hours * 3_600_000) });
  secrets.add(value);
  secrets.add(value.split('&sn=')[1]!);
  return value;
}

async function manage(method: string, path: string, options: { body?: unknown; auth?: string; query?: string } = {}) {
  const response = await fetch(`${host.baseUrl}/management${LOCAL_SERVICE}${path}?api-version=${API_VERSION}${options.query ?? ''}`, {
    method,
    headers: {
      Authorization: options.auth ?? `SharedAccessSignature ${token()}`,
      'Content-Type': 'application/json',
      ...(method === 'PATCH' ? { 'If-Match': '*' } : {}),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null };
}

async function keysOf(subscription: string): Promise<string[]> {
  const { json } = await manage('POST', `/subscriptions/${subscription}/listSecrets`);
  for (const key of [json.primaryKey, json.secondaryKey]) secrets.add(key);
  return [json.primaryKey, json.secondaryKey];
}

beforeAll(async () => {
  host = await startHostProcess({
    env: labHostEnv(uniqueTableName('logs'), { primary: PRIMARY, secondary: SECONDARY }),
  });
});

afterAll(async () => {
  await host?.stop();
});

describe('no secret reaches the logs', () => {
  it('prints no key, token or signature during a whole lab session', async () => {
    const [starter] = await keysOf('starter-admin');
    const [master, masterSecondary] = await keysOf('master');
    const gateway = (path: string, headers: Record<string, string> = {}) => fetch(`${host.baseUrl}${path}`, { headers }).then((r) => r.status);

    // The two 401s, then the fix.
    expect(await gateway('/echo/resource?param1=sample')).toBe(401);
    expect(await gateway('/echo/resource', { 'Ocp-Apim-Subscription-Key': '68d312d9cf3b4b3ca07be5abacaf8fc9' })).toBe(401);
    for (const op of ['create-resource', 'retrieve-resource']) {
      expect((await manage('PATCH', `/apis/echo-api/operations/${op}`, { body: { properties: { request: { headers: [] } } } })).status).toBe(200);
    }
    expect((await manage('PUT', '/products/starter/apis/echo-api')).status).toBe(201);

    // Keys in headers and query strings, valid and not.
    expect(await gateway('/echo/resource', { 'Ocp-Apim-Subscription-Key': starter! })).toBe(200);
    expect(await gateway(`/echo/resource?subscription-key=${master}`)).toBe(200);
    expect(await gateway(`/echo/resource?subscription-key=${masterSecondary}&x=1`)).toBe(200);
    expect(await gateway('/echo/nowhere', { 'Ocp-Apim-Subscription-Key': starter! })).toBe(404);
    expect(await gateway(`/nothing?subscription-key=${master}`)).toBe(404);

    // Rotation, suspension, a new subscription with keys chosen by the admin.
    expect((await manage('POST', '/subscriptions/starter-admin/regeneratePrimaryKey')).status).toBe(204);
    await keysOf('starter-admin');
    expect(await gateway('/echo/resource', { 'Ocp-Apim-Subscription-Key': starter! })).toBe(401);
    const chosen = `chosen-${randomBytes(12).toString('hex')}`;
    secrets.add(chosen);
    const mine = await manage('PUT', '/subscriptions/mine', { body: { properties: { scope: '/apis', displayName: 'Mine', state: 'active', primaryKey: chosen } } });
    expect(mine.status, JSON.stringify(mine.json)).toBe(201);
    await keysOf('mine');

    // Refused management calls whose bodies or queries carry keys.
    const leaked = `leak-${randomBytes(12).toString('hex')}`;
    secrets.add(leaked);
    expect((await manage('PUT', '/subscriptions/bad', { body: { properties: { scope: '/nowhere', primaryKey: leaked } } })).status).toBe(400);
    expect((await manage('PUT', '/subscriptions/dup', { body: { properties: { scope: '/apis', displayName: 'Dup', primaryKey: chosen } } })).status).toBe(409);
    expect((await manage('PATCH', '/subscriptions/mine', { body: { properties: { primaryKey: `${leaked}\u0000` } } })).status).toBe(400);
    expect((await manage('GET', '/subscriptions', { query: `&$filter=${encodeURIComponent(`name eq '${leaked}' or x`)}` })).status).toBe(400);

    // A traced call: the debug token and the trace id (the sealed trace) are secrets too.
    const debug = await manage('POST', '/gateways/managed/listDebugCredentials', { body: { apiId: '/apis/echo-api', purposes: ['tracing'] } });
    expect(debug.status).toBe(200);
    secrets.add(debug.json.token);
    const traced = await fetch(`${host.baseUrl}/echo/resource`, { headers: { 'Apim-Debug-Authorization': debug.json.token, 'Ocp-Apim-Subscription-Key': starter! } });
    await traced.arrayBuffer();
    const traceId = traced.headers.get('apim-trace-id');
    expect(traceId).toBeTruthy();
    secrets.add(traceId!);
    expect((await manage('POST', '/gateways/managed/listTrace', { body: { traceId } })).status).toBe(200);
    expect((await manage('POST', '/gateways/managed/listTrace', { body: { traceId: `${traceId}x` } })).status).toBe(404);

    // Bad, expired and foreign tokens, in both schemes.
    const foreign = randomBytes(64).toString('base64');
    secrets.add(foreign);
    expect((await manage('GET', '/products', { auth: `SharedAccessSignature ${token(foreign)}` })).status).toBe(401);
    expect((await manage('GET', '/products', { auth: `SharedAccessSignature ${token(PRIMARY, -1)}` })).status).toBe(401);
    expect((await manage('GET', '/products', { auth: `Bearer ${token()}` })).status).toBe(200);

    // Everything the host printed, minus the banner's own token (printed on purpose, once).
    await sleep(300);
    const output = host.output();
    const bannerToken = /Authorization: SharedAccessSignature (\S+)/.exec(output)?.[1];
    expect(bannerToken).toBeDefined();
    const rest = output.replace(bannerToken!, '<banner token>');
    expect(rest).toContain('[zz-gateway] Executed');
    expect(rest).toContain('[management] Executed');
    const found = [...secrets].filter((secret) => secret && rest.includes(secret));
    expect(found.map((s) => `${s.slice(0, 6)}... (${s.length} chars)`)).toEqual([]);
    expect(secrets.size).toBeGreaterThan(20);
  });
});
