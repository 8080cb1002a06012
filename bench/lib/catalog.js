'use strict';

/**
 * The catalogs the bench runs against, written to Azurite before any gateway
 * starts.
 *
 * Small: the lab seed (Echo API and its six operations, Starter/Unlimited, three
 * subscriptions), with the Echo API's `serviceUrl` pointing at the raw echo
 * server, plus one active subscription scoped to the Echo API whose key the load
 * uses. Written through `CatalogStore.mutate`, as the management API writes.
 *
 * Scale: the small catalog plus APIM Premium-sized bulk: 1,000 APIs, 10,000
 * operations, 100 products with 1,000 product-API links, 100,000 subscriptions
 * (200,000 keys). The bulk rows are written as the store writes them (same row
 * keys and codec), in 100-row transactions sent a few at a time, then the
 * version row is bumped once with a change-log entry that says "reload
 * everything", so any instance reads the whole catalog.
 */
const { randomBytes } = require('node:crypto');
const { performance } = require('node:perf_hooks');
const dist = require('./dist');

const { CatalogStore } = require(dist('catalog/catalogStore'));
const { createTableClient } = require(dist('catalog/connection'));
const { CATALOG_PARTITION, VERSION_ROW, toEntity } = require(dist('catalog/tableCodec'));
const { labSeed } = require(dist('lab/seed'));
const { keyProtectorFromEnv, createKeyProtector } = require(dist('catalog/keyProtector'));
const { CatalogIndex } = require(dist('catalog/catalogIndex'));
const { builders } = require(dist('catalog/recordBuilders'));

const BENCH_SUBSCRIPTION = 'bench-echo';

function tableClient(connectionString, tableName) {
  return createTableClient({ connectionString, tableName, source: 'bench' });
}

/**
 * Writes the small catalog into `tableName`; resolves with the bench key and the
 * subscriptions (for the peer's equivalent key table).
 */
async function seedSmall({ connectionString, tableName, echoOrigin }) {
  const store = new CatalogStore({ client: tableClient(connectionString, tableName), pollIntervalMs: 0, log: () => undefined });
  await store.ensureStarted();
  const bench = builders.subscription({ id: BENCH_SUBSCRIPTION, scope: '/apis/echo-api' });
  const records = labRecords(`${echoOrigin}/backend/echo`);
  records.push({ kind: 'subscription', value: bench });
  await store.mutate(() => ({ changes: records.map((put) => ({ put })), value: undefined }));
  store.stop();
  const subscriptions = records
    .filter((r) => r.kind === 'subscription')
    .map((r) => ({
      key: r.value.primaryKey,
      state: r.value.state,
      apis: r.value.scope === '/' || r.value.id === BENCH_SUBSCRIPTION ? ['echo-api'] : [],
    }));
  return { key: bench.primaryKey, subscriptions };
}

const OPERATIONS = [
  ['list-items', 'GET', '/items'],
  ['get-item', 'GET', '/items/{id}'],
  ['create-item', 'POST', '/items'],
  ['replace-item', 'PUT', '/items/{id}'],
  ['update-item', 'PATCH', '/items/{id}'],
  ['delete-item', 'DELETE', '/items/{id}'],
  ['item-details', 'GET', '/items/{id}/details'],
  ['search', 'GET', '/search?q={q}'],
  ['get-resource', 'GET', '/resource'],
  ['head-resource', 'HEAD', '/resource'],
];

function templateParameters(urlTemplate) {
  return [...urlTemplate.matchAll(/\{([^{}]+)\}/g)].map((m) => ({ name: m[1], description: null, type: 'string', defaultValue: null, required: true, values: [] }));
}

