import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogStore, CatalogUnavailableError } from '../../src/catalog/catalogStore';
import { createTableClient } from '../../src/catalog/connection';
import { builders } from '../helpers/builders';
import type { HostProcess } from '../helpers/localHost';
import { uniqueTableName } from '../helpers/catalog';
import {
  INVALID,
  PROPAGATION_BOUND_MS,
  dedicatedAzurite,
  gateway,
  management,
  report,
  startHost,
  until,
  type DedicatedAzurite,
  type Management,
} from './support';

/**
 * Storage goes away while the app runs, for real: the local host on an Azurite of
 * this file's own, which the test stops and starts again (same port, same data).
 * The gateway keeps deciding from its in-memory index; the management API says
 * 503 ServiceUnavailable at once; both resume by themselves.
 */

const MANAGEMENT_KEY = randomBytes(64).toString('base64');
/** "Well under a second": what a 503 may cost a management client. */
const FAST_503_MS = 1000;

const putProduct = (id: string) => ({ put: { kind: 'product' as const, value: builders.product({ id }) } });

let azurite: DedicatedAzurite;
let host: HostProcess;
let mgmt: Management;
const tableName = uniqueTableName('outage');

beforeAll(async () => {
  azurite = await dedicatedAzurite();
  host = await startHost({ connectionString: azurite.connectionString, tableName, managementKey: MANAGEMENT_KEY });
  mgmt = management(host, MANAGEMENT_KEY);
});

afterAll(async () => {
  await host?.stop();
  await azurite?.dispose();
});

describe('storage outage while running', () => {
  it('keeps the gateway deciding, answers management 503 quickly, and resumes by itself', async ({ task }) => {
    let requests = 0;
    let misauthorizations = 0;
    let unexpected5xx = 0;
    const count = <T extends { status: number }>(answer: T, expected5xx = false): T => {
      requests++;
      if (answer.status >= 500 && !expected5xx) unexpected5xx++;
      return answer;
    };

    // Before: the lab fixed just enough for the Starter key to pass.
    const linked = count(await mgmt.call('PUT', '/products/starter/apis/echo-api'));
    expect([200, 201]).toContain(linked.status);
    const starterKey = await mgmt.primaryKey('starter-admin');
    const unlimitedKey = await mgmt.primaryKey('unlimited-admin');
    requests += 2;
    expect(count(await gateway(host, starterKey)).status).toBe(200);
    expect(count(await gateway(host, unlimitedKey)).text).toBe(INVALID);

    await azurite.stop();

    // Down: the index decides; management is a quick 503.
    const latencies: number[] = [];
    for (let round = 0; round < 3; round++) {
      const known = count(await gateway(host, starterKey));
      const unknown = count(await gateway(host, randomBytes(16).toString('hex')));
      if (known.status !== 200) misauthorizations++;
      if (unknown.status !== 401) misauthorizations++;
      expect(known.status).toBe(200);
      expect(unknown.text).toBe(INVALID);
      for (const [method, path, body] of [
        ['GET', '/products', undefined],
        ['PUT', '/products/during-outage', { properties: { displayName: 'During' } }],
        ['PATCH', '/subscriptions/starter-admin', { properties: { state: 'suspended' } }],
      ] as const) {
        const answer = count(await mgmt.call(method, path, body, { 'If-Match': '*' }), true);
        expect(answer.status, `${method} ${path}: ${answer.text}`).toBe(503);
        expect(answer.json().error.code).toBe('ServiceUnavailable');
        expect(answer.headers.get('retry-after')).toBe('1');
        latencies.push(answer.ms);
      }
    }
    expect(Math.max(...latencies)).toBeLessThan(FAST_503_MS);

    // Back: same port, same data; nothing restarted but Azurite.
    await azurite.start();
    const restartedAt = performance.now();
    await until(async () => count((await mgmt.call('GET', '/products')), true).status === 200, 10_000, 25);
    const recoveryMs = performance.now() - restartedAt;

    // Nothing written during the outage, nothing lost from before it.
    const during = count(await mgmt.call('GET', '/products/during-outage'));
    expect(during.status).toBe(404);
    const before = count(await mgmt.call('GET', '/products/starter/apis'));
    expect(before.status).toBe(200);
    const recordsLost = (before.json().value as { name: string }[]).some((api) => api.name === 'echo-api') ? 0 : 1;
    expect(recordsLost).toBe(0);

    // A change through this instance applies at once.
    const suspended = count(await mgmt.call('PATCH', '/subscriptions/starter-admin', { properties: { state: 'suspended' } }, { 'If-Match': '*' }));
    expect(suspended.status, suspended.text).toBe(200);
    expect(count(await gateway(host, starterKey)).text).toBe(INVALID);

    // A change made by another instance (a store of this test on the same table) arrives by polling, which resumed by itself.
    const other = new CatalogStore({
      client: createTableClient({ connectionString: azurite.connectionString, tableName, source: 'test' }),
      pollIntervalMs: 0,
      log: () => {},
    });
    await other.ensureStarted();
    await other.mutate(() => ({ changes: [{ put: { kind: 'link', value: builders.link({ productId: 'unlimited', apiId: 'echo-api' }) } }], value: undefined }));
    const propagationMs = await until(async () => count(await gateway(host, unlimitedKey)).status === 200, PROPAGATION_BOUND_MS + 1000, 25);
    expect(propagationMs).toBeLessThan(PROPAGATION_BOUND_MS);

    report(task, {
      suite: 'storage outage (npm test)',
      requests,
      misauthorizations,
      unexpected5xx,
      recordsLost,
      recoverySeconds: recoveryMs / 1000,
      notes: { 'max 503 ms': Math.round(Math.max(...latencies)), 'propagation ms': Math.round(propagationMs) },
    });
    expect(unexpected5xx).toBe(0);
  });
});

