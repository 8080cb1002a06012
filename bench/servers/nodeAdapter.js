'use strict';

/**
 * The minimal `node:http` adapter of the bench's gateway core (targets 3c/4c):
 * Node's request as a `GatewayRequest`, the `GatewayResult` written back.
 */
const { IncomingHeaders } = require('./incomingHeaders');

const CALLER_GONE = new Error('aborted');

/**
 * What the forwarder reads of the caller's `AbortSignal` (`aborted`, `reason`): it
 * polls them for the calls in flight (every 50 ms), so a view of the response's
 * state does instead of an `AbortController` and a `close` listener per request.
 * Aborted once the connection closed before the response was finished.
 */
class CallerSignal {
  constructor(res) {
    this.res = res;
  }
  get aborted() {
    const res = this.res;
    return (res.destroyed || (res.socket !== null && res.socket.destroyed)) && !res.writableFinished;
  }
  get reason() {
    return this.aborted ? CALLER_GONE : undefined;
  }
}

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

function writeResult(res, result) {
  const flat = [];
  for (const [name, value] of result.headers) flat.push(name, value);
  res.writeHead(result.status, flat);
  const body = result.body;
  if (body === null || body === undefined) res.end();
  else if (body instanceof Uint8Array) res.end(body);
  else void pipeStream(body, res);
}

/** The `(req, res)` listener that hands each request to `gateway`. */
function nodeHandler(gateway) {
  return (req, res) => {
    const method = req.method;
    const bodyPromise = method === 'GET' || method === 'HEAD' ? null : readBody(req);
    const headers = new IncomingHeaders(req);
    const request = {
      method,
      url: `http://${headers.get('host') || '127.0.0.1'}${req.url}`,
      headers,
      body: null,
      signal: new CallerSignal(res),
    };
    const fail = () => {
      if (!res.headersSent) {
        res.writeHead(500, ['Content-Length', '0']);
        res.end();
      } else {
        res.destroy();
      }
    };
    const respond = (result) => writeResult(res, result);
    if (bodyPromise === null) {
      gateway.handle(request).then(respond).catch(fail);
    } else {
      bodyPromise
        .then((body) => {
          request.body = body;
          return gateway.handle(request);
        })
        .then(respond)
        .catch(fail);
    }
  };
}

module.exports = { nodeHandler };
