import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogStore } from '../../src/catalog/catalogStore';
import { createTableClient } from '../../src/catalog/connection';
import { freePort } from '../../src/local/azurite';
import { createManagementApi } from '../../src/management/managementApi';
import { builders } from '../helpers/builders';
import type { HostProcess } from '../helpers/localHost';
import { uniqueTableName } from '../helpers/catalog';
import { sleep } from '../helpers/time';
import { call as callCore, settings as coreSettings } from '../management/harness';
import {
  INVALID,
  KeyTimeline,
  MISSING,
  PROPAGATION_BOUND_MS,
  SERVICE_UNAVAILABLE,
  dedicatedAzurite,
  gateway,
  judge,
  management,
  report,
  runLoad,
  startHost,
  until,
  type DedicatedAzurite,
  type Management,
  type Sample,
} from './support';

/**
 * Storage faults under load, for real: an Azurite of this file's own that the
 * test stops and restarts (refused connections), or freezes with SIGSTOP (a hung
 * storage: connections accepted, never answered), while 20 connections call the
 * gateway and a client calls the management API every 50 ms. Also: storage
 * missing when the app starts, and the store's single shared refresh under a hang.
 */

const MANAGEMENT_KEY = randomBytes(64).toString('base64');
const CONNECTIONS = 20;
const FAST_503_MS = 1000;
const HARD_CODED_KEY = '68d312d9cf3b4b3ca07be5abacaf8fc9';

let azurite: DedicatedAzurite;
let host: HostProcess;
let mgmt: Management;
const tableName = uniqueTableName('faults');
let knownKey: string;
let unlimitedKey: string;

beforeAll(async () => {
  azurite = await dedicatedAzurite();
  host = await startHost({ connectionString: azurite.connectionString, tableName, managementKey: MANAGEMENT_KEY });
  mgmt = management(host, MANAGEMENT_KEY);
  // The load's known key: an API-scoped subscription, which no product's rate limit or quota concerns.
  expect((await mgmt.call('PUT', '/subscriptions/faults-known', { properties: { displayName: 'faults-known', scope: '/apis/echo-api', state: 'active' } })).status).toBe(201);
  knownKey = await mgmt.primaryKey('faults-known');
  unlimitedKey = await mgmt.primaryKey('unlimited-admin');
});

afterAll(async () => {
  await host?.stop();
  await azurite?.dispose();
});

interface Probe {
  sent: number;
  ms: number;
  status: number;
  code?: string;
  write?: string;
}

/** Calls the management API every `everyMs` until `done()`: GETs, and every fifth call a PUT of a new product. */
async function probeManagement(done: () => boolean, everyMs = 50): Promise<Probe[]> {
  const probes: Probe[] = [];
  for (let n = 0; !done(); n++) {
    const sent = performance.now();
    const write = n % 5 === 4 ? `probe-${randomBytes(4).toString('hex')}` : undefined;
    const answer = write ? await mgmt.call('PUT', `/products/${write}`, { properties: { displayName: write } }) : await mgmt.call('GET', '/products?$top=1');
    let code: string | undefined;
    try {
      code = answer.json().error?.code;
    } catch {
      code = undefined;
    }
    probes.push({ sent, ms: answer.ms, status: answer.status, code, write });
    await sleep(everyMs);
  }
  return probes;
}

interface FaultRun {
  samples: Sample[];
  probes: Probe[];
  faultStart: number;
  faultEnd: number;
}

/** Load and probes for `totalMs`; `fault()` starts the fault at +1.5 s, `heal()` ends it `faultMs` later. */
async function underLoad(fault: () => Promise<void> | void, heal: () => Promise<void> | void, faultMs: number, totalMs: number): Promise<FaultRun> {
  const unknown = randomBytes(16).toString('hex');
  let finished = false;
  const load = runLoad({ origin: host.baseUrl, connections: CONNECTIONS, durationMs: totalMs, nextKey: () => (Math.random() < 0.8 ? knownKey : unknown) });
  const probing = probeManagement(() => finished);
  await sleep(1500);
  const faultStart = performance.now();
  await fault();
  await sleep(faultMs);
  await heal();
  const faultEnd = performance.now();
  const samples = await load;
  finished = true;
  const probes = await probing;
  return { samples, probes, faultStart, faultEnd };
}

