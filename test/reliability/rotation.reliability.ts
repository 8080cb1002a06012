import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import type { HostProcess } from '../helpers/localHost';
import { uniqueTableName } from '../helpers/catalog';
import { sleep } from '../helpers/time';
import {
  KeyTimeline,
  PROPAGATION_BOUND_MS,
  gateway,
  judge,
  management,
  report,
  runLoad,
  startHost,
  until,
  type Management,
} from './support';

/**
 * Key rotation under load, across instances: two hosts on one table; every change
 * goes through host A's management API while 50 connections call host B's gateway
 * with keys that stay valid, keys that get regenerated away, subscriptions that
 * get suspended and resumed, and keys that never existed. Each answer is judged
 * against its key's validity over time: valid throughout the call -> never 401;
 * revoked more than the propagation bound (2 s) before the call -> never 200.
 */

const CONNECTIONS = 50;
const DURATION_MS = Number(process.env.ROTATION_DURATION_MS ?? 8000);
const CHANGE_EVERY_MS = 300;
const MANAGEMENT_KEY = randomBytes(64).toString('base64');
const STABLE = ['stable-0', 'stable-1', 'stable-2', 'stable-3'];
const ROTATING = ['rot-0', 'rot-1', 'rot-2', 'rot-3', 'rot-4', 'rot-5'];

let hostA: HostProcess;
let hostB: HostProcess;
let a: Management;
let b: Management;

beforeAll(async () => {
  const setup = { connectionString: inject('azuriteConnectionString'), tableName: uniqueTableName('rot'), managementKey: MANAGEMENT_KEY };
  hostA = await startHost(setup);
  hostB = await startHost(setup);
  a = management(hostA, MANAGEMENT_KEY);
  b = management(hostB, MANAGEMENT_KEY);
});

afterAll(async () => {
  await Promise.all([hostA?.stop(), hostB?.stop()]);
});

interface RotatingSubscription {
  id: string;
  active: boolean;
  primary: string;
  secondary: string;
}

