import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUCKETS, MAX_EXACT_LIMIT, SlidingWindowRateLimiter } from '../../../src/policy/limits/slidingWindow';

const T0 = 1_700_000_000_000;

function limiter(start = T0) {
  const clock = { t: start };
  const rate = new SlidingWindowRateLimiter({ now: () => clock.t });
  /** Peek, and count the calls when one more fits: what `rate-limit` and `rate-limit-by-key` do. */
  const call = (key: string, limit: number, periodSeconds: number, count = 1) => {
    const decision = rate.peek(key, limit, periodSeconds);
    if (decision.allowed) rate.add(key, periodSeconds, count);
    return decision;
  };
  return { clock, rate, call };
}

/** The calls of `admitted` (times, one per call) within the period that ends at `t`. */
const inWindow = (admitted: number[], t: number, periodMs: number) => admitted.filter((a) => a > t - periodMs && a <= t).length;

describe('sliding-window rate limiter: limits up to MAX_EXACT_LIMIT are exact', () => {
  it('lets `limit` calls through, refuses the next, and reports count and remaining', () => {
    const { rate, call } = limiter();
    expect(rate.peek('k', 5, 60)).toEqual({ allowed: true, remaining: 4, retryAfterSeconds: 0, limit: 5, count: 0 });
    for (let i = 0; i < 5; i++) expect(call('k', 5, 60)).toMatchObject({ allowed: true, remaining: 4 - i, count: i });
    expect(rate.peek('k', 5, 60)).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 60, limit: 5, count: 5 });
  });

  it('peek counts nothing', () => {
    const { rate } = limiter();
    for (let i = 0; i < 10; i++) rate.peek('k', 1, 60);
    expect(rate.peek('k', 1, 60).allowed).toBe(true);
  });

  it('counts a call made at t until just before t + period: refused at t + period - 1 ms, allowed at t + period', () => {
    const { clock, rate, call } = limiter();
    for (let i = 0; i < 5; i++) call('k', 5, 60);
    clock.t = T0 + 1;
    expect(rate.peek('k', 5, 60)).toMatchObject({ allowed: false, retryAfterSeconds: 60 });
    clock.t = T0 + 59_000;
    expect(rate.peek('k', 5, 60)).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    clock.t = T0 + 59_999;
    expect(rate.peek('k', 5, 60)).toMatchObject({ allowed: false, count: 5, retryAfterSeconds: 1 });
    clock.t = T0 + 60_000;
    expect(rate.peek('k', 5, 60)).toEqual({ allowed: true, remaining: 4, retryAfterSeconds: 0, limit: 5, count: 0 });
  });

  it("Starter's 5 calls a minute: Retry-After is the wait for the oldest call to leave, and that wait is enough", () => {
    const { clock, call } = limiter();
    for (const at of [0, 7_300, 21_000, 21_000, 40_500]) {
      clock.t = T0 + at;
      expect(call('sub', 5, 60).allowed).toBe(true);
    }
    clock.t = T0 + 44_200;
    // The oldest call (at 0) leaves at 60 s: 15.8 s from now, said as 16.
    const refused = call('sub', 5, 60);
    expect(refused).toMatchObject({ allowed: false, count: 5, retryAfterSeconds: 16 });
    clock.t = T0 + 44_200 + 15_799;
    expect(call('sub', 5, 60).allowed).toBe(false);
    clock.t = T0 + 44_200 + refused.retryAfterSeconds * 1000;
    expect(call('sub', 5, 60)).toMatchObject({ allowed: true, count: 4 });
    // Full again; the next to leave is the call at 7.3 s, at 67.3 s.
    expect(call('sub', 5, 60)).toMatchObject({ allowed: false, retryAfterSeconds: 8 });
  });

  it('slides: each call leaves the window exactly one period after it was made, oldest first', () => {
    const { clock, rate, call } = limiter();
    for (let i = 0; i < 3; i++) call('k', 5, 60);
    clock.t = T0 + 30_000;
    call('k', 5, 60);
    call('k', 5, 60);
    // Full: the three oldest leave at 60 s, so one more call fits 30 s from now.
    expect(rate.peek('k', 5, 60)).toMatchObject({ allowed: false, count: 5, retryAfterSeconds: 30 });
    clock.t = T0 + 60_000;
    expect(rate.peek('k', 5, 60)).toMatchObject({ allowed: true, count: 2, remaining: 2 });
    clock.t = T0 + 89_999;
    expect(rate.peek('k', 5, 60)).toMatchObject({ allowed: true, count: 2 });
    clock.t = T0 + 90_000;
    expect(rate.peek('k', 5, 60)).toMatchObject({ allowed: true, count: 0 });
  });

  it('retry-after counts only as many old calls as must leave, in whole seconds, at least 1', () => {
    const { clock, rate } = limiter();
    rate.add('k', 10, 2);
    clock.t = T0 + 4_200;
    rate.add('k', 10, 3);
    clock.t = T0 + 5_000;
    // limit 4, 5 counted: 2 must leave; they leave at 10 s.
    expect(rate.peek('k', 4, 10)).toMatchObject({ allowed: false, count: 5, retryAfterSeconds: 5 });
    // limit 2: 4 must leave, so 2 of those made at 4.2 s too, at 14.2 s.
    expect(rate.peek('k', 2, 10)).toMatchObject({ allowed: false, retryAfterSeconds: 10 });
    clock.t = T0 + 9_600;
    expect(rate.peek('k', 4, 10)).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    clock.t = T0 + 10_000;
    expect(rate.peek('k', 4, 10)).toMatchObject({ allowed: true, count: 3, remaining: 0 });
  });

  it('counts increment-count calls at once, and a limit below 1 never fits', () => {
    const { rate } = limiter();
    rate.add('k', 60, 4);
    expect(rate.peek('k', 5, 60)).toMatchObject({ allowed: true, count: 4, remaining: 0 });
    expect(rate.peek('k', 4, 60)).toMatchObject({ allowed: false });
    expect(rate.peek('fresh', 0, 60)).toMatchObject({ allowed: false, count: 0, retryAfterSeconds: 60 });
    expect(rate.peek('k', 0, 60)).toMatchObject({ allowed: false, count: 4, retryAfterSeconds: 60 });
    rate.add('k', 60, 0);
    rate.add('k', 60, -3);
    expect(rate.peek('k', 5, 60).count).toBe(4);
  });

  it('keeps one counter per key value and period: shared by equal keys, separate otherwise', () => {
    const { rate } = limiter();
    rate.add('a', 60, 1);
    expect(rate.peek('a', 1, 60).allowed).toBe(false);
    expect(rate.peek('b', 1, 60).allowed).toBe(true);
    expect(rate.peek('a', 1, 30).allowed).toBe(true);
    // The period is part of the name, so a key cannot masquerade as another's period.
    rate.add('\u0000x', 60, 1);
    expect(rate.peek('x', 1, 60).allowed).toBe(true);
  });

  it('is exact at MAX_EXACT_LIMIT calls', () => {
    const { clock, call } = limiter();
    for (let i = 0; i < MAX_EXACT_LIMIT; i++) {
      clock.t = T0 + i * 100;
      expect(call('k', MAX_EXACT_LIMIT, 60)).toMatchObject({ allowed: true, count: i });
    }
    clock.t = T0 + 50_000;
    expect(call('k', MAX_EXACT_LIMIT, 60)).toMatchObject({ allowed: false, count: MAX_EXACT_LIMIT, retryAfterSeconds: 10 });
    clock.t = T0 + 59_999;
    expect(call('k', MAX_EXACT_LIMIT, 60)).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    clock.t = T0 + 60_000;
    expect(call('k', MAX_EXACT_LIMIT, 60)).toMatchObject({ allowed: true, count: MAX_EXACT_LIMIT - 1 });
    // Full again: the call made at 100 ms leaves at 60.1 s.
    clock.t = T0 + 60_050;
    expect(call('k', MAX_EXACT_LIMIT, 60)).toMatchObject({ allowed: false, count: MAX_EXACT_LIMIT, retryAfterSeconds: 1 });
    clock.t = T0 + 60_100;
    expect(call('k', MAX_EXACT_LIMIT, 60)).toMatchObject({ allowed: true, count: MAX_EXACT_LIMIT - 1 });
  });

  it('a small limit stays exact when an increment-count adds more calls than the log holds', () => {
    const { clock, rate, call } = limiter();
    call('k', 5, 60);
    clock.t = T0 + 10_000;
    call('k', 5, 60, 100);
    expect(rate.peek('k', 5, 60)).toMatchObject({ allowed: false, count: 101, retryAfterSeconds: 60 });
    clock.t = T0 + 60_000;
    // The first call left; the hundred made at 10 s leave at 70 s. (The count may still hold calls
    // dropped from the full log that already left: it errs high, only ever while refusing.)
    const refused = rate.peek('k', 5, 60);
    expect(refused).toMatchObject({ allowed: false, retryAfterSeconds: 10 });
    expect(refused.count).toBeGreaterThanOrEqual(100);
    clock.t = T0 + 69_999;
    expect(rate.peek('k', 5, 60)).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    clock.t = T0 + 70_000;
    expect(rate.peek('k', 5, 60)).toMatchObject({ allowed: true, count: 0 });
  });

  it('resetSeconds: the whole seconds until the oldest counted call leaves, the period when none is counted; counts nothing', () => {
    const { clock, rate, call } = limiter();
    expect(rate.resetSeconds('k', 60)).toBe(60);
    call('k', 5, 60);
    clock.t = T0 + 10_200;
    call('k', 5, 60);
    // The call at 0 leaves at 60 s: 49.8 s from now, said as 50.
    expect(rate.resetSeconds('k', 60)).toBe(50);
    expect(rate.peek('k', 5, 60)).toMatchObject({ count: 2 });
    clock.t = T0 + 59_999;
    expect(rate.resetSeconds('k', 60)).toBe(1);
    // The call at 0 has left; the one at 10.2 s is the oldest now.
    clock.t = T0 + 60_000;
    expect(rate.resetSeconds('k', 60)).toBe(11);
    clock.t = T0 + 70_200;
    expect(rate.resetSeconds('k', 60)).toBe(60);
    // Another key and another period are other counters.
    expect(rate.resetSeconds('other', 60)).toBe(60);
    call('k', 5, 30);
    clock.t = T0 + 75_200;
    expect(rate.resetSeconds('k', 30)).toBe(25);
    expect(rate.resetSeconds('k', 60)).toBe(60);
  });

  it('clamps periods below one second to one second', () => {
    const { clock, rate } = limiter();
    rate.add('k', 0.01, 1);
    clock.t = T0 + 999;
    expect(rate.peek('k', 1, 0.01).allowed).toBe(false);
    clock.t = T0 + 1000;
    expect(rate.peek('k', 1, 0.01).allowed).toBe(true);
  });

  it('a clock that goes back never makes a call count less', () => {
    const { clock, rate } = limiter();
    clock.t = T0 + 5_000;
    rate.add('k', 10, 1);
    clock.t = T0;
    expect(rate.peek('k', 1, 10)).toMatchObject({ allowed: false, count: 1, retryAfterSeconds: 10 });
    rate.add('k', 10, 1);
    clock.t = T0 + 14_999;
    expect(rate.peek('k', 1, 10).count).toBe(2);
    clock.t = T0 + 15_000;
    expect(rate.peek('k', 1, 10).count).toBe(0);
  });

  it('keeps exact windows after its millisecond clock passes 2^32 since it started', () => {
    const { clock, rate, call } = limiter();
    clock.t = T0 + 2 ** 32 - 20_000;
    for (let i = 0; i < 3; i++) expect(call('k', 3, 60).allowed).toBe(true);
    clock.t = T0 + 2 ** 32 + 30_000;
    expect(call('k', 3, 60)).toMatchObject({ allowed: false, count: 3, retryAfterSeconds: 10 });
    clock.t = T0 + 2 ** 32 + 40_000;
    expect(call('k', 3, 60)).toMatchObject({ allowed: true, count: 0 });
    // A counter idle for exactly 2^32 ms is empty, not full again.
    clock.t = T0 + 2 * 2 ** 32 + 40_000;
    expect(rate.peek('k', 1, 60)).toMatchObject({ allowed: true, count: 0 });
  });

  it('decides exactly, never admits more than the limit in any period, and its retry-after is the true wait, within the period and enough', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: MAX_EXACT_LIMIT }),
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.record({ gap: fc.integer({ min: 0, max: 5_000 }), waits: fc.boolean() }), { minLength: 1, maxLength: 300 }),
        (limit, periodSeconds, steps) => {
          const { clock, call, rate } = limiter();
          const periodMs = periodSeconds * 1000;
          const admitted: number[] = [];
          for (const { gap, waits } of steps) {
            clock.t += gap;
            const t = clock.t;
            const recent = inWindow(admitted, t, periodMs);
            const decision = call('k', limit, periodSeconds);
            expect(decision.allowed).toBe(recent < limit);
            expect(decision.count).toBe(recent);
            if (decision.allowed) {
              admitted.push(t);
              continue;
            }
            // The limit-th newest call must leave for one more to fit.
            const wait = admitted[admitted.length - limit]! + periodMs - t;
            expect(decision.retryAfterSeconds).toBe(Math.max(1, Math.ceil(wait / 1000)));
            expect(decision.retryAfterSeconds).toBeLessThanOrEqual(periodSeconds);
            if (waits) {
              clock.t = t + wait - 1;
              expect(rate.peek('k', limit, periodSeconds).allowed).toBe(false);
              clock.t = t + decision.retryAfterSeconds * 1000;
              expect(call('k', limit, periodSeconds).allowed).toBe(true);
              admitted.push(clock.t);
            }
          }
          for (const a of admitted) expect(inWindow(admitted, a + periodMs - 1, periodMs)).toBeLessThanOrEqual(limit);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('sliding-window rate limiter: larger limits are counted in a coarse log', () => {
  const LIMIT = MAX_EXACT_LIMIT + 36;

  it('keeps a call counted for the whole period and at most period / BUCKETS longer, and says when it fits', () => {
    const { clock, rate, call } = limiter();
    const widthMs = 60_000 / BUCKETS;
    call('k', LIMIT, 60, LIMIT - 1);
    clock.t = T0 + widthMs - 1;
    call('k', LIMIT, 60);
    // The calls at 0 share an entry with the one at width - 1 ms: all are counted until that one leaves.
    clock.t = T0 + 59_999;
    expect(rate.peek('k', LIMIT, 60)).toMatchObject({ allowed: false, count: LIMIT, retryAfterSeconds: Math.ceil(widthMs / 1000) });
    clock.t = T0 + 60_000 + widthMs - 2;
    expect(rate.peek('k', LIMIT, 60)).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    clock.t = T0 + 60_000 + widthMs - 1;
    expect(rate.peek('k', LIMIT, 60)).toMatchObject({ allowed: true, count: 0, remaining: LIMIT - 1 });
  });

  it('resetSeconds: a coarse entry frees its calls when its last call leaves', () => {
    const { clock, rate, call } = limiter();
    const widthMs = 60_000 / BUCKETS;
    call('k', LIMIT, 60, 10);
    clock.t = T0 + widthMs - 1;
    call('k', LIMIT, 60);
    clock.t = T0 + 2 * widthMs;
    call('k', LIMIT, 60);
    // The first entry (calls at 0 and at width - 1 ms) leaves at 60 s + width - 1 ms.
    clock.t = T0 + 30_000;
    expect(rate.resetSeconds('k', 60)).toBe(Math.ceil((30_000 + widthMs - 1) / 1000));
    clock.t = T0 + 60_000 + widthMs - 1;
    expect(rate.resetSeconds('k', 60)).toBe(Math.ceil(widthMs / 1000) + 1);
    expect(rate.peek('k', LIMIT, 60)).toMatchObject({ count: 1 });
  });

  it('never says more than the period, and calls made together leave exactly a period later', () => {
    const { clock, rate, call } = limiter();
    call('k', LIMIT, 60, LIMIT);
    expect(rate.peek('k', LIMIT, 60)).toMatchObject({ allowed: false, count: LIMIT, retryAfterSeconds: 60 });
    clock.t = T0 + 59_999;
    expect(rate.peek('k', LIMIT, 60)).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    clock.t = T0 + 60_000;
    expect(rate.peek('k', LIMIT, 60)).toMatchObject({ allowed: true, count: 0 });
  });

  it('takes over an exact log when a larger limit is read, keeping every call', () => {
    const { clock, rate, call } = limiter();
    for (let i = 0; i < 30; i++) {
      clock.t = T0 + i * 1000;
      call('k', 50, 60);
    }
    expect(rate.peek('k', 30, 60)).toMatchObject({ allowed: false, count: 30, retryAfterSeconds: 31 });
    clock.t = T0 + 40_000;
    expect(rate.peek('k', LIMIT, 60)).toMatchObject({ allowed: true, count: 30 });
    expect(rate.peek('k', 30, 60)).toMatchObject({ allowed: false, count: 30 });
    // Calls made within period / BUCKETS of each other now share an entry: the call at 27 s
    // counts until the one at 29 s leaves, at most that much longer, never less.
    clock.t = T0 + 60_000;
    expect(rate.peek('k', 30, 60).count).toBeGreaterThanOrEqual(30);
    clock.t = T0 + 88_999;
    expect(rate.peek('k', 30, 60)).toMatchObject({ count: 3 });
    clock.t = T0 + 89_000;
    expect(rate.peek('k', 30, 60).count).toBe(0);
  });

  it('counts a first add of more calls than an exact log holds, before any limit is known, in full', () => {
    const { clock, rate } = limiter();
    rate.add('k', 60, 1000);
    expect(rate.peek('k', 5, 60)).toMatchObject({ allowed: false, count: 1000, retryAfterSeconds: 60 });
    clock.t = T0 + 60_000;
    expect(rate.peek('k', 5, 60)).toMatchObject({ allowed: true, count: 0 });
    // Emptied, the counter is exact again for its small limit.
    clock.t = T0 + 61_000;
    rate.add('k', 60, 5);
    clock.t = T0 + 61_500;
    expect(rate.peek('k', 5, 60)).toMatchObject({ allowed: false, retryAfterSeconds: 60 });
    clock.t = T0 + 121_000;
    expect(rate.peek('k', 5, 60)).toMatchObject({ allowed: true, count: 0 });
  });

  it('never admits more than the limit in any period, refuses only when the window plus period / BUCKETS is full, and its retry-after is within the period and enough', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: MAX_EXACT_LIMIT + 1, max: 200 }),
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.record({ gap: fc.integer({ min: 0, max: 300 }), count: fc.integer({ min: 1, max: 3 }), waits: fc.boolean() }), { minLength: 1, maxLength: 400 }),
        (limit, periodSeconds, steps) => {
          const { clock, call } = limiter();
          const periodMs = periodSeconds * 1000;
          const widthMs = periodMs / BUCKETS;
          const admitted: number[] = [];
          for (const { gap, count, waits } of steps) {
            clock.t += gap;
            const t = clock.t;
            const decision = call('k', limit, periodSeconds);
            if (decision.allowed) {
              expect(inWindow(admitted, t, periodMs)).toBeLessThan(limit);
              admitted.push(t);
              continue;
            }
            expect(admitted.filter((a) => a > t - periodMs - widthMs).length).toBeGreaterThanOrEqual(limit);
            expect(decision.retryAfterSeconds).toBeGreaterThanOrEqual(1);
            expect(decision.retryAfterSeconds).toBeLessThanOrEqual(periodSeconds);
            if (waits) {
              clock.t = t + decision.retryAfterSeconds * 1000;
              expect(call('k', limit, periodSeconds, count).allowed).toBe(true);
              for (let i = 0; i < count; i++) admitted.push(clock.t);
            }
          }
          // Calls admitted with a count above one may fill a window past the limit (APIM's increment-count does too); single ones never do.
          const single = steps.every((step) => !step.waits || step.count === 1);
          if (single) for (const a of admitted) expect(inWindow(admitted, a + periodMs - 1, periodMs)).toBeLessThanOrEqual(limit);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('sliding-window rate limiter: idle counters are evicted', () => {
  it('a full sweep removes every counter with nothing counted within its period, exact or coarse', () => {
    const { clock, rate } = limiter();
    for (let i = 0; i < 1000; i++) rate.add(`key-${i}`, 60, 1 + (i % 7));
    rate.add('coarse', 60, 500);
    rate.add('long', 300, 1);
    expect(rate.size).toBe(1002);
    clock.t = T0 + 59_999;
    rate.sweep();
    expect(rate.size).toBe(1002);
    clock.t = T0 + 60_000;
    rate.sweep();
    expect(rate.size).toBe(1);
    expect(rate.peek('long', 1, 300).allowed).toBe(false);
    expect(rate.peek('key-1', 1, 60)).toMatchObject({ allowed: true, count: 0 });
    expect(rate.peek('coarse', 1, 60)).toMatchObject({ allowed: true, count: 0 });
  });

  it('sweeps incrementally on add, without a full scan per call', () => {
    const { clock, rate } = limiter();
    for (let i = 0; i < 1000; i++) rate.add(`old-${i}`, 60, 1);
    clock.t = T0 + 64_000;
    for (let i = 0; i < 10; i++) rate.add(`new-${i}`, 60, 1);
    // Each add visits a couple of entries, not all of them.
    expect(rate.size).toBeGreaterThan(900);
    // Two entries per add: within one pass and a half of the map every old counter is visited.
    for (let i = 10; i < 1100; i++) rate.add(`new-${i}`, 60, 1);
    expect(rate.size).toBe(1100);
  });

  it('a background timer sweeps when no calls arrive', async () => {
    const clock = { t: T0 };
    const rate = new SlidingWindowRateLimiter({ now: () => clock.t, sweepIntervalMs: 1, sweepBatch: 100 });
    try {
      for (let i = 0; i < 300; i++) rate.add(`k${i}`, 1, i % 2 === 0 ? 1 : 200);
      clock.t = T0 + 2000;
      await expect.poll(() => rate.size, { interval: 5, timeout: 2000 }).toBe(0);
    } finally {
      rate.close();
    }
  });

  it('a key used with two periods keeps both counters when the first one is swept', () => {
    const { clock, rate } = limiter();
    rate.add('k', 60, 1);
    rate.add('k', 300, 2);
    clock.t = T0 + 64_000;
    rate.sweep();
    expect(rate.size).toBe(1);
    expect(rate.peek('k', 5, 300).count).toBe(2);
    rate.add('k', 300, 1);
    expect(rate.peek('k', 5, 300).count).toBe(3);
    rate.add('k', 60, 1);
    expect(rate.peek('k', 5, 60).count).toBe(1);
    expect(rate.peek('k', 5, 300).count).toBe(3);
  });

  it('compacts its storage after a burst of keys, keeping live counters intact', () => {
    const { clock, rate } = limiter();
    for (let i = 0; i < 4000; i++) rate.add(`burst-${i}`, 60, 1 + (i % 9));
    for (let i = 0; i < 1000; i++) rate.add(`live-${i}`, 60, 1);
    rate.add('live-coarse', 60, 300);
    clock.t = T0 + 40_000;
    for (let i = 0; i < 1000; i++) rate.add(`live-${i}`, 60, 1 + (i % 3));
    clock.t = T0 + 60_000;
    rate.sweep();
    expect(rate.size).toBe(1000);
    for (let i = 0; i < 1000; i += 97) {
      expect(rate.peek(`live-${i}`, 5, 60)).toMatchObject({ count: 1 + (i % 3) });
      expect(rate.peek(`live-${i}`, 1 + (i % 3), 60)).toMatchObject({ allowed: false, retryAfterSeconds: 40 });
    }
    for (let i = 0; i < 100; i++) rate.add(`after-${i}`, 60, 2);
    expect(rate.peek('after-99', 5, 60).count).toBe(2);
    expect(rate.peek('live-500', 5, 60).count).toBe(3);
    clock.t = T0 + 70_000;
    rate.add('coarse-after', 60, 300);
    expect(rate.peek('coarse-after', 300, 60)).toMatchObject({ allowed: false, count: 300, retryAfterSeconds: 60 });
  });
});
