import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway/pipeline';
import { createPolicyServices, type GatewayPolicyServices } from '../../src/gateway/policyServices';
import { managementCounterKey, storedCounterKey } from '../../src/management/quotas';
import { SharedQuotaCounter, TableQuotaStore } from '../../src/policy/limits';
import { testTableClient, uniqueTableName } from '../helpers/catalog';
import { bodyOf, recordingForwarder, request } from '../gateway/fixtures';
import { armError, harness, hostMode, memoryHarness, targets, type Harness } from './harness';

/**
 * APIM's "Quota By Counter Keys" and "Quota By Period Keys" over the gateway's own
 * counters, kept in a quota table on Azurite: calls with the administrator's
 * Starter key are counted by Starter's `<quota calls="100" renewal-period="604800" />`,
 * read, reset and set here, and the gateway sees the change at once. Over the host,
 * the gateway calls go to the same host over HTTP.
 */

const STARTER_QUOTA = 'quota|product/starter|starter-admin';
const WEEK_MS = 604_800_000;
const OUT_OF_CALLS = /Out of call volume quota/;

let h: Harness;
let services: GatewayPolicyServices | undefined;
let gateway: Gateway | undefined;
const keys: Record<string, string> = {};

beforeAll(async () => {
  if (hostMode) {
    h = await harness();
  } else {
    services = createPolicyServices({ quotaStore: new TableQuotaStore(testTableClient(uniqueTableName('quota'))) });
    h = await memoryHarness({ quotas: services.quotas as SharedQuotaCounter });
    gateway = createGateway({ catalog: h.store.view, policies: h.store.view, forwarder: recordingForwarder(), policyServices: services });
  }
  // The Echo API in both products; Unlimited has no policy, so its calls meet no rate limit.
  for (const product of ['starter', 'unlimited']) expect((await h.call('PUT', `/products/${product}/apis/echo-api`)).status).toBeLessThan(300);
  for (const subscription of ['starter-admin', 'unlimited-admin']) {
    keys[subscription] = (await h.call('POST', `/subscriptions/${subscription}/listSecrets`)).json.primaryKey;
  }
});
afterAll(async () => {
  await services?.close();
  await h?.close();
});

/** GET /echo/resource with a subscription's key: the status and the body's text. */
async function callEcho(subscription: string): Promise<{ status: number; text: string }> {
  const url = `${h.origin}/echo/resource?param1=sample`;
  const headers = { 'Ocp-Apim-Subscription-Key': keys[subscription]! };
  if (hostMode) {
    const response = await fetch(url, { headers });
    return { status: response.status, text: await response.text() };
  }
  const answer = await gateway!.handle(request('GET', url, headers));
  return { status: answer.status, text: (await bodyOf(answer)).toString('utf8') };
}

const quotaPath = (key: string) => `/quotas/${encodeURIComponent(key)}`;

describe('quota counter keys: how the management API names them', () => {
  it('quota-by-key counters by their counter-key value, quota counters by the key the gateway counts under', () => {
    expect(storedCounterKey('ba')).toBe('quota-by-key|ba');
    expect(managementCounterKey('quota-by-key|ba')).toBe('ba');
    expect(storedCounterKey(STARTER_QUOTA)).toBe(STARTER_QUOTA);
    expect(managementCounterKey(STARTER_QUOTA)).toBe(STARTER_QUOTA);
    // A counter-key value that looks like one of those prefixes stays addressable.
    expect(managementCounterKey('quota-by-key|quota|x')).toBe('quota-by-key|quota|x');
    expect(storedCounterKey('quota-by-key|quota|x')).toBe('quota-by-key|quota|x');
    for (const value of ['ba', 'quota|x', 'quota-by-key|y', 'a/b c', '']) expect(storedCounterKey(managementCounterKey(`quota-by-key|${value}`))).toBe(`quota-by-key|${value}`);
  });
});