describe('key rotation under load, two instances', () => {
  it(`${CONNECTIONS} connections for ${DURATION_MS} ms at host B while keys change through host A`, async ({ task }) => {
    let managementCalls = 0;
    let management5xx = 0;
    const manage = async (...args: Parameters<Management['call']>) => {
      managementCalls++;
      const answer = await a.call(...args);
      if (answer.status >= 500) management5xx++;
      return answer;
    };

    // Unlimited: the rotating keys carry the load, which Starter's rate limit would refuse.
    expect([200, 201]).toContain((await manage('PUT', '/products/unlimited/apis/echo-api')).status);
    const timelines = new Map<string | undefined, KeyTimeline>();
    const never = new KeyTimeline(false);
    const stableKeys: string[] = [];
    const keysOf = async (id: string) => {
      managementCalls++;
      const secrets = (await a.call('POST', `/subscriptions/${id}/listSecrets`)).json();
      return { primary: secrets.primaryKey as string, secondary: secrets.secondaryKey as string };
    };
    for (const id of STABLE) {
      expect((await manage('PUT', `/subscriptions/${id}`, { properties: { displayName: id, scope: '/apis/echo-api', state: 'active' } })).status).toBe(201);
      const { primary, secondary } = await keysOf(id);
      timelines.set(primary, new KeyTimeline(true));
      timelines.set(secondary, new KeyTimeline(true));
      stableKeys.push(primary, secondary);
    }
    const rotating: RotatingSubscription[] = [];
    for (const id of ROTATING) {
      expect((await manage('PUT', `/subscriptions/${id}`, { properties: { displayName: id, scope: '/products/unlimited', state: 'active' } })).status).toBe(201);
      const { primary, secondary } = await keysOf(id);
      timelines.set(primary, new KeyTimeline(true));
      timelines.set(secondary, new KeyTimeline(true));
      rotating.push({ id, active: true, primary, secondary });
    }
    // B has every key before the clock starts.
    const last = rotating[rotating.length - 1]!.secondary;
    await until(async () => (await gateway(hostB, last)).status === 200, 10_000);

    const unknown = Array.from({ length: 4 }, () => randomBytes(16).toString('hex'));
    for (const key of unknown) timelines.set(key, never);
    /** Every rotating key ever issued, current or retired: retired ones must be refused. */
    const rotatingKeys = rotating.flatMap((s) => [s.primary, s.secondary]);

    const pick = <T>(items: readonly T[]) => items[Math.floor(Math.random() * items.length)]!;
    const nextKey = () => {
      const r = Math.random();
      if (r < 0.35) return pick(stableKeys);
      if (r < 0.85) return pick(rotatingKeys);
      if (r < 0.95) return pick(unknown);
      return undefined;
    };
    timelines.set(undefined, never);

    // The changes, one after another, for as long as the load runs.
    const changes = { regenerated: 0, suspended: 0, resumed: 0, failed: 0 };
    let loadRunning = true;
    const mutator = (async () => {
      await sleep(500);
      while (loadRunning) {
        const subscription = pick(rotating);
        const t0 = performance.now();
        if (!subscription.active) {
          const answer = await manage('PATCH', `/subscriptions/${subscription.id}`, { properties: { state: 'active' } }, { 'If-Match': '*' });
          const t1 = performance.now();
          if (answer.status !== 200) changes.failed++;
          else {
            subscription.active = true;
            changes.resumed++;
            for (const key of [subscription.primary, subscription.secondary]) timelines.get(key)!.change(t0, t1, true);
          }
        } else if (Math.random() < 0.6) {
          const slot = Math.random() < 0.5 ? 'primary' : 'secondary';
          const answer = await manage('POST', `/subscriptions/${subscription.id}/regenerate${slot === 'primary' ? 'Primary' : 'Secondary'}Key`);
          const t1 = performance.now();
          if (answer.status !== 204) changes.failed++;
          else {
            changes.regenerated++;
            timelines.get(subscription[slot])!.change(t0, t1, false);
            const fresh = (await keysOf(subscription.id))[slot];
            // The new key exists from some time between t0 and t1.
            const timeline = new KeyTimeline(false);
            timeline.change(t0, t1, true);
            timelines.set(fresh, timeline);
            subscription[slot] = fresh;
            rotatingKeys.push(fresh);
          }
        } else {
          const answer = await manage('PATCH', `/subscriptions/${subscription.id}`, { properties: { state: 'suspended' } }, { 'If-Match': '*' });
          const t1 = performance.now();
          if (answer.status !== 200) changes.failed++;
          else {
            subscription.active = false;
            changes.suspended++;
            for (const key of [subscription.primary, subscription.secondary]) timelines.get(key)!.change(t0, t1, false);
          }
        }
        await sleep(CHANGE_EVERY_MS);
      }
    })();

    const started = performance.now();
    const samples = await runLoad({ origin: hostB.baseUrl, connections: CONNECTIONS, durationMs: DURATION_MS, nextKey });
    const seconds = (performance.now() - started) / 1000;
    loadRunning = false;
    await mutator;

    const verdict = judge(samples, (key) => timelines.get(key) ?? never);

    // Nothing acknowledged was lost: B's management API (its own catalog) shows the last state and keys.
    await sleep(PROPAGATION_BOUND_MS);
    let recordsLost = 0;
    for (const subscription of rotating) {
      const got = (await b.call('GET', `/subscriptions/${subscription.id}`)).json();
      const keys = (await b.call('POST', `/subscriptions/${subscription.id}/listSecrets`)).json();
      managementCalls += 2;
      if (got.properties.state !== (subscription.active ? 'active' : 'suspended')) recordsLost++;
      if (keys.primaryKey !== subscription.primary || keys.secondaryKey !== subscription.secondary) recordsLost++;
    }

    report(task, {
      suite: 'key rotation under load (2 hosts)',
      requests: samples.length + managementCalls,
      misauthorizations: verdict.wronglyAccepted + verdict.wronglyRefused,
      unexpected5xx: verdict.fiveXx + management5xx,
      recordsLost,
      notes: {
        'gateway calls': samples.length,
        'calls/s': Math.round(samples.length / seconds),
        'must pass': verdict.mustPass,
        'must refuse': verdict.mustRefuse,
        'in transition': verdict.either,
        '401 for valid key': verdict.wronglyRefused,
        '200 for revoked key': verdict.wronglyAccepted,
        'other statuses': [...verdict.other.entries()].map(([s, n]) => `${s}:${n}`).join(' ') || 'none',
        changes: `${changes.regenerated} regenerated, ${changes.suspended} suspended, ${changes.resumed} resumed, ${changes.failed} failed`,
      },
    });
    expect(verdict.examples.filter((e) => !e.startsWith('other')), verdict.examples.join('\n')).toEqual([]);
    expect(verdict.other.size, verdict.examples.join('\n')).toBe(0);
    expect(changes.failed).toBe(0);
    expect(changes.regenerated + changes.suspended).toBeGreaterThan(5);
    expect(verdict.mustPass).toBeGreaterThan(1000);
    expect(verdict.mustRefuse).toBeGreaterThan(100);
    expect(recordsLost).toBe(0);
    expect(management5xx).toBe(0);
  });
});
