import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createSasToken } from '../../src/management';
import { INVALID_KEY_BODY, MISSING_KEY_BODY, NOT_FOUND_BODY } from '../../src/apim/gatewayResponses';
import { uniqueTableName } from '../helpers/catalog';
import { startHostProcess, type HostProcess } from '../helpers/localHost';
import { API_VERSION, LOCAL_SERVICE } from '../helpers/management';
import { sleep } from '../helpers/time';

/**
 * Propagation between instances: two local hosts (two processes, two catalog
 * indexes) on one Azurite table, polling at the default interval (1 s). Every
 * change is made through host A's management API; host B's gateway must act on it
 * within PROPAGATION_BOUND_MS, and once it has, must never answer the old way again.
 */

const PROPAGATION_BOUND_MS = 2000;
/** How often B is asked while waiting for a change. */
const POLL_EVERY_MS = 20;
/** Requests sent to B after a change became visible, to catch a stale answer coming back. */
const RECHECKS = 8;
const RECHECK_EVERY_MS = 40;

const MISSING = MISSING_KEY_BODY.toString('utf8');
const INVALID = INVALID_KEY_BODY.toString('utf8');
const NOT_FOUND = NOT_FOUND_BODY.toString('utf8');
const RESOURCE = '/echo/resource?param1=sample';
const MANAGEMENT_KEY = randomBytes(64).toString('base64');

let hostA: HostProcess;
let hostB: HostProcess;
let token: string;
/** How long each change took to show on host B, for the summary printed at the end. */
const timings: { change: string; ms: number }[] = [];

beforeAll(async () => {
  const env = {
    PORT: '0',
    CatalogStorage: inject('azuriteConnectionString'),
    AzureWebJobsStorage: inject('azuriteConnectionString'),
    CATALOG_TABLE_NAME: uniqueTableName('prop'),
    CATALOG_POLL_MS: undefined,
    // Both instances must open each other's sealed subscription keys.
    KEY_ENCRYPTION_KEY: process.env.KEY_ENCRYPTION_KEY ?? randomBytes(32).toString('base64'),
    MANAGEMENT_PRIMARY_KEY: MANAGEMENT_KEY,
    MANAGEMENT_SECONDARY_KEY: randomBytes(64).toString('base64'),
    WEBSITE_HOSTNAME: undefined,
    SEED_LAB: undefined,
  };
  // A first: it seeds the lab (the Echo API's backend is A's echo function); B then loads what A wrote.
  hostA = await startHostProcess({ env });
  hostB = await startHostProcess({ env });
  token = createSasToken({ identifier: 'integration', key: MANAGEMENT_KEY, expiry: new Date(Date.now() + 3_600_000) });
  // Both catalogs loaded before anything is timed.
  for (const host of [hostA, hostB]) expect((await gateway(host, RESOURCE)).text).toBe(MISSING);
});

afterAll(async () => {
  await Promise.all([hostA?.stop(), hostB?.stop()]);
  if (timings.length > 0) {
    const lines = timings.map(({ change, ms }) => `  ${change.padEnd(52)} ${String(ms).padStart(5)} ms`);
    console.log(`Propagation to the other instance (bound ${PROPAGATION_BOUND_MS} ms, poll 1000 ms):\n${lines.join('\n')}`);
  }
});

interface Answer {
  status: number;
  text: string;
}

async function gateway(host: HostProcess, path: string, key?: string): Promise<Answer> {
  const response = await fetch(`${host.baseUrl}${path}`, { headers: key ? { 'Ocp-Apim-Subscription-Key': key } : {} });
  return { status: response.status, text: await response.text() };
}

