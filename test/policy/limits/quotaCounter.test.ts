import { describe, expect, it } from 'vitest';
import { SharedQuotaCounter } from '../../../src/policy/limits/quotaCounter';
import { quotaPeriod, secondsUntilRenewal } from '../../../src/policy/limits/quotaPeriod';
import type { QuotaLimits } from '../../../src/policy/limits/types';
import { MemoryQuotaStore } from './memoryQuotaStore';

const START = Date.UTC(2024, 0, 1);
const HOUR: QuotaLimits = { calls: 3, periodSeconds: 3600, periodStart: new Date(START) };

function counter(store = new MemoryQuotaStore(), clock = { t: START + 10_000 }, instanceId = 'a') {
  const logs: string[] = [];
  const quotas = new SharedQuotaCounter({ store, now: () => clock.t, timerMs: 0, instanceId, log: (m) => logs.push(m) });
  return { quotas, store, clock, logs };
}

describe('quota windows', () => {
  it('are fixed, counted from the period start in steps of the period', () => {
    const limits = { periodSeconds: 60, periodStart: new Date(START) };
    expect(quotaPeriod(limits, START)).toEqual({ key: `60-${START}`, start: START, end: START + 60_000 });
    expect(quotaPeriod(limits, START + 59_999).start).toBe(START);
    expect(quotaPeriod(limits, START + 60_000)).toEqual({ key: `60-${START + 60_000}`, start: START + 60_000, end: START + 120_000 });
    expect(quotaPeriod(limits, START - 1).start).toBe(START - 60_000);
    expect(secondsUntilRenewal(quotaPeriod(limits, START), START)).toBe(60);
    expect(secondsUntilRenewal(quotaPeriod(limits, START + 59_001), START + 59_001)).toBe(1);
  });

  it('period 0 never renews', () => {
    const period = quotaPeriod({ periodSeconds: 0, periodStart: new Date(START) }, START + 10 ** 12);
    expect(period).toEqual({ key: `0-${START}`, start: START, end: null });
    expect(secondsUntilRenewal(period, START)).toBe(0);
  });
});

describe('quota counter: decisions', () => {
  it('allows calls until the count reaches the limit, then names the call quota', () => {
    const { quotas } = counter();
    for (let i = 0; i < 3; i++) {
      expect(quotas.check('sub', HOUR)).toMatchObject({ allowed: true, exceeded: null, callsUsed: i });
      quotas.add('sub', HOUR, 1, 100);
    }
    expect(quotas.check('sub', HOUR)).toEqual({ allowed: false, exceeded: 'calls', secondsUntilRenewal: 3590, callsUsed: 3, kilobytesUsed: 0 });
    expect(quotas.check('other', HOUR).allowed).toBe(true);
  });

  it('compares bandwidth in whole kilobytes of 1024 bytes, rounded down', () => {
    const { quotas } = counter();
    const limits: QuotaLimits = { kilobytes: 10, periodSeconds: 3600, periodStart: new Date(START) };
    quotas.add('sub', limits, 1, 10 * 1024 - 1);
    expect(quotas.check('sub', limits)).toMatchObject({ allowed: true, kilobytesUsed: 9, callsUsed: 1 });
    quotas.add('sub', limits, 0, 1);
    expect(quotas.check('sub', limits)).toMatchObject({ allowed: false, exceeded: 'bandwidth', kilobytesUsed: 10 });
    // Calls are looked at first when both are out.
    expect(quotas.check('sub', { ...limits, calls: 1 })).toMatchObject({ exceeded: 'calls' });
  });

  it('renews at the window edge, not a millisecond before', () => {
    const { quotas, clock } = counter();
    quotas.add('sub', HOUR, 3, 0);
    clock.t = START + 3_599_999;
    expect(quotas.check('sub', HOUR)).toMatchObject({ allowed: false, secondsUntilRenewal: 1 });
    clock.t = START + 3_600_000;
    expect(quotas.check('sub', HOUR)).toMatchObject({ allowed: true, callsUsed: 0, secondsUntilRenewal: 3600 });
  });

  it('a quota that never renews stays spent', () => {
    const { quotas, clock } = counter();
    const forever: QuotaLimits = { calls: 1, periodSeconds: 0, periodStart: new Date(START) };
    quotas.add('sub', forever, 1, 0);
    clock.t += 10 ** 11;
    expect(quotas.check('sub', forever)).toMatchObject({ allowed: false, exceeded: 'calls', secondsUntilRenewal: 0 });
  });

  it('never waits for storage: a hung store changes nothing on the request path', () => {
    const store = new MemoryQuotaStore();
    store.gate = new Promise(() => {});
    const { quotas } = counter(store);
    quotas.add('sub', HOUR, 2, 0);
    expect(quotas.check('sub', HOUR)).toMatchObject({ allowed: true, callsUsed: 2 });
    quotas.add('sub', HOUR, 1, 0);
    expect(quotas.check('sub', HOUR)).toMatchObject({ allowed: false, callsUsed: 3 });
  });
});

