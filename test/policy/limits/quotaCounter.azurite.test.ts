import { afterEach, describe, expect, it } from 'vitest';
import { createTableClient } from '../../../src/catalog/connection';
import { freePort } from '../../../src/local/azurite';
import { SharedQuotaCounter } from '../../../src/policy/limits/quotaCounter';
import { TableQuotaStore, type QuotaRow, type QuotaStore } from '../../../src/policy/limits/quotaStore';
import type { QuotaLimits } from '../../../src/policy/limits/types';
import { testTableClient, uniqueTableName } from '../../helpers/catalog';

const START = Date.UTC(2024, 0, 1);
const SYNC_MS = 1000;
const counters: SharedQuotaCounter[] = [];

function instance(store: QuotaStore, clock: { t: number }, instanceId: string): SharedQuotaCounter {
  const quotas = new SharedQuotaCounter({ store, now: () => clock.t, timerMs: 0, syncIntervalMs: SYNC_MS, instanceId, log: () => {} });
  counters.push(quotas);
  return quotas;
}

afterEach(() => {
  for (const quotas of counters.splice(0)) quotas.close();
});

/** A store whose storage can be swapped, as when storage goes away and comes back. */
class SwitchableStore implements QuotaStore {
  constructor(public current: QuotaStore) {}
  read(counterKey: string, periodKey: string) {
    return this.current.read(counterKey, periodKey);
  }
  write(row: QuotaRow, etag: string | undefined) {
    return this.current.write(row, etag);
  }
  list(counterKey: string) {
    return this.current.list(counterKey);
  }
  listCurrent(now: number) {
    return this.current.listCurrent(now);
  }
}

async function unreachableStore(): Promise<TableQuotaStore> {
  const port = await freePort();
  return new TableQuotaStore(
    createTableClient({
      connectionString: `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:${port}/devstoreaccount1;`,
      tableName: 'unreachable',
      source: 'test',
    }),
  );
}

describe('quota counter on Azurite', () => {
  it('two instances share one count; together they overshoot by at most what each admits within one sync interval', async () => {
    const store = new TableQuotaStore(testTableClient(uniqueTableName('quota')));
    const clock = { t: START + 10_000 };
    const limits: QuotaLimits = { calls: 25, periodSeconds: 3600, periodStart: new Date(START) };
    const hosts = [instance(store, clock, 'host-a'), instance(store, clock, 'host-b')];
    const stepMs = 250; // each host takes one call every 250 ms: 4 per sync interval
    const admitted = [0, 0];
    for (let step = 0; step < 40; step++) {
      clock.t += stepMs;
      hosts.forEach((quotas, i) => {
        if (quotas.check('shared', limits).allowed) {
          quotas.add('shared', limits, 1, 512);
          admitted[i] = (admitted[i] as number) + 1;
        }
      });
      await Promise.all(hosts.map((quotas) => quotas.settled()));
    }
    await Promise.all(hosts.map((quotas) => quotas.flush()));
    const total = (admitted[0] as number) + (admitted[1] as number);
    const callsPerInterval = SYNC_MS / stepMs;
    expect(total).toBeGreaterThanOrEqual(25);
    expect(total).toBeLessThanOrEqual(25 + hosts.length * callsPerInterval);
    // Every admitted call is in storage exactly once, and both hosts converge on it.
    const [period] = await hosts[0]!.read('shared');
    expect(period).toMatchObject({ callsCount: total, kbTransferred: Math.floor((total * 512) / 1024) });
    clock.t += SYNC_MS;
    hosts.forEach((quotas) => quotas.check('shared', limits));
    await Promise.all(hosts.map((quotas) => quotas.settled()));
    for (const quotas of hosts) expect(quotas.check('shared', limits)).toMatchObject({ allowed: false, callsUsed: total });
  });

  it('a restart mid-window keeps the count', async () => {
    const tableName = uniqueTableName('quota');
    const clock = { t: START + 10_000 };
    const limits: QuotaLimits = { calls: 5, periodSeconds: 86_400, periodStart: new Date(START) };
    const before = instance(new TableQuotaStore(testTableClient(tableName)), clock, 'before');
    before.add('sub-1', limits, 4, 4096);
    await before.flush();
    before.close();

    clock.t += 3_600_000;
    const after = instance(new TableQuotaStore(testTableClient(tableName)), clock, 'after');
    await after.load();
    expect(after.check('sub-1', limits)).toMatchObject({ allowed: true, callsUsed: 4, kilobytesUsed: 4 });
    after.add('sub-1', limits, 1, 0);
    expect(after.check('sub-1', limits)).toMatchObject({ allowed: false, exceeded: 'calls', secondsUntilRenewal: 86_400 - 3_610 });
    await after.flush();
    expect(await after.read('sub-1')).toEqual([expect.objectContaining({ callsCount: 5, kbTransferred: 4 })]);
  });

  it('counts in memory while storage is unreachable, then reconciles with what other instances wrote', async () => {
    const good = new TableQuotaStore(testTableClient(uniqueTableName('quota')));
    const switchable = new SwitchableStore(await unreachableStore());
    const clock = { t: START + 10_000 };
    const limits: QuotaLimits = { calls: 6, periodSeconds: 3600, periodStart: new Date(START) };
    const cut = instance(switchable, clock, 'cut-off');
    const other = instance(good, clock, 'other');

    for (let i = 0; i < 4; i++) {
      expect(cut.check('sub', limits).allowed).toBe(true);
      cut.add('sub', limits, 1, 0);
      clock.t += 400;
      await cut.settled();
    }
    other.add('sub', limits, 3, 0);
    await other.flush();
    expect(cut.check('sub', limits)).toMatchObject({ allowed: true, callsUsed: 4 });
    cut.add('sub', limits, 2, 0);
    expect(cut.check('sub', limits)).toMatchObject({ allowed: false, callsUsed: 6 });

    switchable.current = good;
    clock.t += SYNC_MS;
    await cut.flush();
    expect(await other.read('sub')).toEqual([expect.objectContaining({ callsCount: 9 })]);
    expect(cut.check('sub', limits)).toMatchObject({ allowed: false, callsUsed: 9 });
  });

  it('administrators read and reset any counter key, however long or odd', async () => {
    const store = new TableQuotaStore(testTableClient(uniqueTableName('quota')));
    const clock = { t: START + 10_000 };
    const quotas = instance(store, clock, 'admin');
    const limits: QuotaLimits = { calls: 2, periodSeconds: 300, periodStart: new Date(START) };
    const keys = ['a/b\\c#d?e', 'ключ 🔑', 'x'.repeat(2000)];
    for (const key of keys) quotas.add(key, limits, 2, 0);
    await quotas.flush();
    for (const key of keys) {
      expect(await quotas.read(key)).toEqual([
        { counterKey: key, periodKey: `300-${START}`, periodStartTime: new Date(START), periodEndTime: new Date(START + 300_000), callsCount: 2, kbTransferred: 0, bytesTransferred: 0 },
      ]);
    }
    await quotas.reset(keys[0]!);
    expect(quotas.check(keys[0]!, limits).allowed).toBe(true);
    expect(quotas.check(keys[1]!, limits).allowed).toBe(false);
    expect((await quotas.read(keys[0]!))[0]?.callsCount).toBe(0);
  });
});
