'use strict';

/**
 * Target 1, and the backend of targets 3 and 5: a raw `node:http` echo server,
 * the physical limit of one Node process on this machine. It answers like the
 * lab's echo backend: 200, the request headers back (minus hop-by-hop ones, Host
 * and Content-Length), the body byte for byte with its Content-Length.
 */
const { createServer } = require('node:http');
const { tell, onShutdown, listenLoopback, closeServer } = require('../lib/child');

const DROP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host', 'content-length']);

const server = createServer((req, res) => {
  const raw = req.rawHeaders;
  const headers = [];
  for (let i = 0; i < raw.length; i += 2) {
    if (!DROP.has(raw[i].toLowerCase())) headers.push(raw[i], raw[i + 1]);
  }
  const chunks = [];
  let size = 0;
  req.on('data', (chunk) => {
    chunks.push(chunk);
    size += chunk.length;
  });
  req.on('end', () => {
    if (req.method === 'HEAD') {
      res.writeHead(200, headers);
      res.end();
      return;
    }
    headers.push('Content-Length', String(size));
    res.writeHead(200, headers);
    res.end(size === 0 ? undefined : Buffer.concat(chunks, size));
  });
});
server.keepAliveTimeout = 65_000;

onShutdown(() => closeServer(server));
listenLoopback(server).then((port) => tell({ ready: true, port }));