describe('quota counter: storage', () => {
  it('writes at most once per interval per window, and everything once flushed', async () => {
    const { quotas, store, clock } = counter();
    for (let i = 0; i < 50; i++) {
      quotas.add('sub', HOUR, 1, 10);
      clock.t += 10;
    }
    await quotas.settled();
    expect(store.writeCount).toBe(1);
    clock.t += 1000;
    quotas.add('sub', HOUR, 1, 10);
    await quotas.settled();
    expect(store.writeCount).toBe(2);
    await quotas.flush();
    const [row] = store.rows.values();
    expect(row).toMatchObject({ counterKey: 'sub', calls: 51, bytes: 510, periodStart: START, periodEnd: START + 3_600_000 });
  });

  it('the timer writes what is pending once the interval has passed', async () => {
    const { quotas, store, clock } = counter();
    quotas.add('sub', HOUR, 1, 0);
    await quotas.settled();
    quotas.add('sub', HOUR, 1, 0);
    quotas.tick();
    await quotas.settled();
    expect([...store.rows.values()][0]?.calls).toBe(1);
    clock.t += 1000;
    quotas.tick();
    await quotas.settled();
    expect([...store.rows.values()][0]?.calls).toBe(2);
  });

  it('a background timer writes the last calls of a burst without further traffic', async () => {
    const store = new MemoryQuotaStore();
    const clock = { t: START + 10_000 };
    const quotas = new SharedQuotaCounter({ store, now: () => clock.t, timerMs: 2, log: () => {} });
    try {
      quotas.add('sub', HOUR, 1, 0);
      await quotas.settled();
      quotas.add('sub', HOUR, 1, 0);
      clock.t += 1000;
      await expect.poll(() => [...store.rows.values()][0]?.calls, { interval: 5, timeout: 2000 }).toBe(2);
    } finally {
      quotas.close();
    }
  });

  it('two instances share one total: a conflicting write re-reads and adds to what the other wrote', async () => {
    const store = new MemoryQuotaStore();
    const clock = { t: START + 10_000 };
    const a = counter(store, clock, 'a').quotas;
    const b = counter(store, clock, 'b').quotas;
    a.add('sub', HOUR, 1, 0);
    b.add('sub', HOUR, 1, 0);
    await Promise.all([a.flush(), b.flush()]);
    expect([...store.rows.values()][0]?.calls).toBe(2);
    // Each sees the other's call once it has synced.
    expect(a.check('sub', HOUR).callsUsed + b.check('sub', HOUR).callsUsed).toBeGreaterThanOrEqual(3);
    clock.t += 1000;
    a.check('sub', HOUR);
    b.check('sub', HOUR);
    await Promise.all([a.settled(), b.settled()]);
    expect(a.check('sub', HOUR)).toMatchObject({ callsUsed: 2 });
    expect(b.check('sub', HOUR)).toMatchObject({ callsUsed: 2 });
    b.add('sub', HOUR, 1, 0);
    await b.flush();
    clock.t += 1000;
    a.check('sub', HOUR);
    await a.settled();
    expect(a.check('sub', HOUR)).toMatchObject({ allowed: false, callsUsed: 3 });
  });

  it('a write whose answer was lost is recognised on the next read and never counted twice', async () => {
    const { quotas, store, clock, logs } = counter();
    quotas.add('sub', HOUR, 2, 0);
    await quotas.settled();
    store.loseNextAnswer = true;
    clock.t += 1000;
    quotas.add('sub', HOUR, 1, 0);
    await quotas.settled();
    expect(logs.join('\n')).toContain('quota storage unreachable');
    expect(quotas.check('sub', HOUR).callsUsed).toBe(3);
    clock.t += 1000;
    await quotas.flush();
    expect([...store.rows.values()][0]?.calls).toBe(3);
    expect(quotas.check('sub', HOUR).callsUsed).toBe(3);
    expect(logs.at(-1)).toContain('reachable again');
  });

  it('during an outage keeps counting and refusing in memory, and reconciles with other instances when storage returns', async () => {
    const store = new MemoryQuotaStore();
    const clock = { t: START + 10_000 };
    const { quotas } = counter(store, clock, 'a');
    const limits: QuotaLimits = { calls: 10, periodSeconds: 3600, periodStart: new Date(START) };
    quotas.add('sub', limits, 2, 0);
    await quotas.flush();
    store.down = true;
    for (let i = 0; i < 8; i++) {
      clock.t += 300;
      expect(quotas.check('sub', limits).allowed).toBe(true);
      quotas.add('sub', limits, 1, 0);
      await quotas.settled();
    }
    expect(quotas.check('sub', limits)).toMatchObject({ allowed: false, callsUsed: 10 });
    // Meanwhile another instance counted 5 more.
    store.down = false;
    store.bump('sub', quotaPeriod(limits, clock.t).key, 5);
    clock.t += 1000;
    await quotas.flush();
    expect([...store.rows.values()][0]?.calls).toBe(15);
    expect(quotas.check('sub', limits)).toMatchObject({ allowed: false, callsUsed: 15 });
  });

  it('after a restart, the first use of a key loads its count, and load() loads every current window', async () => {
    const store = new MemoryQuotaStore();
    const clock = { t: START + 10_000 };
    const before = counter(store, clock).quotas;
    before.add('sub', HOUR, 2, 2048);
    before.add('old', { ...HOUR, periodStart: new Date(START - 7_200_000) }, 1, 0);
    await before.flush();
    before.close();

    const after = counter(store, clock, 'b').quotas;
    expect(after.check('sub', HOUR).callsUsed).toBe(0); // not waited for...
    await after.settled();
    expect(after.check('sub', HOUR)).toMatchObject({ callsUsed: 2, kilobytesUsed: 2 }); // ...but there at once after

    const loaded = counter(store, clock, 'c').quotas;
    await loaded.load();
    expect(loaded.size).toBe(2);
    expect(loaded.check('sub', HOUR)).toMatchObject({ callsUsed: 2 });
  });

  it('forgets windows that ended or sat idle with nothing to write; storage keeps them', async () => {
    const { quotas, store, clock } = counter();
    quotas.add('hourly', HOUR, 1, 0);
    quotas.add('daily', { ...HOUR, periodSeconds: 86_400 }, 1, 0);
    await quotas.flush();
    quotas.tick();
    expect(quotas.size).toBe(2);
    clock.t = START + 3_100_000;
    quotas.check('daily', { ...HOUR, periodSeconds: 86_400 });
    await quotas.settled();
    clock.t = START + 3_600_000;
    quotas.tick();
    expect(quotas.size).toBe(1);
    clock.t += 10 * 60_000;
    quotas.tick();
    expect(quotas.size).toBe(0);
    expect(store.rows.size).toBe(2);
    expect(quotas.check('daily', { ...HOUR, periodSeconds: 86_400 }).callsUsed).toBe(0);
    await quotas.settled();
    expect(quotas.check('daily', { ...HOUR, periodSeconds: 86_400 }).callsUsed).toBe(1);
  });

  it('keeps a window with unwritten counts however long storage is away', async () => {
    const { quotas, store, clock } = counter();
    store.down = true;
    quotas.add('sub', HOUR, 1, 0);
    await quotas.settled();
    clock.t = START + 4_000_000;
    quotas.tick();
    await quotas.settled();
    expect(quotas.size).toBe(1);
    store.down = false;
    clock.t += 1000;
    quotas.tick();
    await quotas.settled();
    quotas.tick();
    expect(quotas.size).toBe(0);
    expect([...store.rows.values()][0]?.calls).toBe(1);
  });
});

