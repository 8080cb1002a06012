'use strict';

/**
 * The minimal `node:http` adapter of the bench's gateway core (targets 3c/4c):
 * Node's request as a `GatewayRequest`, the `GatewayResult` written back.
 */
const { IncomingHeaders } = require('./incomingHeaders');

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      chunks.push(chunk);
      size += chunk.length;
    });
    req.once('end', () => resolve(size === 0 ? null : Buffer.concat(chunks, size)));
    req.once('error', reject);
  });
}

/** Streams a web `ReadableStream` into the response, honouring backpressure; a caller going away cancels it. */
async function pipeStream(stream, res) {
  const reader = stream.getReader();
  const cancel = () => {
    if (!res.writableFinished) reader.cancel().catch(() => undefined);
  };
  res.once('close', cancel);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
  } catch {
    res.destroy();
  }
}

/** Bodies up to this size go out in the same write as the head (see `endWithHead`). */
const ONE_WRITE_MAX_BYTES = 1024;

/**
 * Writes a `GatewayResult`. A header list goes to `writeHead` as it is (Node takes
 * `[name, value]` pairs, each written as its own line, so repeated headers such as
 * `Set-Cookie` stay apart); a `Headers` object is iterated, which yields each
 * `Set-Cookie` on its own too.
 */
function writeResult(res, result) {
  const headers = result.headers;
  res.writeHead(result.status, Array.isArray(headers) ? headers : flatten(headers));
  const body = result.body;
  if (body === null || body === undefined) res.end();
  else if (body instanceof Uint8Array) {
    if (body.byteLength === 0) res.end();
    else if (body.byteLength <= ONE_WRITE_MAX_BYTES) endWithHead(res, body);
    else res.end(body);
  } else void pipeStream(body, res);
}

/**
 * A small body in one `write` with the head, where `res.end(body)` takes a `writev`
 * of three chunks (head, body, an empty last chunk) through the socket's cork
 * buffer. Node joins a string chunk to the head (a Buffer stays a chunk of its
 * own); as latin1, the string's characters are the body's bytes, one for one.
 * `end()` follows once that write is done: called at once, it would queue its
 * empty chunk beside it. The bytes on the wire are the same either way.
 */
function endWithHead(res, body) {
  res.write(latin1Of(body), 'latin1', (error) => {
    if (!error) res.end();
  });
}

/**
 * The body as a latin1 string. The gateway's own answers (401, 404) reuse one
 * Buffer each, so the string of the last body is kept: the same Buffer again costs
 * a comparison instead of a conversion. A body is never changed once returned.
 */
let lastBody = null;
let lastText = '';
function latin1Of(body) {
  if (body === lastBody) return lastText;
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  lastText = bytes.toString('latin1');
  lastBody = body;
  return lastText;
}

function flatten(headers) {
  const flat = [];
  for (const [name, value] of headers) flat.push(name, value);
  return flat;
}

function fail(res) {
  if (!res.headersSent) {
    res.writeHead(500, ['Content-Length', '0']);
    res.end();
  } else {
    res.destroy();
  }
}

/**
 * The `GatewayRequest` of one Node request: the request target as received (origin
 * form `/path?query`, which the core reads as `http` on the `Host` header's
 * authority; absolute form as it is) and the headers as a view (no copy). No
 * `AbortSignal`, as in the Functions adapter: on Node 20 a fresh signal with one
 * listener costs 5-10 µs, more than the core's own work for a forwarded call. A
 * streamed body is still cancelled when the caller goes away (`pipeStream`).
 */
class NodeRequest {
  constructor(req, body) {
    this.method = req.method;
    this.headers = new IncomingHeaders(req);
    this.url = req.url;
    this.body = body;
  }
}

/**
 * Hands one request to the gateway. An answer the gateway gives by itself (404,
 * 401, ...) comes back from `handle` as a value and is written at once, with no
 * promise in between; a forwarded call's answer is written when its promise settles.
 */
function serve(gateway, req, res, body) {
  let result;
  try {
    result = gateway.handle(new NodeRequest(req, body));
  } catch {
    fail(res);
    return;
  }
  if (result instanceof Promise) {
    result.then(
      (answer) => respond(res, answer),
      () => fail(res),
    );
  } else {
    respond(res, result);
  }
}

/** Writes the result; a result Node refuses to write (e.g. an invalid header from a backend) becomes a 500. */
function respond(res, result) {
  try {
    writeResult(res, result);
  } catch {
    fail(res);
  }
}

/** The `(req, res)` listener that hands each request to `gateway`. GET and HEAD bodies are not read, as before. */
function nodeHandler(gateway) {
  return (req, res) => {
    const method = req.method;
    if (method === 'GET' || method === 'HEAD') {
      serve(gateway, req, res, null);
      return;
    }
    readBody(req).then(
      (body) => serve(gateway, req, res, body),
      () => fail(res),
    );
  };
}

module.exports = { nodeHandler };