/** The bulk records of the scale catalog, and request samples spread over it. */
function scaleRecords({ echoOrigin, apis, operationsPerApi, products, subscriptions }) {
  const records = [];
  const now = new Date().toISOString();
  const apiPath = (i) => `t${i % 25}/api-${i}`;
  for (let i = 0; i < apis; i++) {
    records.push({ kind: 'api', value: builders.api({ id: `api-${i}`, displayName: `API ${i}`, path: apiPath(i), serviceUrl: `${echoOrigin}/backend/api-${i}` }) });
    for (let o = 0; o < operationsPerApi; o++) {
      const [name, method, urlTemplate] = OPERATIONS[o % OPERATIONS.length];
      const id = o < OPERATIONS.length ? name : `${name}-${o}`;
      const template = o < OPERATIONS.length ? urlTemplate : `/v${o}${urlTemplate}`;
      records.push({ kind: 'operation', value: builders.operation({ apiId: `api-${i}`, id, method, urlTemplate: template, templateParameters: templateParameters(template) }) });
    }
  }
  for (let p = 0; p < products; p++) {
    records.push({ kind: 'product', value: builders.product({ id: `p-${p}`, displayName: `Product ${p}` }) });
  }
  // Product p holds the APIs i with i % products === p.
  for (let i = 0; i < apis; i++) records.push({ kind: 'link', value: builders.link({ productId: `p-${i % products}`, apiId: `api-${i}` }) });

  const subs = [];
  const apiOf = (j) => (j % 2 === 0 ? Math.floor(j / 2) % apis : (j * 7) % apis);
  for (let j = 0; j < subscriptions; j++) {
    const byApi = j % 2 === 0;
    const apiIndex = apiOf(j);
    const scope = byApi ? `/apis/api-${apiIndex}` : `/products/p-${apiIndex % products}`;
    // One in twenty suspended, so the index holds keys that must be refused.
    const state = j % 20 === 19 ? 'suspended' : 'active';
    const sub = builders.subscription({ id: `sub-${j}`, scope, state, createdDate: now });
    subs.push(sub);
    records.push({ kind: 'subscription', value: sub });
  }
  // Up to 1,000 active subscriptions picked with a prime stride: both scope kinds,
  // spread over the APIs and the key index; each asks its own API.
  const samples = [];
  const wanted = Math.min(1000, subscriptions);
  for (let t = 0; samples.length < wanted && t < subscriptions * 2; t++) {
    const j = (t * 7919) % subscriptions;
    const sub = subs[j];
    if (sub.state !== 'active') continue;
    samples.push({ method: 'GET', path: `/${apiPath(apiOf(j))}/items/${j}`, headers: { 'Ocp-Apim-Subscription-Key': t % 4 === 0 ? sub.secondaryKey : sub.primaryKey } });
  }
  return { records, samples };
}

/**
 * The small catalog, then the bulk, into `tableName`. Resolves with what the
 * small seed returns plus `samples` (requests with keys spread over the catalog),
 * the row count and how long the bulk write took.
 */