describe('quota counter: administrators read and reset counters', () => {
  it('read lists every window of a counter key with this instance unwritten calls included', async () => {
    const { quotas, clock } = counter();
    quotas.add('sub', HOUR, 2, 3000);
    await quotas.flush();
    quotas.add('sub', HOUR, 1, 0);
    clock.t += 3_600_000;
    quotas.add('sub', HOUR, 1, 0);
    const periods = await quotas.read('sub');
    expect(periods).toEqual([
      { counterKey: 'sub', periodKey: `3600-${START}`, periodStartTime: new Date(START), periodEndTime: new Date(START + 3_600_000), callsCount: 3, kbTransferred: 2, bytesTransferred: 3000 },
      expect.objectContaining({ periodStartTime: new Date(START + 3_600_000), callsCount: 1, kbTransferred: 0 }),
    ]);
    expect(await quotas.read('nobody')).toEqual([]);
  });

  it('update sets every window; reset zeroes them; other instances fold it in at their next sync', async () => {
    const store = new MemoryQuotaStore();
    const clock = { t: START + 10_000 };
    const a = counter(store, clock, 'a').quotas;
    const b = counter(store, clock, 'b').quotas;
    a.add('sub', HOUR, 3, 0);
    await a.flush();
    clock.t += 1000;
    b.check('sub', HOUR);
    await b.settled();
    expect(b.check('sub', HOUR).allowed).toBe(false);

    expect(await a.update('sub', { callsCount: 1, kbTransferred: 5 })).toEqual([expect.objectContaining({ callsCount: 1, kbTransferred: 5 })]);
    expect(a.check('sub', HOUR)).toMatchObject({ allowed: true, callsUsed: 1, kilobytesUsed: 5 });
    expect(await a.reset('sub')).toEqual([expect.objectContaining({ callsCount: 0, kbTransferred: 0 })]);
    clock.t += 1000;
    b.check('sub', HOUR);
    await b.settled();
    expect(b.check('sub', HOUR)).toMatchObject({ allowed: true, callsUsed: 0 });
    // Calls after the reset count on top of it.
    b.add('sub', HOUR, 1, 0);
    await b.flush();
    expect((await a.read('sub'))[0]?.callsCount).toBe(1);
  });
});
