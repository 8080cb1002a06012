'use strict';

/**
 * `node bench/micro.js [iterations]`: the gateway core in-process (no sockets), on
 * the lab seed, with a stub forwarder: µs per `handle()` for a valid key and for a
 * missing key. A quick check of the core's own
 * JavaScript between full `npm run bench` runs; it does not replace them.
 */
const { randomBytes } = require('node:crypto');
const dist = require('./lib/dist');
const { CatalogIndex } = require(dist('catalog/catalogIndex'));
const { createKeyProtector } = require(dist('catalog/keyProtector'));
const { labSeed, generateKey } = require(dist('lab/seed'));
const { createGateway } = require(dist('gateway'));

const iterations = Number(process.argv[2] ?? 200_000);
const protector = createKeyProtector(randomBytes(32));
const index = new CatalogIndex((key) => protector.digest(key));
const key = generateKey();
for (const record of labSeed()) {
  const v = record.value;
  if (record.kind === 'api') index.putApi(v.id === 'echo-api' ? { ...v, serviceUrl: 'http://127.0.0.1:9/backend/echo' } : v);
}
for (const record of labSeed()) {
  const v = record.value;
  if (record.kind === 'operation') index.putOperation(v);
  else if (record.kind === 'product') index.putProduct(v);
  else if (record.kind === 'link') index.putLink(v);
  else if (record.kind === 'subscription') index.putSubscription(v);
}
const template = labSeed().find((r) => r.kind === 'subscription').value;
index.putSubscription({ ...template, id: 'bench', scope: '/apis/echo-api', state: 'active', primaryKey: key, secondaryKey: generateKey() });

const answer = { status: 200, headers: [['content-type', 'application/json'], ['content-length', '2']], body: Buffer.from('{}') };
const forwarder = { forward: async () => answer, close: async () => undefined };
const gateway = createGateway({ catalog: index, forwarder });

/** Node's parsed headers, as the bench adapter wraps them. */
function nodeHeaders(withKey) {
  const h = { host: '127.0.0.1:8080', connection: 'keep-alive' };
  if (withKey) h['ocp-apim-subscription-key'] = key;
  return h;
}
const { IncomingHeaders } = require('./servers/incomingHeaders');

async function run(label, withKey, expect) {
  const make = () => ({ method: 'GET', url: 'http://127.0.0.1:8080/echo/resource?param1=sample', headers: new IncomingHeaders(nodeHeaders(withKey)), body: null });
  const first = await gateway.handle(make());
  if (first.status !== expect) throw new Error(`${label}: ${first.status}`);
  for (let i = 0; i < iterations / 4; i++) await gateway.handle(make());
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await gateway.handle(make());
  const ns = Number(process.hrtime.bigint() - started);
  console.log(`${label.padEnd(12)} ${(ns / iterations / 1000).toFixed(2)} µs/call`);
}

(async () => {
  for (let r = 0; r < 2; r++) {
    await run('valid key', true, 200);
    await run('missing key', false, 401);
  }
})();
