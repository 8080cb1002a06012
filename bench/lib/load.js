'use strict';

/**
 * Load generation with autocannon (programmatic, in this process), and the
 * alternation of rounds: every round runs every target once, in an order that
 * changes from round to round (reversed every other round, rotated every two), so
 * slow drift of the machine (thermal, other load) falls on all targets alike.
 */
const autocannon = require('autocannon');
const { cpuMs } = require('./procs');

let current;

/** Stops the running load (Ctrl-C). */
function stopLoad() {
  if (current) current.stop();
}

/**
 * One autocannon run against `target` ({ url, method?, headers?, requests?, expectStatus }).
 * Resolves with req/s, latency percentiles (ms) and status counts.
 */
function runLoad(target, { connections, durationSec }) {
  return new Promise((resolve, reject) => {
    const options = {
      url: target.url,
      connections,
      duration: durationSec,
      method: target.method ?? 'GET',
      headers: target.headers ?? {},
      timeout: 10,
    };
    if (target.requests) options.requests = target.requests;
    const cpuBefore = target.pid ? cpuMs(target.pid) : undefined;
    current = autocannon(options, (error, result) => {
      const cpuAfter = target.pid ? cpuMs(target.pid) : undefined;
      current = undefined;
      if (error) return reject(error);
      const statuses = {};
      for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = count;
      const expected = statuses[String(target.expectStatus)] ?? 0;
      resolve({
        rps: result.requests.total / result.duration,
        total: result.requests.total,
        durationSec: result.duration,
        p50: result.latency.p50,
        p99: result.latency.p99,
        mean: result.latency.average,
        statuses,
        unexpected: result.requests.total - expected,
        errors: result.errors + result.timeouts,
        // CPU the target's front process spent per request (µs), when /proc tells.
        cpuUs: cpuBefore === undefined || cpuAfter === undefined || result.requests.total === 0 ? undefined : ((cpuAfter - cpuBefore) * 1000) / result.requests.total,
      });
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Warms every target up, then runs `rounds` rounds. Returns, per target id, the
 * list of round results. `onRun(target, round, result)` reports progress.
 */
async function alternate(targets, { rounds, durationSec, warmupSec, connections, onRun = () => undefined, isStopped = () => false }) {
  const results = new Map(targets.map((t) => [t.id, []]));
  for (const target of targets) {
    if (isStopped()) return results;
    const warm = await runLoad(target, { connections, durationSec: warmupSec });
    onRun(target, 'warm-up', warm);
    await sleep(300);
  }
  for (let round = 0; round < rounds; round++) {
    // Reverse every other round, and rotate by one every two rounds: each target runs early
    // and late alike (rotating every round would undo the reversal for two targets).
    const shift = Math.floor(round / 2) % targets.length;
    const order = targets.slice(shift).concat(targets.slice(0, shift));
    if (round % 2 === 1) order.reverse();
    for (const target of order) {
      if (isStopped()) return results;
      const result = await runLoad(target, { connections, durationSec });
      results.get(target.id).push(result);
      onRun(target, round + 1, result);
      await sleep(300);
    }
  }
  return results;
}

/** Mean req/s, min/max over rounds, median p50/p99, worst p99, totals of unexpected statuses and errors. */
function summarize(runs) {
  if (runs.length === 0) return undefined;
  const median = (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  };
  const rps = runs.map((r) => r.rps);
  return {
    rps: rps.reduce((a, b) => a + b, 0) / rps.length,
    rpsMin: Math.min(...rps),
    rpsMax: Math.max(...rps),
    rounds: rps,
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    p99Max: Math.max(...runs.map((r) => r.p99)),
    cpuUs: runs.every((r) => r.cpuUs !== undefined) ? median(runs.map((r) => r.cpuUs)) : undefined,
    total: runs.reduce((a, r) => a + r.total, 0),
    unexpected: runs.reduce((a, r) => a + r.unexpected, 0),
    errors: runs.reduce((a, r) => a + r.errors, 0),
    statuses: runs.reduce((acc, r) => {
      for (const [code, count] of Object.entries(r.statuses)) acc[code] = (acc[code] ?? 0) + count;
      return acc;
    }, {}),
  };
}

module.exports = { runLoad, alternate, summarize, stopLoad };
