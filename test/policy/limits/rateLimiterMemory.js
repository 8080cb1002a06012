/**
 * Heap held by the rate limiter for one million distinct keys, and after they go
 * idle and are swept. Opt-in (not part of `npm test`; it takes a few seconds):
 *
 *   npm run build && node --expose-gc test/policy/limits/rateLimiterMemory.js
 *
 * Prints the figures; exits 1 when a million keys take 200 MB or more, or when
 * eviction leaves more than a few MB behind. KEYS=n changes the number of keys.
 */
'use strict';
const { SlidingWindowRateLimiter } = require('../../../dist/src/policy/limits/slidingWindow.js');

const KEYS = Number(process.env.KEYS || 1_000_000);
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
  rate.add(Buffer.from(i.toString(16).padStart(32, 'f')).toString('latin1'), 60, 1);
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const held = heapMb() - before;
clock.t += 64_000;
rate.sweep();
const after = heapMb() - before;
console.log(
  `${KEYS} keys: ${held.toFixed(1)} MB (${((held * 2 ** 20) / KEYS).toFixed(0)} bytes a key), ` +
    `${((KEYS / seconds) / 1e6).toFixed(2)} M adds/s; after eviction: ${after.toFixed(1)} MB, ${rate.size} counters`,
);
process.exitCode = held < (LIMIT_MB * KEYS) / 1_000_000 && after < 8 && rate.size === 0 ? 0 : 1;
