'use strict';

/**
 * `node bench/micro.js [iterations]`: the gateway core in-process (no sockets), on
 * the lab seed, with a stub forwarder: µs per `handle()` for a valid key and for a
 * missing key, awaited (as the Functions adapter calls it), and for a missing key
 * taken as it comes (as the bench's node:http adapter takes it). A quick check of the
 * core's own JavaScript between full `npm run bench` runs; it does not replace them.
 */
const dist = require('./lib/dist');
const { builders } = require(dist('catalog/recordBuilders'));
const { createGateway } = require(dist('gateway'));
const { labIndex } = require('./lib/catalog');

const iterations = Number(process.argv[2] ?? 200_000);
const index = labIndex({ serviceUrl: 'http://127.0.0.1:9/backend/echo' });
const bench = builders.subscription({ id: 'bench', scope: '/apis/echo-api' });
index.putSubscription(bench);
const key = bench.primaryKey;

const answer = { status: 200, headers: [['content-type', 'application/json'], ['content-length', '2']], body: Buffer.from('{}') };
const forwarder = { forward: async () => answer, close: async () => undefined };
const gateway = createGateway({ catalog: index, forwarder });

/** What the bench adapter wraps of Node's request: `rawHeaders` as received, `headers` as Node parses them. */
function nodeRequest(withKey) {
  const rawHeaders = ['Host', '127.0.0.1:8080', 'Connection', 'keep-alive'];
  if (withKey) rawHeaders.push('Ocp-Apim-Subscription-Key', key);
  const headers = {};
  for (let i = 0; i < rawHeaders.length; i += 2) headers[rawHeaders[i].toLowerCase()] = rawHeaders[i + 1];
  return { rawHeaders, headers };
}
const { IncomingHeaders } = require('./servers/incomingHeaders');

/**
 * µs per call of `handle()`, request object included: awaited, or (for an answer the
 * gateway gives itself) the result itself, as the bench's node:http adapter takes it.
 */
async function run(label, withKey, expect, awaited = true) {
  const make = () => ({ method: 'GET', url: 'http://127.0.0.1:8080/echo/resource?param1=sample', headers: new IncomingHeaders(nodeRequest(withKey)), body: null });
  const first = gateway.handle(make());
  if (!awaited && first instanceof Promise) throw new Error(`${label}: handle returned a promise`);
  if ((await first).status !== expect) throw new Error(`${label}: ${(await first).status}`);
  for (let i = 0; i < iterations / 4; i++) await gateway.handle(make());
  const started = process.hrtime.bigint();
  if (awaited) {
    for (let i = 0; i < iterations; i++) await gateway.handle(make());
  } else {
    let last;
    for (let i = 0; i < iterations; i++) last = gateway.handle(make());
    if (last.status !== expect) throw new Error(`${label}: ${last.status}`);
  }
  const ns = Number(process.hrtime.bigint() - started);
  console.log(`${label.padEnd(26)} ${(ns / iterations / 1000).toFixed(2)} µs/call`);
}

(async () => {
  for (let r = 0; r < 2; r++) {
    await run('valid key, awaited', true, 200);
    await run('missing key, awaited', false, 401);
    await run('missing key, as it comes', false, 401, false);
  }
})();