describe('Quota By Counter Keys and Quota By Period Keys', () => {
  it("lists the periods of a subscription's quota with the calls the gateway counted", async () => {
    for (let i = 0; i < 2; i++) expect((await callEcho('starter-admin')).status).toBe(200);
    const subscription = (await h.call('GET', '/subscriptions/starter-admin')).json.properties;
    const start = new Date(subscription.startDate ?? subscription.createdDate).getTime();

    const listed = await h.call('GET', quotaPath(STARTER_QUOTA));
    expect(listed.status).toBe(200);
    expect(listed.headers['Content-Type']).toMatch(/^application\/json/);
    expect(Object.keys(listed.json)).toEqual(['value', 'count', 'nextLink']);
    expect(listed.json).toMatchObject({ count: 1, nextLink: null });
    const [period] = listed.json.value;
    expect(Object.keys(period)).toEqual(['counterKey', 'periodKey', 'periodStartTime', 'periodEndTime', 'value']);
    expect(period).toMatchObject({
      counterKey: STARTER_QUOTA,
      periodKey: `604800-${start}`,
      periodStartTime: new Date(start).toISOString().replace('.000Z', 'Z'),
      periodEndTime: new Date(start + WEEK_MS).toISOString().replace('.000Z', 'Z'),
      value: { callsCount: 2 },
    });
    // The request and response bodies, in kilobytes with the fraction, as APIM shows them: the in-memory
    // backend answers `backend` (7 bytes) to each call; the echo backend answers a GET with an empty body.
    expect(period.value.kbTransferred).toBe(hostMode ? 0 : 14 / 1024);

    const one = await h.call('GET', `${quotaPath(STARTER_QUOTA)}/periods/${period.periodKey}`);
    expect(one.status).toBe(200);
    expect(one.json).toEqual(period);
  });

  it('PATCH sets every period; the gateway refuses at the limit and lets calls through again after a reset', async () => {
    const before = (await h.call('GET', quotaPath(STARTER_QUOTA))).json.value[0].value;
    const spent = await h.call('PATCH', quotaPath(STARTER_QUOTA), { body: { properties: { callsCount: 100 } } });
    expect(spent.status).toBe(200);
    expect(spent.json.value).toHaveLength(1);
    // kbTransferred left out: unchanged.
    expect(spent.json.value[0].value).toEqual({ callsCount: 100, kbTransferred: before.kbTransferred });
    const refused = await callEcho('starter-admin');
    expect(refused.status).toBe(403);
    expect(refused.text).toMatch(OUT_OF_CALLS);

    const reset = await h.call('PATCH', quotaPath(STARTER_QUOTA), { body: { properties: { callsCount: 0, kbTransferred: 0 } } });
    expect(reset.status).toBe(200);
    expect(reset.json.value[0].value).toEqual({ callsCount: 0, kbTransferred: 0 });
    expect((await callEcho('starter-admin')).status).toBe(200);
    const after = await h.call('GET', quotaPath(STARTER_QUOTA));
    expect(after.json.value[0].value.callsCount).toBe(1);
  });

  it('PATCH on one period sets that period and answers it', async () => {
    const [period] = (await h.call('GET', quotaPath(STARTER_QUOTA))).json.value;
    const updated = await h.call('PATCH', `${quotaPath(STARTER_QUOTA)}/periods/${period.periodKey}`, {
      body: { properties: { callsCount: 7, kbTransferred: 2.5 } },
    });
    expect(updated.status).toBe(200);
    expect(updated.json).toEqual({ ...period, value: { callsCount: 7, kbTransferred: 2.5 } });
    expect((await h.call('GET', quotaPath(STARTER_QUOTA))).json.value[0].value).toEqual({ callsCount: 7, kbTransferred: 2.5 });
    await h.call('PATCH', quotaPath(STARTER_QUOTA), { body: { properties: { callsCount: 0, kbTransferred: 0 } } });
  });

  it("a quota-by-key counter is named by its counter-key's value (APIM's example: @(\"b\"+\"a\") is ba)", async () => {
    const policy = '<policies><inbound><base /><quota-by-key calls="1000" renewal-period="3600" counter-key="@(&quot;b&quot;+&quot;a&quot;)" /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>';
    const written = await h.call('PUT', '/apis/echo-api/operations/retrieve-resource/policies/policy', { body: { properties: { format: 'xml', value: policy } } });
    expect(written.status).toBeLessThan(300);
    try {
      for (let i = 0; i < 3; i++) expect((await callEcho('unlimited-admin')).status).toBe(200);
      const listed = await h.call('GET', '/quotas/ba');
      expect(listed.status).toBe(200);
      expect(listed.json.value).toEqual([expect.objectContaining({ counterKey: 'ba', value: expect.objectContaining({ callsCount: 3 }) })]);
      const reset = await h.call('PATCH', '/quotas/ba', { body: { properties: { callsCount: 0 } } });
      expect(reset.json.value[0]).toMatchObject({ counterKey: 'ba', value: { callsCount: 0 } });
    } finally {
      await h.call('DELETE', '/apis/echo-api/operations/retrieve-resource/policies/policy', { headers: { 'If-Match': '*' } });
    }
  });

  it('an unknown counter key has no periods; an unknown period is a 404', async () => {
    const unknown = await h.call('GET', quotaPath('nobody counts this / key'));
    expect(unknown.status).toBe(200);
    expect(unknown.json).toEqual({ value: [], count: 0, nextLink: null });
    const patched = await h.call('PATCH', quotaPath('nobody counts this / key'), { body: { properties: { callsCount: 0 } } });
    expect(patched.status).toBe(200);
    expect(patched.json.value).toEqual([]);
    for (const method of ['GET', 'PATCH']) {
      const missing = await h.call(method, `${quotaPath(STARTER_QUOTA)}/periods/60-0`, { body: { properties: { callsCount: 0 } } });
      expect(missing.status).toBe(404);
      expect(armError(missing).code).toBe('ResourceNotFound');
    }
  });

  it('refuses bad bodies with ValidationError naming the field, and other verbs with 405', async () => {
    const negative = await h.call('PATCH', quotaPath(STARTER_QUOTA), { body: { properties: { callsCount: -1 } } });
    expect(negative.status).toBe(400);
    expect(targets(negative)).toEqual(['properties.callsCount']);
    const fraction = await h.call('PATCH', quotaPath(STARTER_QUOTA), { body: { properties: { callsCount: 1.5, kbTransferred: 'x' } } });
    expect(targets(fraction).sort()).toEqual(['properties.callsCount', 'properties.kbTransferred']);
    const bare = await h.call('PATCH', quotaPath(STARTER_QUOTA), { body: { callsCount: 0 } });
    expect(bare.status).toBe(400);
    const put = await h.call('PUT', quotaPath(STARTER_QUOTA), { body: { properties: {} } });
    expect(put.status).toBe(405);
    expect(put.headers.Allow).toBe('GET, PATCH');
    // Nothing above changed the counter.
    expect((await h.call('GET', quotaPath(STARTER_QUOTA))).json.value[0].value.callsCount).toBe(0);
  });

  it('needs a management token', async () => {
    const anonymous = await h.call('GET', quotaPath(STARTER_QUOTA), { authorization: null });
    expect(anonymous.status).toBe(401);
  });
});

