'use strict';

/**
 * Target 5: the peer. `fast-gateway` (restana + fast-proxy-lite, pooled keep-alive
 * `http.Agent`) doing the same job: an in-memory subscription-key check (header,
 * else query parameter; unknown, inactive or out-of-scope keys refused) with
 * APIM's 401 bodies, then forwarding `/echo/*` to the raw echo server's
 * `/backend/echo/*`, as the project's Echo API does.
 *
 * Env: ECHO_ORIGIN (`http://127.0.0.1:<port>`), BENCH_SUBSCRIPTIONS (JSON list of
 * `{ key, state, apis }`), FG_TUNED=1 for restana without its per-request
 * `setImmediate` and default security headers (its fastest settings).
 */
const gateway = require('fast-gateway');
const { tell, onShutdown, listenLoopback, closeServer } = require('../lib/child');

const dist = require('../lib/dist');

// The same 401 bodies as the project's gateway, byte for byte.
const { MISSING_KEY_BODY: MISSING, INVALID_KEY_BODY: INVALID } = require(dist('apim/gatewayResponses'));
const API_ID = 'echo-api';
const API_PATH = 'echo';

/** key -> subscription: the equivalent of the gateway's in-memory key index. */
const subscriptions = new Map();
for (const sub of JSON.parse(process.env.BENCH_SUBSCRIPTIONS || '[]')) {
  subscriptions.set(sub.key, { state: sub.state, apis: new Set(sub.apis) });
}

function deny(req, res, body) {
  const host = req.headers.host || '';
  res.statusCode = 401;
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Content-Length', String(body.length));
  res.setHeader('WWW-Authenticate', `AzureApiManagementKey realm="http://${host}/${API_PATH}",name="Ocp-Apim-Subscription-Key",type="header"`);
  res.end(body);
}

function keyCheck(req, res, next) {
  const header = req.headers['ocp-apim-subscription-key'];
  const key = header ? header.trim() : req.query && req.query['subscription-key'];
  if (!key) return deny(req, res, MISSING);
  const sub = subscriptions.get(key);
  if (!sub || sub.state !== 'active' || !sub.apis.has(API_ID)) return deny(req, res, INVALID);
  return next();
}

const tuned = process.env.FG_TUNED === '1';
const service = gateway({
  restana: tuned ? { prioRequestsProcessing: false, securityHeaders: false } : {},
  enableServicesEndpoint: false,
  routes: [
    {
      prefix: `/${API_PATH}`,
      prefixRewrite: '/backend/echo',
      target: process.env.ECHO_ORIGIN,
      methods: ['GET', 'POST', 'PUT', 'DELETE', 'HEAD'],
      middlewares: [keyCheck],
    },
  ],
});

const server = service.getServer();
server.keepAliveTimeout = 65_000;
onShutdown(() => closeServer(server));
listenLoopback(server).then((port) => tell({ ready: true, port }));
