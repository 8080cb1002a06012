'use strict';

/**
 * Row 4k: the 401 of row 4c without the gateway. The bench's `node:http` adapter
 * (`nodeAdapter.js`) hands every request to a "gateway" whose answer is constant:
 * the missing-key 401 as the core builds it for the Echo API on this server's
 * address (same status, headers and body bytes). 4k/1 is what writing APIM's 401
 * through `node:http` costs against the echo's smallest 200; 4c/4k is the core's
 * own share of a 401.
 */
const { createServer } = require('node:http');
const { tell, onShutdown, listenLoopback, closeServer } = require('../lib/child');
const dist = require('../lib/dist');
const { missingKeyResponse } = require(dist('apim/gatewayResponses'));
const { nodeHandler } = require('./nodeAdapter');

let answer;
const server = createServer(nodeHandler({ handle: () => answer }));
server.keepAliveTimeout = 65_000;

onShutdown(() => closeServer(server));
listenLoopback(server).then((port) => {
  const built = missingKeyResponse(`http://127.0.0.1:${port}/echo`, 'Ocp-Apim-Subscription-Key');
  answer = Object.freeze({ ...built, trace: null });
  tell({ ready: true, port });
});
