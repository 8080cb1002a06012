'use strict';

/**
 * `npm run bench [-- options]`: one command, one run, one machine.
 *
 * Default run: starts Azurite (in memory), a raw node:http echo server, the
 * gateway core behind a minimal node:http adapter, the project's local Functions
 * host, and fast-gateway with an equivalent key check; warms each target up, then
 * alternates rounds of autocannon load (50 connections) over all targets; prints
 * req/s, p50, p99, CPU per request and the target ratios; writes bench/results.md.
 *
 * Scale run (--scale): the same catalog plus 1,000 APIs, 10,000 operations and
 * 100,000 subscriptions (200,000 keys) in Azurite; index build time and memory of
 * a fresh gateway process; valid-key throughput against the small catalog.
 *
 * Options: --duration <s> (5), --rounds <n> (3), --warmup <s> (2),
 * --connections <n> (50), --scale, --scale-factor <f> (1: the full size; 0.1 for a
 * quick check), --no-local-host, --profile (CPU profiles of the
 * gateway processes into bench/profiles/), --rows <ids> (only those rows, e.g.
 * `1,4c`; results.md is then left alone unless --out is given), --out <file>
 * (bench/results.md).
 *
 * Everything it starts listens on 127.0.0.1 only (the local host, like `func
 * start`, binds all interfaces; load goes to 127.0.0.1) and stops at the end,
 * on an error and on Ctrl-C.
 */
const os = require('node:os');
const { randomBytes } = require('node:crypto');
const { join, relative } = require('node:path');
const { parseArgs } = require('node:util');
const { performance } = require('node:perf_hooks');
const dist = require('./lib/dist');
const { forkServer, startLocalHost, stopAll } = require('./lib/procs');
const { alternate, summarize, stopLoad } = require('./lib/load');
const { benchPolicyDocuments, benchPolicyRecords, seedSmall, seedScale, uniqueTableName, UNKNOWN_KEY } = require('./lib/catalog');
const { machineInfo, machineSection, table, fmt, writeSection } = require('./lib/report');

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '50' },
    scale: { type: 'boolean', default: false },
    'scale-factor': { type: 'string', default: '1' },
    'no-local-host': { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    rows: { type: 'string' },
    out: { type: 'string' },
  },
});

function positive(name, max) {
  const n = Number(flags[name]);
  if (!Number.isFinite(n) || n <= 0 || n > max) throw new Error(`--${name} must be a number between 0 and ${max}`);
  return n;
}
const config = {
  durationSec: positive('duration', 120),
  rounds: Math.round(positive('rounds', 20)),
  warmupSec: positive('warmup', 60),
  connections: Math.round(positive('connections', 1000)),
};

/** --rows: the ids of the rows to load (e.g. `1,4c`), or null for every row. */
const onlyRows = flags.rows === undefined ? null : new Set(flags.rows.split(',').map((id) => id.trim()).filter(Boolean));
/** Where the results go: --out, else results.md, except for a run of selected rows (it would replace a full run's section with a part). */
const outFile = flags.out ?? (onlyRows ? undefined : join(__dirname, 'results.md'));

/** The targets --rows selects; an id that names no row of this run is an error (a typo would otherwise measure nothing). */
function selectRows(targets) {
  if (!onlyRows) return targets;
  const unknown = [...onlyRows].filter((id) => !targets.some((t) => t.id === id));
  if (unknown.length > 0) throw new Error(`--rows: no row ${unknown.join(', ')} in this run (rows: ${targets.map((t) => t.id).join(', ')})`);
  return targets.filter((t) => onlyRows.has(t.id));
}

/** Writes a run's section of the results file, unless a run of selected rows has no --out. */
function writeResults(section, markdown) {
  if (!outFile) {
    log('\nresults.md left as it is (a run of selected rows; --out <file> writes its section there).');
    return;
  }
  writeSection(outFile, section, markdown);
  log(`\nWrote ${relative(process.cwd(), outFile)}.`);
}

