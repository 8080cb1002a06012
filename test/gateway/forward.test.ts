import { createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Api } from '../../src/catalog/records';
import { createGateway, type Gateway } from '../../src/gateway/pipeline';
import type { GatewayOptions } from '../../src/gateway/pipeline';
import { closedPort, startBackend, type Handler, type TestBackend } from './backendServer';
import { api, bodyOf, catalogOf, headerList, headerValues, operation, request, subscription } from './fixtures';

const INTERNAL_ERROR = /^\{ "statusCode": 500, "message": "Internal server error", "activityId": "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}" \}$/;

let backend: TestBackend | undefined;
let gateway: Gateway | undefined;
afterEach(async () => {
  await gateway?.close();
  await backend?.close();
  gateway = backend = undefined;
});

/**
 * An open API `echo` (no key needed) forwarding every method and path to `serviceUrl`;
 * key `k1` is valid for it, since any key sent must be valid even to an open API.
 */
function gatewayTo(serviceUrl: string | null, options: Partial<GatewayOptions> = {}, extra: Partial<Api> = {}): Gateway {
  const methods = ['GET', 'POST', 'PUT', 'HEAD', 'DELETE'];
  const catalog = catalogOf({
    apis: [api('echo', 'echo', { serviceUrl, subscriptionRequired: false, ...extra })],
    operations: methods.map((m) => operation('echo', m.toLowerCase(), m, '/*')),
    subscriptions: [subscription('echo-sub', '/apis/echo', 'k1')],
  });
  gateway = createGateway({ catalog, ...options });
  return gateway;
}

const echoHandler: Handler = (req, res, body) => {
  res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/octet-stream' });
  res.end(body);
};

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const received = (name: string) => backend!.received[0]!.rawHeaders.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);