async function seedScale({ connectionString, tableName, echoOrigin, apis = 1000, operationsPerApi = 10, products = 100, subscriptions = 100_000, concurrency = 1, log = () => undefined }) {
  const small = await seedSmall({ connectionString, tableName, echoOrigin });
  const client = tableClient(connectionString, tableName);
  const version = await client.getEntity(CATALOG_PARTITION, VERSION_ROW);
  const next = Number(version.version) + 1;
  const { records, samples } = scaleRecords({ echoOrigin, apis, operationsPerApi, products, subscriptions });

  const started = performance.now();
  // Keys sealed at rest with KEY_ENCRYPTION_KEY, as the store writes them.
  const keys = keyProtectorFromEnv();
  const batches = [];
  for (let i = 0; i < records.length; i += 100) {
    // `create`: the table is new. (Azurite keeps one partition as a list it scans per
    // insert, so the write is quadratic; create costs a third of what upsert does, and
    // Azurite runs one request at a time, so transactions go one after the other.)
    batches.push(records.slice(i, i + 100).map((record) => ['create', toEntity(record, next, keys)]));
  }
  let done = 0;
  let lastLog = 0;
  const worker = async () => {
    for (;;) {
      const batch = batches.pop();
      if (!batch) return;
      // Azurite slows down as the partition grows: no client-side timeout cuts a transaction short.
      await client.submitTransaction(batch, { requestOptions: { timeout: 30 * 60_000 } });
      done += batch.length;
      if (performance.now() - lastLog > 15_000) {
        lastLog = performance.now();
        log(`  seeded ${done.toLocaleString('en-US')} / ${records.length.toLocaleString('en-US')} rows (${Math.round((lastLog - started) / 1000)} s)`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  // One version for the whole bulk; `rows: null` tells every instance to reload it all.
  await client.updateEntity(
    { partitionKey: CATALOG_PARTITION, rowKey: VERSION_ROW, version: next, log: JSON.stringify([{ v: next, rows: null }]) },
    'Replace',
    { etag: version.etag },
  );
  const seedMs = performance.now() - started;
  return { ...small, samples, rows: records.length, seedMs, version: next, concurrency };
}

/** The lab seed's records, its Echo API's backend at `serviceUrl`. */
function labRecords(serviceUrl) {
  return labSeed().map((record) => (record.kind === 'api' && record.value.id === 'echo-api' ? { kind: 'api', value: { ...record.value, serviceUrl } } : record));
}

/**
 * For the in-process micro benches: an in-memory catalog index of the lab seed (its
 * Echo API's backend at `serviceUrl`) and `records`, keys digested under a fresh key.
 */
function labIndex({ serviceUrl, records = [] }) {
  const protector = createKeyProtector(randomBytes(32));
  const index = new CatalogIndex((key) => protector.digest(key));
  const all = [...labRecords(serviceUrl), ...records];
  // APIs first: operations and links name them.
  for (const { kind, value } of all) if (kind === 'api') index.putApi(value);
  for (const { kind, value } of all) {
    if (kind === 'operation') index.putOperation(value);
    else if (kind === 'product') index.putProduct(value);
    else if (kind === 'link') index.putLink(value);
    else if (kind === 'subscription') index.putSubscription(value);
  }
  return index;
}

/** Stored policy records (`{ scope, productId|apiId|operationId, format, value }`) as the gateway's `policies` option reads them. */
function policyDocumentsOf(records) {
  const keyOf = (ref) => [ref.scope, ref.productId ?? '', ref.apiId ?? '', ref.operationId ?? ''].join('\u0000');
  const byKey = new Map(records.map((record) => [keyOf(record), record]));
  return { version: 1, policyDocument: (ref) => byKey.get(keyOf(ref)) };
}

/** A key of a subscription's shape (32 hex digits) that no subscription holds: the unknown-key 401 (row 4i). */
const UNKNOWN_KEY = '0123456789abcdef0123456789abcdef';

function uniqueTableName(prefix) {
  return `${prefix}${randomBytes(5).toString('hex')}`;
}

/**
 * The catalog records of the policy rows (6q, 6t, 6r, 6c), for the bench run and the
 * in-process micro bench alike: products `bench-limited` and `bench-throttled`, each
 * linked to the Echo API with a subscription; API `bench-policy` (path `policy`,
 * backend `serviceUrl`) with the operations `rewrite` and `cached`, and a
 * subscription to it. Returns the records and the primary keys of the three
 * subscriptions (`limited`, `throttled`, `policy`).
 */
function benchPolicyRecords({ serviceUrl }) {
  const limited = builders.subscription({ id: 'bench-limited', scope: '/products/bench-limited' });
  const throttled = builders.subscription({ id: 'bench-throttled', scope: '/products/bench-throttled' });
  const policy = builders.subscription({ id: 'bench-policy', scope: '/apis/bench-policy' });
  const operation = (id) => builders.operation({ apiId: 'bench-policy', id });
  const records = [
    { kind: 'product', value: builders.product({ id: 'bench-limited' }) },
    { kind: 'product', value: builders.product({ id: 'bench-throttled' }) },
    { kind: 'link', value: builders.link({ productId: 'bench-limited', apiId: 'echo-api' }) },
    { kind: 'link', value: builders.link({ productId: 'bench-throttled', apiId: 'echo-api' }) },
    { kind: 'subscription', value: limited },
    { kind: 'subscription', value: throttled },
    { kind: 'api', value: builders.api({ id: 'bench-policy', displayName: 'Bench policies', path: 'policy', serviceUrl, protocols: ['http', 'https'] }) },
    { kind: 'operation', value: operation('rewrite') },
    { kind: 'operation', value: operation('cached') },
    { kind: 'subscription', value: policy },
  ];
  return { records, keys: { limited: limited.primaryKey, throttled: throttled.primaryKey, policy: policy.primaryKey } };
}

const policyXml = (sections) =>
  `<policies>${['inbound', 'backend', 'outbound', 'on-error'].map((s) => `<${s}>${sections[s] ?? '<base />'}</${s}>`).join('')}</policies>`;

/** The policy rows' documents (6q, 6t, 6r, 6c), for the bench run and the in-process micro bench alike. */
function benchPolicyDocuments() {
  return [
  { scope: 'product', productId: 'bench-limited', format: 'rawxml', value: policyXml({ inbound: '<base /><rate-limit calls="2000000000" renewal-period="60" /><quota calls="2000000000" renewal-period="604800" />' }) },
  { scope: 'product', productId: 'bench-throttled', format: 'rawxml', value: policyXml({ inbound: '<base /><rate-limit calls="1" renewal-period="300" />' }) },
  {
    scope: 'operation', apiId: 'bench-policy', operationId: 'rewrite', format: 'rawxml',
    value: policyXml({ inbound: '<base /><set-header name="X-Bench" exists-action="override"><value>1</value></set-header><rewrite-uri template="/resource" />' }),
  },
  {
    scope: 'operation', apiId: 'bench-policy', operationId: 'cached', format: 'rawxml',
    value: policyXml({ inbound: '<base /><cache-lookup vary-by-developer="false" vary-by-developer-groups="false" />', outbound: '<base /><cache-store duration="3600" />' }),
  },
  ];
}

module.exports = { seedSmall, seedScale, scaleRecords, uniqueTableName, labIndex, policyDocumentsOf, benchPolicyRecords, benchPolicyDocuments, BENCH_SUBSCRIPTION, UNKNOWN_KEY };