describe('storage hung in the middle of writes', () => {
  it('a queued write whose caller gave up fails at once and is never made; the one under way completes', async () => {
    const store = new CatalogStore({
      client: createTableClient({ connectionString: azurite.connectionString, tableName: uniqueTableName('queue'), source: 'test' }),
      pollIntervalMs: 0,
      log: () => {},
    });
    await store.ensureStarted();
    azurite.pause();
    let first: Promise<unknown>;
    const started = performance.now();
    const outcomes: string[] = [];
    try {
      first = store.mutate(() => ({ changes: [putProduct('under-way')], value: undefined }));
      const queued = await Promise.allSettled(
        ['queued-1', 'queued-2', 'queued-3'].map((id) => store.mutate(() => ({ changes: [putProduct(id)], value: undefined }), { signal: AbortSignal.timeout(300) })),
      );
      for (const result of queued) outcomes.push(result.status === 'rejected' && result.reason instanceof CatalogUnavailableError ? 'gave up' : 'unexpected');
    } finally {
      azurite.resume();
    }
    const waited = performance.now() - started;
    await first!;
    await store.refresh();
    expect(outcomes).toEqual(['gave up', 'gave up', 'gave up']);
    expect(waited).toBeLessThan(1500);
    expect(store.index.getProduct('under-way')).toBeDefined();
    for (const id of ['queued-1', 'queued-2', 'queued-3']) expect(store.index.getProduct(id)).toBeUndefined();
  });

  it('a write that hangs past its run timeout gives up, and the writes waiting behind it give up with it', async () => {
    const store = new CatalogStore({
      client: createTableClient({ connectionString: azurite.connectionString, tableName: uniqueTableName('hang'), source: 'test' }),
      pollIntervalMs: 0,
      log: () => {},
    });
    await store.ensureStarted();
    const write = (id: string) => store.mutate(() => ({ changes: [putProduct(id)], value: undefined }), { signal: AbortSignal.timeout(10_000), runTimeoutMs: 300 });
    azurite.pause();
    const started = performance.now();
    let settled: PromiseSettledResult<unknown>[];
    try {
      settled = await Promise.allSettled([write('hung'), write('behind-1'), write('behind-2')]);
    } finally {
      azurite.resume();
    }
    const waited = performance.now() - started;
    expect(settled.map((r) => (r.status === 'rejected' && r.reason instanceof CatalogUnavailableError ? 'gave up' : r.status))).toEqual(['gave up', 'gave up', 'gave up']);
    // All three answered at the first one's run timeout, not one storage timeout after another.
    expect(waited).toBeLessThan(1000);
    // After storage is back, a new write goes through, and the ones that gave up before their turn were never made.
    await store.mutate(() => ({ changes: [putProduct('after')], value: undefined }));
    expect(store.index.getProduct('after')).toBeDefined();
    expect(store.index.getProduct('behind-1')).toBeUndefined();
    expect(store.index.getProduct('behind-2')).toBeUndefined();
  });
});