describe('forwarding to a real backend', () => {
  it('serviceUrl + raw rest of path + original query (key parameter kept)', async () => {
    backend = await startBackend(echoHandler);
    const g = gatewayTo(`${backend.url}/base/`);
    const r = await g.handle(request('GET', 'https://gw.test/echo/a%2Fb/c%20d/%7e?x=1&y=%2F+z&subscription-key=k1'));
    await bodyOf(r);
    expect(r.status).toBe(200);
    expect(backend.received[0]?.url).toBe('/base/a%2Fb/c%20d/%7e?x=1&y=%2F+z&subscription-key=k1');

    await bodyOf(await g.handle(request('GET', 'https://gw.test/echo/r?')));
    await bodyOf(await g.handle(request('GET', 'https://gw.test/echo')));
    await bodyOf(await g.handle(request('GET', 'https://gw.test/echo/')));
    expect(backend.received.map((x) => x.url).slice(1)).toEqual(['/base/r?', '/base', '/base/']);
  });

  it('serviceUrl at the root and with its own query', async () => {
    backend = await startBackend(echoHandler);
    const g = gatewayTo(`${backend.url}?code=fn-key`);
    await bodyOf(await g.handle(request('GET', 'https://gw.test/echo/x?a=1')));
    await bodyOf(await g.handle(request('GET', 'https://gw.test/echo')));
    expect(backend.received.map((x) => x.url)).toEqual(['/x?code=fn-key&a=1', '/?code=fn-key']);
  });

  it.each([
    ['64 KiB', 64 * 1024],
    ['20 MB', 20 * 1024 * 1024],
  ])('binary body both ways, byte for byte (%s)', async (_, size) => {
    backend = await startBackend(echoHandler);
    const payload = randomBytes(size);
    const r = await gatewayTo(backend.url).handle(
      request('POST', 'https://gw.test/echo/upload', { 'content-type': 'application/octet-stream' }, payload),
    );
    expect(r.status).toBe(200);
    expect(r.body).toBeInstanceOf(ReadableStream);
    const back = await bodyOf(r);
    expect(back.length).toBe(size);
    expect(sha(back)).toBe(sha(payload));
    expect(sha(backend.received[0]!.body)).toBe(sha(payload));
    expect(received('content-length')).toEqual([String(size)]);
  }, 30_000);

  it('HEAD: forwarded as HEAD, headers back, no body', async () => {
    backend = await startBackend((req, res) => {
      res.writeHead(200, { 'content-length': '1234', 'x-method': req.method ?? '' });
      res.end();
    });
    const r = await gatewayTo(backend.url).handle(request('HEAD', 'https://gw.test/echo/resource'));
    expect(r.status).toBe(200);
    expect(r.body).toBeNull();
    expect(headerValues(r, 'content-length')).toEqual(['1234']);
    expect(headerValues(r, 'x-method')).toEqual(['HEAD']);
    expect(backend.received[0]?.method).toBe('HEAD');
  });

  it('request headers: hop-by-hop dropped, Host set to the backend, key and X-Forwarded-For kept', async () => {
    backend = await startBackend(echoHandler);
    const body = Buffer.from('hello');
    const r = await gatewayTo(backend.url).handle(
      request(
        'POST',
        'https://gw.test/echo/resource',
        [
          ['Host', 'gw.test'],
          ['Connection', 'keep-alive, X-Hop'],
          ['X-Hop', 'dropped because Connection names it'],
          ['Keep-Alive', 'timeout=5'],
          ['Proxy-Connection', 'keep-alive'],
          ['Proxy-Authorization', 'Basic c2VjcmV0'],
          ['TE', 'trailers'],
          ['Trailer', 'X-Checksum'],
          ['Upgrade', 'h2c'],
          ['Transfer-Encoding', 'chunked'],
          ['Expect', '100-continue'],
          ['Content-Length', '999'],
          ['Ocp-Apim-Subscription-Key', 'k1'],
          ['X-Forwarded-For', '203.0.113.7, 10.0.0.1'],
          ['X-Custom', 'kept'],
          ['Content-Type', 'text/plain'],
        ],
        body,
      ),
    );
    expect(r.status).toBe(200);
    await bodyOf(r);
    const names = backend.received[0]!.rawHeaders.map(([n]) => n.toLowerCase());
    for (const hop of ['x-hop', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer', 'upgrade', 'transfer-encoding', 'expect', 'x-forwarded-host']) {
      expect(names).not.toContain(hop);
    }
    expect(received('connection').join()).not.toMatch(/x-hop/i);
    expect(received('host')).toEqual([new URL(backend.url).host]);
    expect(received('content-length')).toEqual(['5']);
    expect(received('ocp-apim-subscription-key')).toEqual(['k1']);
    expect(received('x-forwarded-for')).toEqual(['203.0.113.7, 10.0.0.1']);
    expect(received('x-custom')).toEqual(['kept']);
    expect(backend.received[0]!.body.toString()).toBe('hello');
  });

  it("a caller's Connection header cannot remove X-Forwarded-*; the debug token never reaches the backend", async () => {
    backend = await startBackend((req, res) => {
      // An echo of the request headers, as the lab's echo backend answers.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(req.headers));
    });
    const r = await gatewayTo(backend.url).handle(
      request('GET', 'https://gw.test/echo/resource', [
        ['Connection', 'keep-alive, x-forwarded-for, X-Forwarded-Proto, x-hop'],
        ['X-Forwarded-For', '203.0.113.7:50312'],
        ['X-Forwarded-Proto', 'https'],
        ['X-Hop', 'dropped because Connection names it'],
        ['Apim-Debug-Authorization', 'dbg1.a-debug-token.signature'],
      ]),
    );
    const echoed = (await bodyOf(r)).toString();
    expect(r.status).toBe(200);
    expect(received('x-forwarded-for')).toEqual(['203.0.113.7:50312']);
    expect(received('x-forwarded-proto')).toEqual(['https']);
    expect(received('x-hop')).toEqual([]);
    expect(received('apim-debug-authorization')).toEqual([]);
    expect(echoed).not.toContain('a-debug-token');
  });

  it("appends the peer address the adapter saw to X-Forwarded-For, after the caller's own entries", async () => {
    backend = await startBackend(echoHandler);
    const g = gatewayTo(backend.url);
    const peer = (headers: [string, string][]) => ({ ...request('GET', 'https://gw.test/echo/x', headers), remoteAddress: '198.51.100.4' });
    await bodyOf(await g.handle(peer([['X-Forwarded-For', '203.0.113.7']])));
    await bodyOf(await g.handle(peer([])));
    await bodyOf(await g.handle(peer([['Connection', 'x-forwarded-for'], ['X-Forwarded-For', '10.0.0.1']])));
    const sent = backend.received.map((x) => x.rawHeaders.filter(([n]) => n.toLowerCase() === 'x-forwarded-for').map(([, v]) => v));
    expect(sent).toEqual([['203.0.113.7, 198.51.100.4'], ['198.51.100.4'], ['10.0.0.1, 198.51.100.4']]);
  });

  it('response: status and headers unchanged, hop-by-hop dropped, every Set-Cookie kept, body streamed', async () => {
    backend = await startBackend((_req, res) => {
      res.writeHead(418, {
        'Set-Cookie': ['a=1; Path=/', 'b=2; HttpOnly'],
        Connection: 'keep-alive, X-Resp-Hop',
        'X-Resp-Hop': 'secret',
        'Keep-Alive': 'timeout=5',
        'Proxy-Authenticate': 'Basic',
        'X-Backend': 'yes',
      });
      res.write('chunk one;');
      res.end('chunk two');
    });
    const r = await gatewayTo(backend.url).handle(request('GET', 'https://gw.test/echo/teapot'));
    expect(r.status).toBe(418);
    expect(headerValues(r, 'set-cookie')).toEqual(['a=1; Path=/', 'b=2; HttpOnly']);
    expect(headerValues(r, 'x-backend')).toEqual(['yes']);
    const names = headerList(r).map(([n]) => n.toLowerCase());
    for (const hop of ['connection', 'keep-alive', 'transfer-encoding', 'x-resp-hop', 'proxy-authenticate']) expect(names).not.toContain(hop);
    expect((await bodyOf(r)).toString()).toBe('chunk one;chunk two');
    expect(r.trace).toMatchObject({ outcome: 'forwarded', backendStatus: 418 });
  });

  it('a backend error status is the backend\'s answer, passed through', async () => {
    backend = await startBackend((_req, res) => {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('down for maintenance');
    });
    const r = await gatewayTo(backend.url).handle(request('GET', 'https://gw.test/echo/x'));
    expect(r.status).toBe(503);
    expect((await bodyOf(r)).toString()).toBe('down for maintenance');
  });

  it('returns as soon as headers arrive: the body streams while the backend is still writing', async () => {
    let finish: () => void = () => undefined;
    backend = await startBackend((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first');
      finish = () => res.end('-last');
    });
    const r = await gatewayTo(backend.url).handle(request('GET', 'https://gw.test/echo/stream'));
    const reader = (r.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(Buffer.from(first.value!).toString()).toBe('first');
    finish();
    let rest = '';
    for (let c = await reader.read(); !c.done; c = await reader.read()) rest += Buffer.from(c.value).toString();
    expect(rest).toBe('-last');
  });

  it('reuses pooled connections across requests', async () => {
    backend = await startBackend(echoHandler);
    const g = gatewayTo(backend.url);
    for (let i = 0; i < 20; i++) await bodyOf(await g.handle(request('GET', `https://gw.test/echo/n${i}`)));
    // A sequential request can reach the pool a tick before the previous response's
    // socket is marked idle, so undici may open one more; never one per request.
    expect(backend.connections).toBeLessThanOrEqual(2);
    await Promise.all(Array.from({ length: 10 }, (_, i) => Promise.resolve(g.handle(request('POST', `https://gw.test/echo/p${i}`, {}, Buffer.from('x')))).then(bodyOf)));
    expect(backend.received).toHaveLength(30);
    expect(backend.connections).toBeLessThan(30);
    expect(backend.connections).toBeLessThanOrEqual(12);
  });
});

describe('backend failures become APIM-shaped 500s, quickly', () => {
  async function expectInternalError(r: Awaited<ReturnType<Gateway['handle']>>) {
    expect(r.status).toBe(500);
    const body = (await bodyOf(r)).toString();
    expect(body).toMatch(INTERNAL_ERROR);
    expect(headerValues(r, 'content-length')).toEqual([String(Buffer.byteLength(body))]);
    expect(headerValues(r, 'content-type')).toEqual(['application/json']);
    expect(headerValues(r, 'www-authenticate')).toEqual([]);
  }

  it('connection refused', async () => {
    const port = await closedPort();
    const started = Date.now();
    const r = await gatewayTo(`http://127.0.0.1:${port}`).handle(request('GET', 'https://gw.test/echo/x'));
    expect(Date.now() - started).toBeLessThan(2000);
    await expectInternalError(r);
    expect(r.trace).toMatchObject({ outcome: 'backendUnreachable', backendError: 'ECONNREFUSED' });
  });

  it('DNS failure', async () => {
    const r = await gatewayTo('http://no-such-backend.invalid', { connectTimeoutMs: 3000 }).handle(request('GET', 'https://gw.test/echo/x'));
    await expectInternalError(r);
    expect(['backendUnreachable', 'backendTimeout']).toContain(r.trace.outcome);
  }, 10_000);

  it('connection reset before a response', async () => {
    backend = await startBackend((req) => req.socket.destroy());
    const r = await gatewayTo(backend.url).handle(request('GET', 'https://gw.test/echo/x'));
    await expectInternalError(r);
    expect(r.trace.outcome).toBe('backendUnreachable');
  });

  it('no response headers within the configured timeout', async () => {
    backend = await startBackend(() => undefined); // never answers
    const started = Date.now();
    const r = await gatewayTo(backend.url, { headersTimeoutMs: 200 }).handle(request('GET', 'https://gw.test/echo/slow'));
    expect(Date.now() - started).toBeLessThan(2000);
    await expectInternalError(r);
    expect(r.trace).toMatchObject({ outcome: 'backendTimeout', backendError: 'UND_ERR_HEADERS_TIMEOUT' });
  });

  it('a body that stalls past the body timeout errors the stream instead of hanging', async () => {
    backend = await startBackend((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('partial');
    });
    const r = await gatewayTo(backend.url, { bodyTimeoutMs: 200 }).handle(request('GET', 'https://gw.test/echo/stall'));
    expect(r.status).toBe(200);
    await expect(bodyOf(r)).rejects.toThrow();
  });

  it('the caller going away cancels the backend call', async () => {
    backend = await startBackend(() => undefined);
    const abort = new AbortController();
    const pending = gatewayTo(backend.url).handle({ ...request('GET', 'https://gw.test/echo/x'), signal: abort.signal });
    setTimeout(() => abort.abort(), 50);
    const r = await pending;
    expect(r.status).toBe(500);
    expect(r.trace.outcome).toBe('clientAborted');
  });

  it('a caller already gone is never forwarded', async () => {
    backend = await startBackend(echoHandler);
    const r = await gatewayTo(backend.url).handle({ ...request('GET', 'https://gw.test/echo/x'), signal: AbortSignal.abort() });
    expect(r.status).toBe(500);
    expect(r.trace.outcome).toBe('clientAborted');
    expect(backend.received).toHaveLength(0);
  });

  it('a finished call stops listening to the caller', async () => {
    backend = await startBackend(echoHandler);
    const abort = new AbortController();
    const added = vi.spyOn(abort.signal, 'addEventListener');
    const removed = vi.spyOn(abort.signal, 'removeEventListener');
    const r = await gatewayTo(backend.url).handle({ ...request('GET', 'https://gw.test/echo/x'), signal: abort.signal });
    expect(r.status).toBe(200);
    await bodyOf(r);
    expect(added).toHaveBeenCalledTimes(1);
    expect(removed).toHaveBeenCalledWith('abort', added.mock.calls[0]![1]);
    abort.abort();
    expect(r.trace.outcome).toBe('forwarded');
  });

  it.each([null, 'ftp://files.example', 'not a url'])('API without a usable serviceUrl (%s)', async (serviceUrl) => {
    const r = await gatewayTo(serviceUrl).handle(request('GET', 'https://gw.test/echo/x'));
    await expectInternalError(r);
    expect(r.trace.outcome).toBe('noBackend');
  });

  it('error bodies say nothing about the backend', async () => {
    const port = await closedPort();
    const r = await gatewayTo(`http://127.0.0.1:${port}`).handle(request('GET', 'https://gw.test/echo/x'));
    const text = (await bodyOf(r)).toString() + JSON.stringify(headerList(r));
    expect(text).not.toContain(String(port));
    expect(text).not.toContain('127.0.0.1');
  });
});