// Subscription keys are sealed at rest; this run's processes share one fresh key.
process.env.KEY_ENCRYPTION_KEY = randomBytes(32).toString('base64');
const PROFILE_DIR = join(__dirname, 'profiles');
const profileArgs = (name) => (flags.profile ? ['--cpu-prof', '--cpu-prof-dir', PROFILE_DIR, '--cpu-prof-name', `${name}-${Date.now()}.cpuprofile`] : []);

const PATH = '/echo/resource?param1=sample';
const KEY_HEADER = 'Ocp-Apim-Subscription-Key';
const log = (line = '') => process.stdout.write(`${line}\n`);

let stopped = false;
let azurite;

async function cleanup() {
  stopLoad();
  await stopAll();
  if (azurite) await azurite.stop();
  azurite = undefined;
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (stopped) process.exit(130);
    stopped = true;
    log(`\n${signal}: stopping the load and every process the bench started...`);
    cleanup().finally(() => process.exit(130));
  });
}

/** One request per target before any load: a wrong status means a wrong setup, not a slow gateway. */
async function checkTarget(target) {
  const request = target.requests ? target.requests[0] : { method: target.method ?? 'GET', path: '', headers: target.headers };
  const url = target.requests ? new URL(request.path, target.url) : new URL(target.url);
  const response = await fetch(url, { method: request.method ?? 'GET', headers: request.headers ?? {} });
  const text = await response.text();
  if (response.status !== target.expectStatus) {
    throw new Error(`${target.label}: expected ${target.expectStatus}, got ${response.status} ${text.slice(0, 200)}`);
  }
}

function progress(target, round, result) {
  const flag = result.unexpected > 0 || result.errors > 0 ? `  !! ${result.unexpected} unexpected statuses ${JSON.stringify(result.statuses)}, ${result.errors} errors` : '';
  log(`  ${String(round).padEnd(7)} ${target.label.padEnd(52)} ${fmt.int(result.rps).padStart(8)} req/s  p50 ${fmt.ms(result.p50).padStart(4)} ms  p99 ${fmt.ms(result.p99).padStart(5)} ms${flag}`);
}

function resultRows(targets, summaries) {
  return targets.map((t) => {
    const s = summaries.get(t.id);
    const check = s.unexpected === 0 && s.errors === 0 ? `all ${t.expectStatus}` : `${s.unexpected} unexpected, ${s.errors} errors`;
    return [t.label, fmt.int(s.rps), `${fmt.int(s.rpsMin)}-${fmt.int(s.rpsMax)}`, fmt.ms(s.p50), fmt.ms(s.p99), fmt.us(s.cpuUs), check];
  });
}
const RESULT_HEADERS = ['target', 'req/s (mean)', 'req/s (min-max)', 'p50 ms', 'p99 ms', 'CPU µs/req', 'responses'];

/** Per-round ratio of a to b (rounds alternate, so a round's pair ran minutes apart at most). */
function roundRatios(a, b) {
  return a.rounds.map((value, i) => value / b.rounds[i]);
}

function verdictRows(checks) {
  return checks.map((c) => [c.name, c.value, c.target, c.met === undefined ? '-' : c.met ? 'met' : 'NOT met', c.detail ?? '']);
}
const VERDICT_HEADERS = ['target', 'measured', 'wanted', 'verdict', 'per round'];

async function startCommon() {
  log('Starting Azurite (in memory) and the raw echo server...');
  const { startAzurite } = require(dist('local/azurite'));
  azurite = await startAzurite();
  const echo = await forkServer('echo', { execArgv: profileArgs('echo') });
  return { echo, echoOrigin: `http://127.0.0.1:${echo.port}` };
}

function localHostEnv(tableName) {
  return {
    CatalogStorage: azurite.connectionString,
    AzureWebJobsStorage: azurite.connectionString,
    CATALOG_TABLE_NAME: tableName,
    CATALOG_POLL_MS: undefined,
    SEED_LAB: 'false',
    WEBSITE_HOSTNAME: undefined,
    MANAGEMENT_PRIMARY_KEY: randomBytes(64).toString('base64'),
    MANAGEMENT_SECONDARY_KEY: randomBytes(64).toString('base64'),
  };
}

