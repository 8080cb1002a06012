import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUCKETS, SlidingWindowRateLimiter } from '../../../src/policy/limits/slidingWindow';

const T0 = 1_700_000_000_000;

function limiter() {
  const clock = { t: T0 };
  const rate = new SlidingWindowRateLimiter({ now: () => clock.t });
  /** Peek, and count the call when it fits: what `rate-limit` does. */
  const call = (key: string, limit: number, periodSeconds: number) => {
    const decision = rate.peek(key, limit, periodSeconds);
    if (decision.allowed) rate.add(key, periodSeconds, 1);
    return decision;
  };
  return { clock, rate, call };
}

describe('sliding-window rate limiter', () => {
  it('lets `limit` calls through, refuses the next, and reports count and remaining', () => {
    const { rate, call } = limiter();
    expect(rate.peek('k', 5, 60)).toEqual({ allowed: true, remaining: 4, retryAfterSeconds: 0, limit: 5, count: 0 });
    for (let i = 0; i < 5; i++) expect(call('k', 5, 60)).toMatchObject({ allowed: true, remaining: 4 - i, count: i });
    expect(rate.peek('k', 5, 60)).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 63, limit: 5, count: 5 });
  });

  it('peek counts nothing', () => {
    const { rate } = limiter();
    for (let i = 0; i < 10; i++) rate.peek('k', 1, 60);
    expect(rate.peek('k', 1, 60).allowed).toBe(true);
  });

  it('keeps a call counted for the whole period, and at most one bucket (period / BUCKETS) longer', () => {
    const { clock, rate, call } = limiter();
    const bucketMs = (60_000 / BUCKETS);
    for (let i = 0; i < 5; i++) call('k', 5, 60);
    clock.t = T0 + 59_999;
    expect(rate.peek('k', 5, 60).allowed).toBe(false);
    clock.t = T0 + 60_000;
    expect(rate.peek('k', 5, 60)).toMatchObject({ allowed: false, retryAfterSeconds: Math.ceil(bucketMs / 1000) });
    clock.t = T0 + 60_000 + bucketMs - 1;
    expect(rate.peek('k', 5, 60)).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    clock.t = T0 + 60_000 + bucketMs;
    expect(rate.peek('k', 5, 60)).toMatchObject({ allowed: true, count: 0, remaining: 4 });
  });

  it('slides: calls leave the window one bucket at a time, oldest first', () => {
    const { clock, rate, call } = limiter();
    for (let i = 0; i < 3; i++) call('k', 5, 60);
    clock.t = T0 + 30_000;
    call('k', 5, 60);
    call('k', 5, 60);
    // Full: the three oldest leave at 63 s, so one more call fits 33 s from now.
    expect(rate.peek('k', 5, 60)).toMatchObject({ allowed: false, count: 5, retryAfterSeconds: 33 });
    clock.t = T0 + 63_000;
    expect(rate.peek('k', 5, 60)).toMatchObject({ allowed: true, count: 2, remaining: 2 });
    clock.t = T0 + 93_000;
    expect(rate.peek('k', 5, 60)).toMatchObject({ allowed: true, count: 0 });
  });

  it('retry-after counts only as many old calls as must leave, in whole seconds, at least 1', () => {
    const { clock, rate } = limiter();
    rate.add('k', 10, 2); // bucket 0 of a 10 s period (0.5 s buckets)
    clock.t = T0 + 4_200;
    rate.add('k', 10, 3); // bucket 8
    clock.t = T0 + 5_000;
    // limit 4, 5 counted: 2 must leave; bucket 0 leaves at 10.5 s.
    expect(rate.peek('k', 4, 10)).toMatchObject({ allowed: false, count: 5, retryAfterSeconds: 6 });
    // limit 2: 4 must leave, so bucket 8 too, at 14.5 s.
    expect(rate.peek('k', 2, 10)).toMatchObject({ allowed: false, retryAfterSeconds: 10 });
    clock.t = T0 + 10_400;
    expect(rate.peek('k', 4, 10)).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
  });

  it('counts increment-count calls at once, and a limit below 1 never fits', () => {
    const { rate } = limiter();
    rate.add('k', 60, 4);
    expect(rate.peek('k', 5, 60)).toMatchObject({ allowed: true, count: 4, remaining: 0 });
    expect(rate.peek('k', 4, 60)).toMatchObject({ allowed: false });
    expect(rate.peek('fresh', 0, 60)).toMatchObject({ allowed: false, count: 0, retryAfterSeconds: 60 });
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

  it('never admits more than the limit in any sliding period, and refuses only when the window plus one bucket is full', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.integer({ min: 0, max: 60_000 }), { minLength: 1, maxLength: 200 }),
        (limit, periodSeconds, offsets) => {
          const { clock, call } = limiter();
          const periodMs = periodSeconds * 1000;
          const bucketMs = periodMs / BUCKETS;
          const admitted: number[] = [];
          for (const t of [...offsets].sort((a, b) => a - b)) {
            clock.t = T0 + t;
            const decision = call('k', limit, periodSeconds);
            const recent = admitted.filter((a) => a > t - periodMs);
            if (decision.allowed) {
              expect(recent.length).toBeLessThan(limit);
              admitted.push(t);
            } else {
              expect(admitted.filter((a) => a > t - periodMs - bucketMs).length).toBeGreaterThanOrEqual(limit);
              expect(decision.retryAfterSeconds).toBeGreaterThanOrEqual(1);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('clamps periods below one second to one second', () => {
    const { clock, rate } = limiter();
    rate.add('k', 0.01, 1);
    clock.t = T0 + 999;
    expect(rate.peek('k', 1, 0.01).allowed).toBe(false);
    clock.t = T0 + 1050;
    expect(rate.peek('k', 1, 0.01).allowed).toBe(true);
  });
});

describe('sliding-window rate limiter: idle counters are evicted', () => {
  it('a full sweep removes every counter with nothing counted within its period', () => {
    const { clock, rate } = limiter();
    for (let i = 0; i < 1000; i++) rate.add(`key-${i}`, 60, 1);
    rate.add('long', 300, 1);
    expect(rate.size).toBe(1001);
    clock.t = T0 + 62_999;
    rate.sweep();
    expect(rate.size).toBe(1001);
    clock.t = T0 + 63_000;
    rate.sweep();
    expect(rate.size).toBe(1);
    expect(rate.peek('long', 1, 300).allowed).toBe(false);
    expect(rate.peek('key-1', 1, 60)).toMatchObject({ allowed: true, count: 0 });
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
      for (let i = 0; i < 300; i++) rate.add(`k${i}`, 1, 1);
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
    for (let i = 0; i < 4000; i++) rate.add(`burst-${i}`, 60, 1);
    for (let i = 0; i < 1000; i++) rate.add(`live-${i}`, 60, 1);
    clock.t = T0 + 40_000;
    for (let i = 0; i < 1000; i++) rate.add(`live-${i}`, 60, 1);
    clock.t = T0 + 64_000;
    rate.sweep();
    expect(rate.size).toBe(1000);
    for (let i = 0; i < 1000; i += 97) expect(rate.peek(`live-${i}`, 5, 60).count).toBe(1);
    for (let i = 0; i < 100; i++) rate.add(`after-${i}`, 60, 2);
    expect(rate.peek('after-99', 5, 60).count).toBe(2);
    expect(rate.peek('live-500', 5, 60).count).toBe(1);
  });
});