async function manage(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${hostA.baseUrl}/management${LOCAL_SERVICE}${path}?api-version=${API_VERSION}`, {
    method,
    headers: { Authorization: `SharedAccessSignature ${token}`, 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

type Expectation = { status: number; text?: string };
const OK: Expectation = { status: 200 };
const REFUSED: Expectation = { status: 401, text: INVALID };
const GONE: Expectation = { status: 404, text: NOT_FOUND };

const meets = (answer: Answer, wanted: Expectation) => answer.status === wanted.status && (wanted.text === undefined || answer.text === wanted.text);

/**
 * Makes a change on host A (timed from just before it is sent), then asks host B
 * until every probe gets its new answer; fails past the bound. Afterwards every
 * probe is asked RECHECKS more times and must keep its new answer.
 */
async function propagates(change: string, make: () => Promise<Answer>, probes: { path: string; key?: string; expect: Expectation }[]): Promise<number> {
  const started = performance.now();
  const made = await make();
  expect(made.status, `${change}: ${made.text}`).toBeLessThan(300);
  const pending = new Set(probes);
  let last = new Map<(typeof probes)[number], Answer>();
  while (pending.size > 0) {
    for (const probe of [...pending]) {
      const answer = await gateway(hostB, probe.path, probe.key);
      last.set(probe, answer);
      if (meets(answer, probe.expect)) pending.delete(probe);
    }
    const elapsed = performance.now() - started;
    if (pending.size > 0 && elapsed > PROPAGATION_BOUND_MS) {
      const stale = [...pending].map((p) => `${p.path} -> ${last.get(p)?.status} ${last.get(p)?.text.slice(0, 80)}`);
      throw new Error(`${change}: host B still answered the old way after ${Math.round(elapsed)} ms: ${stale.join('; ')}`);
    }
    if (pending.size > 0) await sleep(POLL_EVERY_MS);
  }
  const ms = Math.round(performance.now() - started);
  timings.push({ change, ms });
  for (let i = 0; i < RECHECKS; i++) {
    await sleep(RECHECK_EVERY_MS);
    for (const probe of probes) {
      const answer = await gateway(hostB, probe.path, probe.key);
      expect(meets(answer, probe.expect), `${change}: recheck ${i + 1} of ${probe.path} answered ${answer.status} ${answer.text.slice(0, 80)}`).toBe(true);
    }
  }
  last = new Map();
  return ms;
}

async function secrets(id: string): Promise<{ primaryKey: string; secondaryKey: string }> {
  const result = await manage('POST', `/subscriptions/${id}/listSecrets`);
  expect(result.status, result.text).toBe(200);
  return JSON.parse(result.text) as { primaryKey: string; secondaryKey: string };
}

describe('a change made on one instance reaches the other within 2 s', () => {
  const SID = `two-hosts-${randomBytes(4).toString('hex')}`;
  const primary = randomBytes(16).toString('hex');
  let secondary = '';

  it('a new active subscription: its key goes from 401 to 200 on the other host', async () => {
    expect(await gateway(hostB, RESOURCE, primary)).toEqual({ status: 401, text: INVALID });
    const ms = await propagates(
      'create subscription (scope /apis/echo-api)',
      async () => {
        const created = await manage('PUT', `/subscriptions/${SID}`, {
          properties: { scope: '/apis/echo-api', displayName: 'Two hosts', state: 'active', primaryKey: primary },
        });
        expect(created.status, created.text).toBe(201);
        // The instance that made the change applies it to its own index at once.
        expect((await gateway(hostA, RESOURCE, primary)).status).toBe(200);
        return created;
      },
      [{ path: RESOURCE, key: primary, expect: OK }],
    );
    expect(ms).toBeLessThanOrEqual(PROPAGATION_BOUND_MS);
    secondary = (await secrets(SID)).secondaryKey;
    expect((await gateway(hostB, RESOURCE, secondary)).status).toBe(200);
  });

  it('suspended: both keys are refused on the other host; reactivated: accepted again', async () => {
    await propagates(
      'suspend subscription',
      async () => {
        const suspended = await manage('PATCH', `/subscriptions/${SID}`, { properties: { state: 'suspended' } }, { 'If-Match': '*' });
        expect(await gateway(hostA, RESOURCE, primary)).toEqual({ status: 401, text: INVALID });
        return suspended;
      },
      [
        { path: RESOURCE, key: primary, expect: REFUSED },
        { path: RESOURCE, key: secondary, expect: REFUSED },
      ],
    );
    await propagates(
      'reactivate subscription',
      () => manage('PATCH', `/subscriptions/${SID}`, { properties: { state: 'active' } }, { 'If-Match': '*' }),
      [
        { path: RESOURCE, key: primary, expect: OK },
        { path: RESOURCE, key: secondary, expect: OK },
      ],
    );
  });

  it('regenerated primary key: the old key is refused and the new one accepted on the other host', async () => {
    let fresh = '';
    await propagates(
      'regenerate primary key',
      async () => {
        const regenerated = await manage('POST', `/subscriptions/${SID}/regeneratePrimaryKey`);
        expect(regenerated.status, regenerated.text).toBe(204);
        fresh = (await secrets(SID)).primaryKey;
        expect(fresh).not.toBe(primary);
        expect(await gateway(hostA, RESOURCE, primary)).toEqual({ status: 401, text: INVALID });
        return regenerated;
      },
      [
        { path: RESOURCE, key: primary, expect: REFUSED },
        // Asked through a getter: the new key is known only once the change was made.
        {
          get key() {
            return fresh;
          },
          path: RESOURCE,
          expect: OK,
        },
        { path: RESOURCE, key: secondary, expect: OK },
      ],
    );
  });

  it('a deleted subscription: its keys are refused on the other host', async () => {
    const { primaryKey } = await secrets(SID);
    await propagates('delete subscription', () => manage('DELETE', `/subscriptions/${SID}`, undefined, { 'If-Match': '*' }), [
      { path: RESOURCE, key: primaryKey, expect: REFUSED },
      { path: RESOURCE, key: secondary, expect: REFUSED },
    ]);
  });

  it('a product link: linking lets a product key in on the other host, unlinking shuts it out', async () => {
    // Unlimited: the propagation check polls with the key, which Starter's rate limit would refuse.
    const { primaryKey: unlimitedKey } = await secrets('unlimited-admin');
    expect(await gateway(hostB, RESOURCE, unlimitedKey)).toEqual({ status: 401, text: INVALID });
    await propagates('link echo-api to product unlimited', () => manage('PUT', '/products/unlimited/apis/echo-api'), [
      { path: RESOURCE, key: unlimitedKey, expect: OK },
    ]);
    await propagates('unlink echo-api from product unlimited', () => manage('DELETE', '/products/unlimited/apis/echo-api'), [
      { path: RESOURCE, key: unlimitedKey, expect: REFUSED },
    ]);
  });

  it('a deleted operation: the other host stops routing it (404), the rest of the API keeps working', async () => {
    const { primaryKey: masterKey } = await secrets('master');
    expect((await gateway(hostB, '/echo/resource-cached', masterKey)).status).toBe(200);
    await propagates(
      'delete operation retrieve-resource-cached',
      () => manage('DELETE', '/apis/echo-api/operations/retrieve-resource-cached', undefined, { 'If-Match': '*' }),
      [
        { path: '/echo/resource-cached', key: masterKey, expect: GONE },
        { path: RESOURCE, key: masterKey, expect: OK },
      ],
    );
  });

  it('a new API, then its deletion: the other host routes it, then answers 404 and drops its subscriptions', async () => {
    const { primaryKey: masterKey } = await secrets('master');
    const apiKey = randomBytes(16).toString('hex');
    const backend = `${hostA.baseUrl}/backend/echo`;
    await propagates(
      'create API + operation + API-scoped subscription',
      async () => {
        const api = await manage('PUT', '/apis/prop-api', {
          properties: { displayName: 'Propagation', path: 'prop', serviceUrl: backend, protocols: ['http', 'https'] },
        });
        expect(api.status, api.text).toBe(201);
        const operation = await manage('PUT', '/apis/prop-api/operations/ping', {
          properties: { displayName: 'Ping', method: 'GET', urlTemplate: '/ping' },
        });
        expect(operation.status, operation.text).toBe(201);
        return manage('PUT', '/subscriptions/prop-sub', {
          properties: { scope: '/apis/prop-api', displayName: 'Propagation', state: 'active', primaryKey: apiKey },
        });
      },
      [
        { path: '/prop/ping', key: apiKey, expect: OK },
        { path: '/prop/ping', key: masterKey, expect: OK },
        { path: '/prop/ping', expect: { status: 401, text: MISSING } },
      ],
    );
    await propagates('delete API (operations, subscriptions with it)', () => manage('DELETE', '/apis/prop-api', undefined, { 'If-Match': '*' }), [
      { path: '/prop/ping', key: apiKey, expect: GONE },
      { path: '/prop/ping', key: masterKey, expect: GONE },
    ]);
    // The API-scoped subscription went with the API: its key opens nothing any more.
    expect(await gateway(hostB, RESOURCE, apiKey)).toEqual({ status: 401, text: INVALID });
  });
});
