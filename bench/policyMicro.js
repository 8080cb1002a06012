'use strict';

/**
 * `node bench/policyMicro.js [iterations] [runs] [ids]`: the policy rows of `npm run bench`
 * in-process (no sockets, a stub forwarder), CPU µs per `handle()` for each, all in
 * one process and interleaved run by run, median of the runs:
 *
 *   3n  valid key, gateway without policy documents
 *   3c  valid key, default policy (policy documents exist, none applies)
 *   4c  missing key (401)
 *   4i  unknown key (401): pays the key lookup, as 6t and 6c do
 *   6q  product rate-limit + quota, never reached
 *   6t  rate limit exceeded (429)
 *   6c  cache hit
 *   6r  set-header + rewrite-uri
 *
 * CPU time (`process.cpuUsage()`) rather than wall time, so other work on the
 * machine disturbs the figures less. It shows the core's own cost per request; the
 * full bench adds Node's HTTP server (about 9 µs per request) and, for forwarded
 * calls, the real backend call. The ratios it prints are of the core alone.
 */
const dist = require('./lib/dist');
const { builders } = require(dist('catalog/recordBuilders'));
const { createGateway, createPolicyServices } = require(dist('gateway'));
const { IncomingHeaders } = require('./servers/incomingHeaders');
const { labIndex, policyDocumentsOf, benchPolicyDocuments, benchPolicyRecords, BENCH_SUBSCRIPTION, UNKNOWN_KEY } = require('./lib/catalog');

const iterations = Number(process.argv[2] ?? 50_000);
const runs = Number(process.argv[3] ?? 7);
/** A comma-separated list of row ids to run only those (e.g. to profile one with `node --cpu-prof`). */
const only = process.argv[4] ? new Set(process.argv[4].split(',')) : null;
const KEY_HEADER = 'Ocp-Apim-Subscription-Key';

// The lab seed, the records of the bench's policy rows (as bench/run.js seeds them),
// and the bench's own Echo API subscription (as the small catalog holds it).
const serviceUrl = 'http://127.0.0.1:9/backend/echo';
const policyRows = benchPolicyRecords({ serviceUrl });
const benchSubscription = builders.subscription({ id: BENCH_SUBSCRIPTION, scope: '/apis/echo-api' });
const keys = { api: benchSubscription.primaryKey, ...policyRows.keys };
const index = labIndex({ serviceUrl, records: [...policyRows.records, { kind: 'subscription', value: benchSubscription }] });
const policies = policyDocumentsOf(benchPolicyDocuments());

// What the echo answers the bench's request with, roughly: a small JSON body.
const echoBody = Buffer.from(JSON.stringify({ method: 'GET', path: '/backend/echo/resource', headers: { host: '127.0.0.1:9', 'x-forwarded-for': '127.0.0.1' } }));
const answer = { status: 200, headers: [['content-type', 'application/json'], ['content-length', String(echoBody.length)]], body: echoBody };
const forwarder = { forward: () => Promise.resolve(answer), close: async () => undefined };
const services = createPolicyServices();
const withPolicies = createGateway({ catalog: index, forwarder, policies, policyServices: services });
const bare = createGateway({ catalog: index, forwarder });

/** The bench adapter's request: Node's `rawHeaders` as autocannon sends them, viewed by IncomingHeaders. */
function request(path, key) {
  const rawHeaders = ['Host', '127.0.0.1:8080', 'Connection', 'keep-alive'];
  if (key) rawHeaders.push(KEY_HEADER, key);
  const headers = {};
  for (let i = 0; i < rawHeaders.length; i += 2) headers[rawHeaders[i].toLowerCase()] = rawHeaders[i + 1];
  return { method: 'GET', url: path, headers: new IncomingHeaders({ rawHeaders, headers }), body: null, remoteAddress: '127.0.0.1' };
}

const PATH = '/echo/resource?param1=sample';
const allVariants = [
  { id: '3n', label: 'valid key, no policy documents', gateway: bare, path: PATH, key: keys.api, status: 200 },
  { id: '3c', label: 'valid key, default policy', gateway: withPolicies, path: PATH, key: keys.api, status: 200 },
  { id: '4c', label: 'missing key (401)', gateway: withPolicies, path: PATH, key: null, status: 401 },
  { id: '4i', label: 'unknown key (401)', gateway: withPolicies, path: PATH, key: UNKNOWN_KEY, status: 401 },
  { id: '6q', label: 'rate-limit + quota, not reached', gateway: withPolicies, path: PATH, key: keys.limited, status: 200 },
  { id: '6t', label: 'rate limit exceeded (429)', gateway: withPolicies, path: PATH, key: keys.throttled, status: 429 },
  { id: '6c', label: 'cache hit', gateway: withPolicies, path: '/policy/cached?param1=sample', key: keys.policy, status: 200 },
  { id: '6r', label: 'set-header + rewrite-uri', gateway: withPolicies, path: '/policy/rewrite?param1=sample', key: keys.policy, status: 200 },
];
const variants = only ? allVariants.filter((v) => only.has(v.id)) : allVariants;

/** CPU µs per call over `n` calls, each answer taken as the bench's adapter takes it (awaited only when a promise). */
async function measure(variant, n) {
  const { gateway, path, key, status } = variant;
  const started = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    let result = gateway.handle(request(path, key));
    if (result instanceof Promise) result = await result;
    if (result.status !== status) throw new Error(`${variant.id}: ${result.status}, wanted ${status}`);
  }
  const used = process.cpuUsage(started);
  return (used.user + used.system) / n;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

(async () => {
  // The throttled subscription's first call is allowed; every later one is the 429. The first cached call fills the cache.
  for (const variant of variants) {
    const first = variant.gateway.handle(request(variant.path, variant.key));
    await first;
  }
  for (const variant of variants) await measure(variant, Math.ceil(iterations / 5));
  const figures = new Map(variants.map((v) => [v.id, []]));
  for (let run = 0; run < runs; run++) {
    const order = run % 2 === 0 ? variants : [...variants].reverse();
    for (const variant of order) figures.get(variant.id).push(await measure(variant, iterations));
  }
  const us = new Map([...figures].map(([id, values]) => [id, median(values)]));
  console.log(`CPU µs per handle(), median of ${runs} runs of ${iterations} calls (min-max):`);
  for (const variant of variants) {
    const values = figures.get(variant.id);
    console.log(`  ${variant.id.padEnd(3)} ${variant.label.padEnd(34)} ${us.get(variant.id).toFixed(2).padStart(7)}  (${Math.min(...values).toFixed(2)}-${Math.max(...values).toFixed(2)})`);
  }
  const cost = (a, b) => `${a} ${us.get(a).toFixed(2)} vs ${b} ${us.get(b).toFixed(2)} µs: ${(us.get(b) / us.get(a)).toFixed(2)}x the throughput`;
  console.log('Core-only ratios (CPU per call, inverted as throughput):');
  for (const [a, b] of [['3c', '3n'], ['6q', '3c'], ['6t', '4c'], ['6c', '4c'], ['6t', '4i'], ['6c', '4i'], ['6r', '3c']]) if (us.has(a) && us.has(b)) console.log(`  ${cost(a, b)}`);
  await services.close();
})();
