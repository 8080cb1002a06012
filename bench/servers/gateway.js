'use strict';

/**
 * Targets 3c/4c: the gateway core (`createGateway` over a `CatalogStore` loaded
 * from Azurite, exactly as the Functions app composes it) behind a minimal
 * `node:http` adapter, without the Functions programming model in between.
 *
 * Env: CatalogStorage (connection string), CATALOG_TABLE_NAME, CATALOG_POLL_MS
 * (default 1000, as in the app). Reports to the parent how long the first catalog
 * load (index build) took and the memory it holds.
 *
 * BENCH_POLICIES (JSON, a list of stored policy records `{ scope, productId|apiId|operationId, format, value }`):
 * the policy documents the gateway runs, with rate limiters, quotas counted in the
 * same Azurite (table QUOTA_TABLE_NAME) and the response cache, as the app composes
 * them. Without it the gateway is composed with no policy documents at all.
 */
const { createServer } = require('node:http');
const { performance } = require('node:perf_hooks');
const { tell, onShutdown, listenLoopback, closeServer, memory } = require('../lib/child');
const dist = require('../lib/dist');

const { CatalogStore } = require(dist('catalog/catalogStore'));
const { catalogConnectionFromEnv, createTableClient } = require(dist('catalog/connection'));
const { createGateway, createPolicyServices } = require(dist('gateway'));
const { TableQuotaStore, quotaTableClientFromEnv } = require(dist('policy/limits'));
const { debugCredentialsFromEnv } = require(dist('catalog/debugCredentials'));
const { RestError } = require('@azure/data-tables');
const { nodeHandler } = require('./nodeAdapter');
const { policyDocumentsOf } = require('../lib/catalog');

/**
 * The index build without the storage read: lists the partition once (untimed),
 * then times `ensureStarted()` of a fresh store over an in-memory copy of those
 * same rows, served page by page as the store asks for them. Separates the
 * gateway's work (parse and validate every row, check each subscription's
 * lookup-digest tag, index) from the emulator's paging, which rescans the whole
 * partition per page.
 */
async function rebuild(connection) {
  const client = createTableClient(connection);
  const listStarted = performance.now();
  const rows = [];
  for await (const entity of client.listEntities()) rows.push(entity);
  const listMs = performance.now() - listStarted;
  const byKey = new Map(rows.map((row) => [row.rowKey, row]));
  const memoryClient = {
    tableName: connection.tableName,
    createTable: async () => undefined,
    createEntity: async () => {
      throw new RestError('exists', { statusCode: 409 });
    },
    getEntity: async (_partition, rowKey) => {
      const row = byKey.get(rowKey);
      if (!row) throw new RestError('not found', { statusCode: 404 });
      return row;
    },
    listEntities: () => ({
      // Served as Table Storage serves pages: at most `maxPageSize` (the store asks 1,000) entities at a time.
      byPage: ({ maxPageSize = 1000 } = {}) =>
        (async function* pages() {
          for (let i = 0; i < rows.length; i += maxPageSize) {
            await new Promise((resolve) => setImmediate(resolve));
            yield rows.slice(i, i + maxPageSize);
          }
        })(),
    }),
  };
  const store = new CatalogStore({ client: memoryClient, pollIntervalMs: 0, log: () => undefined });
  const started = performance.now();
  await store.ensureStarted();
  const buildMs = performance.now() - started;
  return { rows: rows.length, listMs, buildMs, subscriptions: store.index.listSubscriptions().length };
}

/** Policy documents from BENCH_POLICIES (the policy rows' documents), handed to the gateway as the catalog hands its own. */
function policyDocumentsFromEnv() {
  return process.env.BENCH_POLICIES ? policyDocumentsOf(JSON.parse(process.env.BENCH_POLICIES)) : undefined;
}

/**
 * `memory()` (bench/lib/child.js) forces two full GCs when the process runs with
 * `--expose-gc`. Done while no `process.nextTick` is pending (as at start, after
 * the catalog load), such a GC lets V8 drop the map that Node's tick objects share;
 * the inline cache of the object literal in `process.nextTick` then turns
 * megamorphic, and every later tick (several per HTTP request) takes V8's runtime
 * path: about 4-5 µs more CPU per request, for the rest of the process's life
 * (seen in `perf` as `Runtime_DefineKeyedOwnPropertyInLiteral` under `nextTick`).
 * A tick kept pending across the GCs keeps that map alive. The figures are the same.
 */
function memoryKeepingTicksFast() {
  process.nextTick(() => undefined);
  return memory();
}

async function main() {
  const connection = catalogConnectionFromEnv();
  const store = new CatalogStore({
    client: createTableClient(connection),
    pollIntervalMs: Number(process.env.CATALOG_POLL_MS ?? 1000),
    log: (message) => process.stderr.write(`[gateway-core] ${message}\n`),
  });
  const started = performance.now();
  await store.ensureStarted();
  const buildMs = performance.now() - started;

  // As the Functions app composes it: the store as readiness source, request tracing on.
  const benchPolicies = policyDocumentsFromEnv();
  const policies = benchPolicies ?? store.view;
  const policyServices = benchPolicies ? createPolicyServices({ quotaStore: new TableQuotaStore(quotaTableClientFromEnv()) }) : undefined;
  if (policyServices) await policyServices.load();
  const gateway = createGateway({ catalog: store.view, readiness: store, debug: debugCredentialsFromEnv(), policies, policyServices });
  const server = createServer(nodeHandler(gateway));
  server.keepAliveTimeout = 65_000;
  onShutdown(async () => {
    store.stop();
    await closeServer(server);
    await gateway.close();
    if (policyServices) await policyServices.close();
  });
  process.on('message', (message) => {
    if (message && message.memory) tell({ memory: memoryKeepingTicksFast() });
    if (message && message.rebuild) {
      rebuild(connection).then(
        (result) => tell({ rebuild: result }),
        (error) => tell({ rebuild: { error: String(error && error.message) } }),
      );
    }
  });
  const port = await listenLoopback(server);
  const index = store.index;
  tell({
    ready: true,
    port,
    buildMs,
    memory: memoryKeepingTicksFast(),
    catalog: {
      version: index.version,
      apis: index.listApis().length,
      subscriptions: index.listSubscriptions().length,
    },
  });
}

main().catch((error) => {
  process.stderr.write(`[gateway-core] failed: ${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