/** Judges a fault run: gateway answers against the keys, management answers against the fault window. */
async function assess(suite: string, run: FaultRun, task: Parameters<typeof report>[0]) {
  const valid = new KeyTimeline(true);
  const never = new KeyTimeline(false);
  const verdict = judge(run.samples, (key) => (key === knownKey ? valid : never));
  const recovered = run.probes.find((p) => p.sent >= run.faultEnd && p.status < 300);
  expect(recovered, 'the management API answered again after the fault').toBeDefined();
  const recoverySeconds = (recovered!.sent + recovered!.ms - run.faultEnd) / 1000;
  // A 503 is expected from the fault's start until the first good answer after it; anything else 5xx is not.
  const during = (p: Probe) => p.sent + p.ms >= run.faultStart && p.sent <= recovered!.sent;
  const expected503 = run.probes.filter((p) => p.status === 503 && during(p));
  const unexpected = run.probes.filter((p) => p.status >= 500 && !(p.status === 503 && during(p)));
  const slow503 = expected503.filter((p) => p.ms >= FAST_503_MS);
  const wrongShape = expected503.filter((p) => p.code !== 'ServiceUnavailable');
  // Writes acknowledged before, during or after the fault are all there afterwards.
  let recordsLost = 0;
  const acknowledged = run.probes.filter((p) => p.write && p.status < 300);
  const list = (await mgmt.call('GET', '/products?$top=1000')).json().value as { name: string }[];
  const names = new Set(list.map((p) => p.name));
  recordsLost += acknowledged.filter((p) => !names.has(p.write!)).length;
  const figures = {
    suite,
    requests: run.samples.length + run.probes.length,
    misauthorizations: verdict.wronglyAccepted + verdict.wronglyRefused,
    unexpected5xx: verdict.fiveXx + unexpected.length,
    recordsLost,
    recoverySeconds,
    notes: {
      'gateway calls': run.samples.length,
      'known key 200': run.samples.filter((s) => s.key === knownKey && s.status === 200).length,
      'unknown key 401': run.samples.filter((s) => s.key !== knownKey && s.status === 401).length,
      'management 503 (expected)': expected503.length,
      'slowest 503 ms': Math.round(Math.max(0, ...expected503.map((p) => p.ms))),
      'writes acknowledged': acknowledged.length,
    },
  };
  report(task, figures);
  expect(verdict.examples, verdict.examples.join('\n')).toEqual([]);
  expect(expected503.length, 'the fault was seen by the management API').toBeGreaterThan(5);
  expect(slow503.map((p) => Math.round(p.ms))).toEqual([]);
  expect(wrongShape).toEqual([]);
  expect(unexpected.map((p) => p.status)).toEqual([]);
  expect(recordsLost).toBe(0);
  return figures;
}

/** A change written by another instance (a store of this test) reaches the host's gateway within the bound. */
async function otherInstancePropagates(): Promise<number> {
  const other = new CatalogStore({ client: createTableClient({ connectionString: azurite.connectionString, tableName, source: 'test' }), pollIntervalMs: 0, log: () => {} });
  await other.ensureStarted();
  const linked = !!other.index.productsOfApi('echo-api').find((p) => p.id === 'unlimited');
  await other.mutate(() => ({
    changes: [linked ? { delete: { kind: 'link' as const, productId: 'unlimited', apiId: 'echo-api' } } : { put: { kind: 'link' as const, value: builders.link({ productId: 'unlimited', apiId: 'echo-api' }) } }],
    value: undefined,
  }));
  const wanted = linked ? 401 : 200;
  return until(async () => (await gateway(host, unlimitedKey)).status === wanted, PROPAGATION_BOUND_MS + 3000, 25);
}