function gatewayEnv(tableName) {
  return { CatalogStorage: azurite.connectionString, CATALOG_TABLE_NAME: tableName };
}


/**
 * The policy rows next to the small catalog: their records (`benchPolicyRecords`:
 * products `bench-limited` and `bench-throttled` with the Echo API, the API
 * `bench-policy` with the raw echo as backend, a subscription each) written into the
 * table, and their policy documents (`benchPolicyDocuments`: rate limit and quota far
 * above what a run reaches; 1 call per 300 s, so every call after the first is a
 * 429; set-header + rewrite-uri; the cache), which the gateway gets through
 * BENCH_POLICIES.
 */
async function seedPolicyRows({ connectionString, tableName, echoOrigin }) {
  const { CatalogStore } = require(dist('catalog/catalogStore'));
  const { createTableClient } = require(dist('catalog/connection'));
  const store = new CatalogStore({ client: createTableClient({ connectionString, tableName, source: 'bench' }), pollIntervalMs: 0, log: () => undefined });
  await store.ensureStarted();
  const { records, keys } = benchPolicyRecords({ serviceUrl: `${echoOrigin}/backend/echo` });
  await store.mutate(() => ({ changes: records.map((put) => ({ put })), value: undefined }));
  store.stop();
  const policies = benchPolicyDocuments();
  return { keys, policies };
}

function header(machine, mode) {
  log(`Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB, ${machine.os}, Node ${machine.node}`);
  log(`Load: autocannon ${machine.packages.autocannon}, ${config.connections} connections, warm-up ${config.warmupSec} s per target, ${config.rounds} rounds x ${config.durationSec} s per target, rounds alternated (${mode} run)`);
  log(`Load average at start (other processes on this machine): ${os.loadavg().map((n) => n.toFixed(2)).join(' ')}`);
}