describe.skipIf(hostMode)('quota counters reset before this instance wrote them', () => {
  it('a reset right after calls, before their first write, resets them too', async () => {
    const store = new TableQuotaStore(testTableClient(uniqueTableName('quota')));
    const quotas = new SharedQuotaCounter({ store, timerMs: 0, syncIntervalMs: 60_000 });
    const local = await memoryHarness({ quotas });
    try {
      const limits = { calls: 10, periodSeconds: 3600, periodStart: new Date('2024-01-01T00:00:00Z') };
      quotas.check('quota-by-key|fresh', limits);
      await quotas.settled();
      quotas.add('quota-by-key|fresh', limits, 4, 2048);
      expect((await local.call('GET', '/quotas/fresh')).json.value[0].value).toEqual({ callsCount: 4, kbTransferred: 2 });
      const reset = await local.call('PATCH', '/quotas/fresh', { body: { properties: { callsCount: 0, kbTransferred: 0 } } });
      expect(reset.json.value).toEqual([expect.objectContaining({ value: { callsCount: 0, kbTransferred: 0 } })]);
      expect(quotas.check('quota-by-key|fresh', limits).callsUsed).toBe(0);
      expect((await store.list('quota-by-key|fresh'))[0]).toMatchObject({ calls: 0, bytes: 0 });
    } finally {
      quotas.close();
      await local.close();
    }
  });
});