describe('storage faults under load', () => {
  it('storage stopped for 3 s and restarted: gateway keeps deciding, management 503 fast, all resumes by itself', async ({ task }) => {
    const run = await underLoad(() => azurite.stop(), () => azurite.start(), 3000, 8000);
    const figures = await assess('storage outage under load (stop/restart)', run, task);
    const propagationMs = await otherInstancePropagates();
    console.log(`[reliability] after the outage, another instance's change reached the gateway in ${Math.round(propagationMs)} ms`);
    expect(propagationMs).toBeLessThan(PROPAGATION_BOUND_MS);
    expect(figures.recoverySeconds).toBeLessThan(5);
  });

  it('storage hung (SIGSTOP) for 6 s: gateway keeps deciding, management 503 fast, all resumes by itself', async ({ task }) => {
    const run = await underLoad(() => azurite.pause(), () => azurite.resume(), 6000, 10_000);
    const figures = await assess('storage hung under load (SIGSTOP 6 s)', run, task);
    const propagationMs = await otherInstancePropagates();
    console.log(`[reliability] after the hang, another instance's change reached the gateway in ${Math.round(propagationMs)} ms`);
    expect(propagationMs).toBeLessThan(PROPAGATION_BOUND_MS);
    expect(figures.recoverySeconds).toBeLessThan(5);
  });

  it('hung storage: one storage request in flight however many callers (the refresh is shared), each caller answered 503 fast', async ({ task }) => {
    const client = createTableClient({ connectionString: azurite.connectionString, tableName: uniqueTableName('flight'), source: 'test' });
    let inFlight = 0;
    let maxInFlight = 0;
    let sentWhileHung = 0;
    let hung = false;
    client.pipeline.addPolicy({
      name: 'countInFlight',
      async sendRequest(request, next) {
        inFlight++;
        if (hung) sentWhileHung++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        try {
          return await next(request);
        } finally {
          inFlight--;
        }
      },
    });
    const store = new CatalogStore({ client, pollIntervalMs: 50, log: () => {} });
    const api = createManagementApi({ store, settings: coreSettings, log: () => {} });
    expect((await callCore(api, 'GET', '/products')).status).toBe(200);
    maxInFlight = 0;
    azurite.pause();
    hung = true;
    const started = performance.now();
    const answers: { status: number; ms: number }[] = [];
    try {
      // Callers keep coming for 3 s, 20 at a time, while the store polls every 50 ms.
      while (performance.now() - started < 3000) {
        const batch = await Promise.all(
          Array.from({ length: 20 }, async () => {
            const t = performance.now();
            const result = await callCore(api, 'GET', '/products');
            return { status: result.status, ms: performance.now() - t };
          }),
        );
        answers.push(...batch);
      }
    } finally {
      hung = false;
      azurite.resume();
    }
    const recoveryMs = await until(async () => (await callCore(api, 'GET', '/products')).status === 200, 10_000, 25);
    store.stop();
    report(task, {
      suite: 'hung storage, shared refresh (in process)',
      requests: answers.length,
      misauthorizations: 0,
      unexpected5xx: answers.filter((a) => a.status >= 500 && a.status !== 503).length,
      recordsLost: 0,
      recoverySeconds: recoveryMs / 1000,
      notes: { 'storage requests in flight (max)': maxInFlight, 'storage requests sent while hung': sentWhileHung, 'slowest 503 ms': Math.round(Math.max(...answers.map((a) => a.ms))) },
    });
    expect(answers.every((a) => a.status === 503)).toBe(true);
    expect(Math.max(...answers.map((a) => a.ms))).toBeLessThan(FAST_503_MS);
    expect(maxInFlight).toBeLessThanOrEqual(2);
    expect(sentWhileHung).toBeLessThanOrEqual(2);
  });
});

describe('storage unavailable when the app starts', () => {
  it('the gateway answers an APIM-shaped 503 (never 200 or 401), then serves by itself once storage is there', async ({ task }) => {
    const port = await freePort();
    const late = await dedicatedAzurite({ port, started: false });
    const lateHost = await startHost({ connectionString: late.connectionString, tableName: uniqueTableName('late'), managementKey: MANAGEMENT_KEY });
    try {
      const lateMgmt = management(lateHost, MANAGEMENT_KEY);
      let requests = 0;
      let misauthorizations = 0;
      let unexpected5xx = 0;
      const startedAt = performance.now();
      while (performance.now() - startedAt < 2000) {
        for (const key of [undefined, HARD_CODED_KEY, randomBytes(16).toString('hex')]) {
          const answer = await gateway(lateHost, key);
          requests++;
          if (answer.status === 200 || answer.status === 401) misauthorizations++;
          expect(answer.status).toBe(503);
          expect(answer.text).toBe(SERVICE_UNAVAILABLE);
          expect(answer.headers.get('content-type')).toBe('application/json');
        }
        const managed = await lateMgmt.call('GET', '/products');
        requests++;
        expect(managed.status).toBe(503);
        expect(managed.json().error.code).toBe('ServiceUnavailable');
        expect(managed.ms).toBeLessThan(FAST_503_MS);
        await sleep(100);
      }
      await late.start();
      const servingMs = await until(
        async () => {
          const answer = await gateway(lateHost);
          requests++;
          if (answer.status === 200) misauthorizations++;
          if (answer.status >= 500 && answer.status !== 503) unexpected5xx++;
          return answer.status === 401;
        },
        10_000,
        50,
      );
      expect((await gateway(lateHost)).text).toBe(MISSING);
      expect((await gateway(lateHost, HARD_CODED_KEY)).text).toBe(INVALID);
      expect((await lateMgmt.call('GET', '/products')).status).toBe(200);
      report(task, {
        suite: 'storage unavailable at start',
        requests,
        misauthorizations,
        unexpected5xx,
        recordsLost: 0,
        recoverySeconds: servingMs / 1000,
        notes: { 'seconds from storage up to serving': (servingMs / 1000).toFixed(2) },
      });
      expect(misauthorizations).toBe(0);
      expect(servingMs).toBeLessThan(5000);
    } finally {
      await lateHost.stop();
      await late.dispose();
    }
  });
});