async function defaultRun(machine) {
  header(machine, 'default');
  const { echo, echoOrigin } = await startCommon();
  const tableName = uniqueTableName('bench');
  const small = await seedSmall({ connectionString: azurite.connectionString, tableName, echoOrigin });
  const policyRows = await seedPolicyRows({ connectionString: azurite.connectionString, tableName, echoOrigin });
  const policyEnv = { ...gatewayEnv(tableName), BENCH_POLICIES: JSON.stringify(policyRows.policies), QUOTA_TABLE_NAME: uniqueTableName('benchquota') };

  // The local Functions host only when a row runs on it (it is the heaviest process, and polls storage while idle).
  const withHost = !flags['no-local-host'] && (!onlyRows || ['2', '3h', '4h'].some((id) => onlyRows.has(id)));
  log(`Starting the gateway core (with and without policy documents), the constant 401, fast-gateway (default and tuned)${withHost ? ' and the local Functions host' : ''}...`);
  const [core, bare, constant, peer, peerTuned, host] = await Promise.all([
    forkServer('gateway', { env: policyEnv, execArgv: ['--expose-gc', ...profileArgs('gateway-core')] }),
    forkServer('gateway', { env: gatewayEnv(tableName), execArgv: ['--expose-gc', ...profileArgs('gateway-core-bare')] }),
    forkServer('constant401', { execArgv: profileArgs('constant401') }),
    forkServer('fastGateway', { env: { ECHO_ORIGIN: echoOrigin, BENCH_SUBSCRIPTIONS: JSON.stringify(small.subscriptions) } }),
    forkServer('fastGateway', { env: { ECHO_ORIGIN: echoOrigin, FG_TUNED: '1', BENCH_SUBSCRIPTIONS: JSON.stringify(small.subscriptions) } }),
    withHost ? startLocalHost({ env: localHostEnv(tableName), execArgv: profileArgs('local-host') }) : Promise.resolve(undefined),
  ]);
  const at = (port, path = PATH) => `http://127.0.0.1:${port}${path}`;
  const valid = { [KEY_HEADER]: small.key };

  const allTargets = [
    { id: '1', label: '1  raw node:http echo (physical limit)', url: at(echo.port), headers: valid, expectStatus: 200, pid: echo.child.pid },
    host && { id: '2', label: '2  echo function, local Functions host', url: at(host.port, '/backend/echo/resource?param1=sample'), headers: valid, expectStatus: 200, pid: host.child.pid },
    { id: '3c', label: '3c gateway core, valid key -> raw echo', url: at(core.port), headers: valid, expectStatus: 200, pid: core.child.pid },
    { id: '4c', label: '4c gateway core, missing key (401)', url: at(core.port), headers: {}, expectStatus: 401, pid: core.child.pid },
    { id: '4k', label: '4k the 401 of 4c as a constant, same adapter', url: at(constant.port), headers: {}, expectStatus: 401, pid: constant.child.pid },
    { id: '4i', label: '4i gateway core, unknown key (401)', url: at(core.port), headers: { [KEY_HEADER]: UNKNOWN_KEY }, expectStatus: 401, pid: core.child.pid },
    host && { id: '3h', label: '3h gateway on local Functions host, valid key', url: at(host.port), headers: valid, expectStatus: 200, pid: host.child.pid },
    host && { id: '4h', label: '4h gateway on local Functions host, missing key', url: at(host.port), headers: {}, expectStatus: 401, pid: host.child.pid },
    { id: '3n', label: '3n gateway core without policy documents, valid key', url: at(bare.port), headers: valid, expectStatus: 200, pid: bare.child.pid },
    { id: '6q', label: '6q core, product rate-limit + quota (never reached)', url: at(core.port), headers: { [KEY_HEADER]: policyRows.keys.limited }, expectStatus: 200, pid: core.child.pid },
    { id: '6r', label: '6r core, operation set-header + rewrite-uri', url: at(core.port, '/policy/rewrite?param1=sample'), headers: { [KEY_HEADER]: policyRows.keys.policy }, expectStatus: 200, pid: core.child.pid },
    { id: '6c', label: '6c core, cache hit (no backend call)', url: at(core.port, '/policy/cached?param1=sample'), headers: { [KEY_HEADER]: policyRows.keys.policy }, expectStatus: 200, pid: core.child.pid },
    { id: '6t', label: '6t core, rate limit exceeded (429)', url: at(core.port), headers: { [KEY_HEADER]: policyRows.keys.throttled }, expectStatus: 429, pid: core.child.pid },
    { id: '5', label: '5  fast-gateway + key check, valid key', url: at(peer.port), headers: valid, expectStatus: 200, pid: peer.child.pid },
    { id: '5m', label: '5m fast-gateway + key check, missing key', url: at(peer.port), headers: {}, expectStatus: 401, pid: peer.child.pid },
    { id: '5t', label: '5t fast-gateway tuned, valid key', url: at(peerTuned.port), headers: valid, expectStatus: 200, pid: peerTuned.child.pid },
  ].filter(Boolean);
  const targets = selectRows(allTargets);
  // The first call of the throttled subscription is allowed; every later one is the 429 path. The first cached call fills the cache.
  await fetch(at(core.port), { headers: { [KEY_HEADER]: policyRows.keys.throttled } }).then((r) => r.arrayBuffer());
  await fetch(at(core.port, '/policy/cached?param1=sample'), { headers: { [KEY_HEADER]: policyRows.keys.policy } }).then((r) => r.arrayBuffer());
  for (const target of targets) await checkTarget(target);

  log(`\nLoad (${targets.length} targets):`);
  const started = performance.now();
  const runs = await alternate(targets, { ...config, onRun: progress, isStopped: () => stopped });
  if (stopped) return;
  const summaries = new Map(targets.map((t) => [t.id, summarize(runs.get(t.id))]));
  const s = (id) => summaries.get(id);

  const checks = [];
  const throughput = (name, a, b, wanted) => {
    if (!s(a) || !s(b)) return;
    const ratio = s(a).rps / s(b).rps;
    const rounds = roundRatios(s(a), s(b));
    checks.push({ name, value: fmt.ratio(ratio), target: `>= ${wanted.toFixed(2)}x`, met: ratio >= wanted, detail: rounds.map(fmt.ratio).join(' ') });
  };
  const latency = (name, a, b) => {
    if (!s(a) || !s(b)) return;
    checks.push({ name, value: `${fmt.ms(s(a).p99)} vs ${fmt.ms(s(b).p99)} ms`, target: 'below the peer', met: s(a).p99 < s(b).p99, detail: `worst round ${fmt.ms(s(a).p99Max)} vs ${fmt.ms(s(b).p99Max)} ms` });
  };
  throughput('3c/5  valid key + forward vs peer (core)', '3c', '5', 1.2);
  throughput('4c/1  401 path vs raw echo (core)', '4c', '1', 0.9);
  latency('p99 3c < p99 5 (core)', '3c', '5');
  // The policy engine: the default policy costs nothing, limits and the cache little.
  throughput('3c/3n default policy vs no policy documents (core)', '3c', '3n', 0.95);
  throughput('6q/3c rate-limit + quota vs default policy (core)', '6q', '3c', 0.9);
  throughput('6t/4c 429 path vs 401 path (core)', '6t', '4c', 0.9);
  throughput('6c/4c cache hit vs 401 path (core)', '6c', '4c', 1.0);
  // The targets compare the gateway with the peer and the raw echo like for like: each
  // behind a plain node:http front end. Through the Functions programming model (3h/4h)
  // every request also pays the model's own cost, which the echo function (2) shows
  // alone; those rows are reported, not judged (bench/README.md, "Targets").
  const reference = [];
  const ref = (name, a, b) => s(a) && s(b) && reference.push({ name, value: fmt.ratio(s(a).rps / s(b).rps), target: '(reference)', detail: roundRatios(s(a), s(b)).map(fmt.ratio).join(' ') });
  ref('3c/5t valid key + forward vs tuned peer (core)', '3c', '5t');
  ref('6r/3c set-header + rewrite-uri vs default policy (core)', '6r', '3c');
  ref('4c/5m 401 path vs peer 401 (core)', '4c', '5m');
  // What writing APIM's 401 bytes costs without the gateway, and the core's share of a 401.
  ref('4k/1  constant 401 vs raw echo', '4k', '1');
  ref('4c/4k 401 path vs constant 401 (core)', '4c', '4k');
  // A 429 or a cache hit first finds the subscription by its key (a keyed digest); a
  // missing key never does. The unknown key's 401 pays that lookup too (bench/README.md).
  ref('6t/4i 429 path vs unknown-key 401 (core)', '6t', '4i');
  ref('6c/4i cache hit vs unknown-key 401 (core)', '6c', '4i');
  ref('4i/4c unknown-key 401 vs missing-key 401 (core)', '4i', '4c');
  ref('2/1   echo function (local host) vs raw echo', '2', '1');
  ref('3h/5  valid key + forward vs peer (local host)', '3h', '5');
  ref('4h/1  401 path vs raw echo (local host)', '4h', '1');
  if (s('3h') && s('5')) {
    reference.push({ name: 'p99 3h vs p99 5 (local host)', value: `${fmt.ms(s('3h').p99)} vs ${fmt.ms(s('5').p99)} ms`, target: '(reference)', detail: `worst round ${fmt.ms(s('3h').p99Max)} vs ${fmt.ms(s('5').p99Max)} ms` });
  }
  ref('3c/3h core vs local Functions host', '3c', '3h');
  if (s('2') && s('1') && s('2').cpuUs !== undefined && s('1').cpuUs !== undefined) {
    reference.push({ name: 'programming model, CPU per request (2 - 1)', value: `${fmt.us(s('2').cpuUs - s('1').cpuUs)} µs`, target: '(reference)', detail: `${fmt.us(s('2').cpuUs)} - ${fmt.us(s('1').cpuUs)} µs` });
  }

  const elapsedSec = (performance.now() - started) / 1000;
  const results = table(RESULT_HEADERS, resultRows(targets, summaries));
  const verdicts = table(VERDICT_HEADERS, verdictRows([...checks, ...reference]));
  const loadAfter = os.loadavg().map((n) => n.toFixed(2)).join(' ');
  log(`\nResults (mean of ${config.rounds} rounds; p50/p99 and CPU: median of rounds):\n${results}\n\nTargets:\n${verdicts}`);
  log(`\nLoad average at end: ${loadAfter}. Load phase took ${Math.round(elapsedSec)} s.`);

  const markdown = `## Default run

${new Date().toISOString()} — ${config.connections} connections, warm-up ${config.warmupSec} s per target, ${config.rounds} rounds x ${config.durationSec} s per target, rounds alternated; load phase ${Math.round(elapsedSec)} s. Load average (1/5/15 min) at end: ${loadAfter}.

${results}

req/s is total responses / duration, averaged over rounds; p50/p99 are autocannon's (1 ms resolution), median over rounds; CPU µs/req is the user+system CPU of the target's front process (the echo server for 1, the gateway or host process otherwise) per response, median over rounds.

### Targets

${verdicts}

- **3c/4c/4i** — the gateway core (\`createGateway\` over a \`CatalogStore\` loaded from Azurite, polling every 1 s, request tracing on, as the app composes it) behind a minimal \`node:http\` adapter (\`bench/servers/gateway.js\`); **4k** — the same adapter answering every request with 4c's 401 as a constant (\`bench/servers/constant401.js\`), no gateway; 4i sends a key no subscription holds, so its 401 pays the key lookup (a keyed digest of the key) that a 429 or a cache hit also pays and a missing key (4c) never does.
- **3h/4h** — the same gateway through the project's local Functions host (\`npm start\`): the \`@azure/functions\` programming model, RPC conversion and per-request logging included. Reported, not judged: the targets compare the gateway with the peer and the raw echo, each behind a plain \`node:http\` front end; through the Functions programming model every request also pays the model's own cost (row 2, and "programming model, CPU per request"), which alone is many times the raw echo's whole cost per request, whatever the function does.
- **3n** — the same gateway core composed without policy documents (every scope at its default, the policy engine never consulted); **3c** runs with the documents of the 6x rows stored, its Echo API call at the default policy.
- **6q/6r/6c/6t** — the same process as 3c: the Echo API with a product subscription whose product has \`rate-limit\` + \`quota\` far above what a run reaches (quotas counted in Azurite, as the app does); an operation with \`set-header\` + \`rewrite-uri\`; a cache hit (\`cache-lookup\`/\`cache-store\`, no backend call); a subscription over its rate limit (429).
- **5** — \`fast-gateway\` with an in-memory key map (header or query key, state and scope checked, APIM's 401 bodies), default settings; **5t** — with restana's per-request \`setImmediate\` and security headers off.
- Backends: 3c, 3h, 5 and 5t forward \`/echo/resource?param1=sample\` to the raw echo server (target 1) over pooled keep-alive connections.

### Machine

${machineSection(machine, { 'bench command': `node bench/run.js ${process.argv.slice(2).join(' ')}`.trim() })}
`;
  writeResults('default', markdown);
}

