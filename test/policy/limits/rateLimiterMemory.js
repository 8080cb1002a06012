/**
 * Heap held by the rate limiter for one million distinct keys, and after they go
 * idle and are swept. Opt-in (not part of `npm test`; it takes a few seconds):
 *
 *   npm run build && node --expose-gc test/policy/limits/rateLimiterMemory.js
 *
 * Each key is used as `rate-limit` uses it, with Starter's limit (5 calls in 60 s):
 * peek, then count, until its window is full, so every log holds its 5 calls.
 * Prints the figures; exits 1 when a million keys take 200 MB or more, or when
 * eviction leaves more than a few MB behind. KEYS=n changes the number of keys,
 * CALLS=n the limit and the calls made per key.
 */
'use strict';
const { SlidingWindowRateLimiter } = require('../../../dist/src/policy/limits/slidingWindow.js');

const KEYS = Number(process.env.KEYS || 1_000_000);
const CALLS = Number(process.env.CALLS || 5);
const LIMIT_MB = 200;

function heapMb() {
  if (!global.gc) throw new Error('run with node --expose-gc');
  global.gc();
  global.gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return (heapUsed + arrayBuffers) / 2 ** 20;
}

const clock = { t: Date.now() };
const before = heapMb();
const rate = new SlidingWindowRateLimiter({ now: () => clock.t });
const started = process.hrtime.bigint();
for (let i = 0; i < KEYS; i++) {
  // 32 characters, like a subscription id or key, read from a request (a flat string).
  const key = Buffer.from(i.toString(16).padStart(32, 'f')).toString('latin1');
  for (let call = 0; call < CALLS; call++) if (rate.peek(key, CALLS, 60).allowed) rate.add(key, 60, 1);
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const held = heapMb() - before;
clock.t += 64_000;
rate.sweep();
const after = heapMb() - before;
console.log(
  `${KEYS} keys, ${CALLS} calls each: ${held.toFixed(1)} MB (${((held * 2 ** 20) / KEYS).toFixed(0)} bytes a key), ` +
    `${((KEYS * CALLS / seconds) / 1e6).toFixed(2)} M calls/s; after eviction: ${after.toFixed(1)} MB, ${rate.size} counters`,
);
process.exitCode = held < (LIMIT_MB * KEYS) / 1_000_000 && after < 8 && rate.size === 0 ? 0 : 1;