async function scaleRun(machine) {
  header(machine, 'scale');
  const { echoOrigin } = await startCommon();
  const smallTable = uniqueTableName('benchsmall');
  const scaleTable = uniqueTableName('benchscale');
  const small = await seedSmall({ connectionString: azurite.connectionString, tableName: smallTable, echoOrigin });
  const factor = positive('scale-factor', 1);
  const sizes = { apis: Math.max(1, Math.round(1000 * factor)), products: Math.max(1, Math.round(100 * factor)), subscriptions: Math.max(2, Math.round(100_000 * factor)) };
  const n = (x) => x.toLocaleString('en-US');
  log(`Seeding the scale catalog: ${n(sizes.apis)} APIs, ${n(sizes.apis * 10)} operations, ${n(sizes.products)} products, ${n(sizes.apis)} links, ${n(sizes.subscriptions)} subscriptions...`);
  const scale = await seedScale({ connectionString: azurite.connectionString, tableName: scaleTable, echoOrigin, log, ...sizes });
  log(`  ${scale.rows.toLocaleString('en-US')} rows written in ${(scale.seedMs / 1000).toFixed(1)} s (100-row transactions, ${scale.concurrency} at a time; Azurite's inserts slow down as one partition grows), catalog version ${scale.version}`);

  log('Index build in fresh gateway processes...');
  const coreSmall = await forkServer('gateway', { env: gatewayEnv(smallTable), execArgv: ['--expose-gc'] });
  const builds = [];
  for (let i = 0; i < 2; i++) {
    const probe = await forkServer('gateway', { env: gatewayEnv(scaleTable), execArgv: ['--expose-gc'], timeoutMs: 600_000 });
    // Then the same build over an in-memory copy of the rows: the gateway's own share.
    const rebuild = await probe.ask({ rebuild: true }, 'rebuild', 600_000);
    if (rebuild.error) throw new Error(`index rebuild failed: ${rebuild.error}`);
    builds.push({ buildMs: probe.buildMs, memory: probe.memory, catalog: probe.catalog, rebuild });
    log(
      `  build ${i + 1}: ${(probe.buildMs / 1000).toFixed(2)} s from Azurite (listing alone ${(rebuild.listMs / 1000).toFixed(2)} s), ` +
        `${(rebuild.buildMs / 1000).toFixed(2)} s from the same ${rebuild.rows.toLocaleString('en-US')} rows in memory; ` +
        `RSS ${probe.memory.rssMb} MB (after GC ${probe.memory.rssAfterGcMb} MB, heap used ${probe.memory.heapUsedAfterGcMb} MB); ` +
        `${probe.catalog.apis} APIs, ${probe.catalog.subscriptions} subscriptions`,
    );
    await probe.stop();
  }
  const coreScale = await forkServer('gateway', { env: gatewayEnv(scaleTable), execArgv: ['--expose-gc', ...profileArgs('gateway-core-scale')], timeoutMs: 600_000 });
  const valid = { [KEY_HEADER]: small.key };
  const scaleKey = { [KEY_HEADER]: scale.key };
  const at = (port, path = PATH) => `http://127.0.0.1:${port}${path}`;
  const targets = selectRows([
    { id: 'small', label: 'S  small catalog, valid key (echo-api)', url: at(coreSmall.port), headers: valid, expectStatus: 200, pid: coreSmall.child.pid },
    { id: 'scale', label: 'L  scale catalog, valid key (echo-api)', url: at(coreScale.port), headers: scaleKey, expectStatus: 200, pid: coreScale.child.pid },
    {
      id: 'spread',
      label: `L* scale catalog, ${n(scale.samples.length)} keys over ${n(new Set(scale.samples.map((r) => r.path.split('/')[2])).size)} APIs`,
      url: `http://127.0.0.1:${coreScale.port}`,
      requests: scale.samples,
      expectStatus: 200,
      pid: coreScale.child.pid,
    },
  ]);
  for (const target of targets) await checkTarget(target);
  log(`\nLoad (${targets.length} targets, gateway core):`);
  const started = performance.now();
  const runs = await alternate(targets, { ...config, onRun: progress, isStopped: () => stopped });
  if (stopped) return;
  const afterLoad = await coreScale.ask({ memory: true }, 'memory');
  const summaries = new Map(targets.map((t) => [t.id, summarize(runs.get(t.id))]));
  const s = (id) => summaries.get(id);

  const best = builds.reduce((a, b) => (b.buildMs < a.buildMs ? b : a));
  const worst = builds.reduce((a, b) => (b.buildMs > a.buildMs ? b : a));
  const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;
  const worstIndex = Math.max(...builds.map((b) => b.rebuild.buildMs));
  const checks = [
    { name: 'index build, rows in memory (gateway share)', value: seconds(Math.min(...builds.map((b) => b.rebuild.buildMs))), target: '< 5 s', met: worstIndex < 5000, detail: builds.map((b) => seconds(b.rebuild.buildMs)).join(' ') },
    { name: 'index build incl. listing from Azurite', value: seconds(best.buildMs), target: '< 5 s', met: worst.buildMs < 5000, detail: `${builds.map((b) => seconds(b.buildMs)).join(' ')}; listing alone ${builds.map((b) => seconds(b.rebuild.listMs)).join(' ')}` },
    { name: 'RSS after build', value: `${worst.memory.rssMb} MB`, target: '< 300 MB', met: worst.memory.rssMb < 300, detail: `after GC ${worst.memory.rssAfterGcMb} MB, heap used ${worst.memory.heapUsedAfterGcMb} MB` },
    { name: 'RSS after load', value: `${afterLoad.rssMb} MB`, target: '< 300 MB', met: afterLoad.rssMb < 300, detail: `after GC ${afterLoad.rssAfterGcMb} MB` },
  ];
  for (const [id, name] of [['scale', 'L/S  same request, scale vs small'], ['spread', 'L*/S spread keys, scale vs small']]) {
    if (!s(id) || !s('small')) continue;
    const ratio = s(id).rps / s('small').rps;
    checks.push({ name, value: fmt.ratio(ratio), target: '>= 0.90x', met: ratio >= 0.9, detail: roundRatios(s(id), s('small')).map(fmt.ratio).join(' ') });
  }
  const elapsedSec = (performance.now() - started) / 1000;
  const results = table(RESULT_HEADERS, resultRows(targets, summaries));
  const verdicts = table(VERDICT_HEADERS, verdictRows(checks));
  const loadAfter = os.loadavg().map((n) => n.toFixed(2)).join(' ');
  log(`\nResults (mean of ${config.rounds} rounds; p50/p99 and CPU: median of rounds):\n${results}\n\nTargets:\n${verdicts}`);
  log(`\nLoad average at end: ${loadAfter}. Load phase took ${Math.round(elapsedSec)} s.`);

  const markdown = `## Scale run

${new Date().toISOString()} — catalog of ${n(scale.rows)} rows (${n(sizes.apis)} APIs with 10 operations each, ${n(sizes.products)} products, ${n(sizes.apis)} product-API links, ${n(sizes.subscriptions)} subscriptions = ${n(2 * sizes.subscriptions)} keys, one in twenty suspended; keys sealed at rest) seeded into Azurite in ${(scale.seedMs / 1000).toFixed(1)} s. ${config.connections} connections, ${config.rounds} rounds x ${config.durationSec} s, alternated. Load average at end: ${loadAfter}.

Index build = \`CatalogStore.ensureStarted()\` in a fresh gateway process (list the partition page by page, the next page requested while the current one is processed; parse and validate every row; check each subscription's lookup-digest tag, one HMAC, and index its two key digests: 200,000 keys, none opened), in two fresh processes: once from Azurite, then in the same process once more over an in-memory copy of the same rows (the gateway's own share: Azurite keeps a partition as a list it filters and sorts whole for every 1,000-row page, so its listing grows with the square of the partition; Azure Table Storage serves a partition in key order). RSS from \`process.memoryUsage()\` right after the build from Azurite.

${results}

- **S** — gateway core on the small catalog (the default run's), **L** — the same request on the scale catalog, **L*** — requests rotating over ${scale.samples.length} subscriptions spread over the whole catalog (API and product scopes, primary and secondary keys), each on its own API and an \`/items/{id}\` operation.

### Targets

${verdicts}

### Machine

${machineSection(machine, { 'bench command': `node bench/run.js ${process.argv.slice(2).join(' ')}`.trim() })}
`;
  writeResults('scale', markdown);
}

async function main() {
  const machine = machineInfo();
  try {
    if (flags.scale) await scaleRun(machine);
    else await defaultRun(machine);
    if (flags.profile) log(`CPU profiles (written when the processes stop): ${relative(process.cwd(), PROFILE_DIR)}/`);
  } finally {
    await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`bench failed: ${error && error.stack ? error.stack : error}\n`);
    cleanup().finally(() => process.exit(1));
  },
);
