import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHostProcess, type HostProcess } from '../helpers/localHost';
import { sleep } from '../helpers/time';

/** The fixture app (routePrefix ""), served by a real local host in a child process. */
let host: HostProcess;

beforeAll(async () => {
  host = await startHostProcess({
    root: join(__dirname, 'fixture'),
    env: { CatalogStorage: undefined, AzureWebJobsStorage: undefined, WEBSITE_HOSTNAME: undefined },
  });
}, 30_000);

afterAll(async () => {
  await host?.stop();
});

const get = (path: string, init?: RequestInit) => fetch(`${host.baseUrl}${path}`, init);
const fn = async (path: string, init?: RequestInit) => {
  const res = await get(path, init);
  expect(res.status).toBe(200);
  return (await res.json()) as { fn: string; params: Record<string, string> };
};

describe('routing', () => {
  it('tries functions in name order: a specific route named first beats a catch-all named last', async () => {
    expect(await fn('/things/special')).toEqual({ fn: 'aaSpecific', params: {} });
    expect(await fn('/anything/else')).toEqual({ fn: 'zzCatchAll', params: { rest: 'anything/else' } });
  });

  it('lets a catch-all named first swallow a more specific route named later', async () => {
    expect(await fn('/files/special')).toEqual({ fn: 'filesCatchAll', params: { path: 'special' } });
  });

  it('orders names ignoring case', async () => {
    expect((await fn('/case/1')).fn).toBe('acase');
  });

  it('falls through to the next function on a method mismatch, else 404 with no body', async () => {
    expect((await fn('/method/test', { method: 'POST' })).fn).toBe('methodPost');
    expect((await fn('/method/test')).fn).toBe('methodGet');
    const put = await get('/method/test', { method: 'PUT' });
    expect(put.status).toBe(404);
    expect(put.headers.get('content-length')).toBe('0');
    expect(await put.text()).toBe('');
  });

  it('applies constraints, optional values, defaults and complex segments', async () => {
    expect(await fn('/items/42')).toEqual({ fn: 'itemById', params: { id: '42' } });
    expect(await fn('/items/99999999999')).toEqual({ fn: 'itemByName', params: { name: '99999999999' } });
    expect(await fn('/items/abc')).toEqual({ fn: 'itemByName', params: { name: 'abc' } });
    expect((await fn('/g/0f8fad5b-d9cb-469f-a165-70867728950e')).fn).toBe('guidRoute');
    expect((await fn('/g/not-a-guid')).fn).toBe('zzCatchAll');
    expect((await fn('/alpha/abc')).fn).toBe('alphaRoute');
    expect((await fn('/alpha/ab1')).fn).toBe('zzCatchAll');
    expect(await fn('/opt/x')).toEqual({ fn: 'optional', params: { a: 'x' } });
    expect(await fn('/opt/x/y')).toEqual({ fn: 'optional', params: { a: 'x', b: 'y' } });
    expect(await fn('/def')).toEqual({ fn: 'defaulted', params: { v: 'hello' } });
    expect(await fn('/download/report.pdf')).toEqual({ fn: 'download', params: { name: 'report', ext: 'pdf' } });
    expect(await fn('/download/report')).toEqual({ fn: 'download', params: { name: 'report' } });
  });

  it('matches literals ignoring case and gives decoded values (%2F stays encoded)', async () => {
    expect((await fn('/THINGS/Special')).fn).toBe('aaSpecific');
    expect(await fn('/ITEMS/7')).toEqual({ fn: 'itemById', params: { id: '7' } });
    expect(await fn('/items/hello%20w%C3%B6rld')).toEqual({ fn: 'itemByName', params: { name: 'hello wörld' } });
    expect(await fn('/items/a%2Fb')).toEqual({ fn: 'itemByName', params: { name: 'a%2Fb' } });
    expect(await fn('/some/a%20b/')).toEqual({ fn: 'zzCatchAll', params: { rest: 'some/a b/' } });
  });

  it('never lets /admin or /runtime reach a function, even a catch-all', async () => {
    for (const path of ['/admin', '/admin/host/status', '/ADMIN/x', '/runtime/webhooks/x']) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(await res.text()).toBe('');
    }
    expect((await fn('/administration')).fn).toBe('zzCatchAll');
  });
});

describe('requests', () => {
  it('echoes a binary body byte for byte, with its length', async () => {
    const body = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(4096)]);
    const res = await get('/echo', { method: 'POST', body, headers: { 'content-type': 'application/octet-stream' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(body.length));
    expect(res.headers.get('x-echo-length')).toBe(String(body.length));
    expect(Buffer.from(await res.arrayBuffer()).equals(body)).toBe(true);
  });

  it('gives the library the absolute raw URL, comma-joined query values and route params', async () => {
    const res = await get('/inspect/a%20b/c?x=1&x=2&flag&sp=a+b');
    const seen = (await res.json()) as { url: string; query: Record<string, string>; params: Record<string, string>; method: string };
    expect(seen.url).toBe(`${host.baseUrl}/inspect/a%20b/c?x=1&x=2&flag&sp=a+b`);
    expect(seen.query).toEqual({ x: '1,2', flag: '', sp: 'a b' });
    expect(seen.params).toEqual({ rest: 'a b/c' });
    expect(seen.method).toBe('GET');
  });

  it('appends the caller to X-Forwarded-For, sets X-Forwarded-Proto, keeps Host', async () => {
    const plain = (await (await get('/inspect/x')).json()) as { headers: Record<string, string> };
    expect(plain.headers['x-forwarded-for']).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(plain.headers['x-forwarded-proto']).toBe('http');
    expect(plain.headers.host).toBe(`127.0.0.1:${host.port}`);

    const forwarded = await rawRequest('/inspect/x', { 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https', host: 'gateway.example:8443' });
    const seen = JSON.parse(forwarded.body.toString()) as { url: string; headers: Record<string, string> };
    expect(seen.headers['x-forwarded-for']).toMatch(/^203\.0\.113\.7, 127\.0\.0\.1:\d+$/);
    expect(seen.headers['x-forwarded-proto']).toBe('https');
    expect(seen.headers.host).toBe('gateway.example:8443');
    expect(seen.url).toBe('http://gateway.example:8443/inspect/x');
  });

  it('sets WEBSITE_HOSTNAME to localhost:<port>, like func start', async () => {
    const seen = (await (await get('/inspect/env')).json()) as { env: Record<string, string> };
    expect(seen.env).toEqual({ WEBSITE_HOSTNAME: `localhost:${host.port}`, AZURE_FUNCTIONS_ENVIRONMENT: 'Development' });
  });
});

describe('responses', () => {
  it('answers HEAD with the headers and Content-Length but no body', async () => {
    const res = await rawRequest('/head-test', {}, 'HEAD');
    expect(res.status).toBe(200);
    expect(res.headers['x-head']).toBe('yes');
    expect(res.headers['content-length']).toBe('10');
    expect(res.body.length).toBe(0);
    const getRes = await get('/head-test');
    expect(await getRes.text()).toBe('hello head');
  });

  it('writes one Set-Cookie line per cookie and keeps other headers', async () => {
    const res = await get('/cookies');
    expect(res.headers.getSetCookie()).toEqual(['plain=1; path=/', 'session=a%20b%3Bc; max-age=60; path=/p; secure; samesite=strict; httponly']);
    expect(res.headers.get('x-custom')).toBe('kept');
    expect(await res.text()).toBe('cookies');
  });

  it('keeps statuses, sends no Content-Length with 204, and 200 with an empty body when nothing is returned', async () => {
    const teapot = await get('/teapot');
    expect(teapot.status).toBe(418);
    expect(await teapot.json()).toEqual({ short: true });
    const noContent = await get('/no-content');
    expect(noContent.status).toBe(204);
    expect(noContent.headers.get('content-length')).toBeNull();
    const nothing = await get('/nothing');
    expect(nothing.status).toBe(200);
    expect(nothing.headers.get('content-length')).toBe('0');
  });

  it('answers 500 with an empty body when the handler throws, and logs the error', async () => {
    const res = await get('/throws?subscription-key=QUERYSECRET', { headers: { 'Ocp-Apim-Subscription-Key': 'HEADERSECRET' } });
    expect(res.status).toBe(500);
    expect(await res.text()).toBe('');
    await waitFor(() => host.output().includes('boom from the fixture'));
    expect(host.output()).toMatch(/\[throws\] Executed \(Failed.*boom from the fixture/);
  });

  it('runs preInvocation and postInvocation hooks around the handler', async () => {
    const res = await get('/hooked');
    expect(res.headers.get('x-handler')).toBe('yes');
    expect(res.headers.get('x-wrapped')).toBe('preInvocation');
    expect(res.headers.get('x-post')).toBe('true');
  });
});

describe('logs', () => {
  it('prints context.log as [function] message, warnings to stderr', async () => {
    await get('/logs');
    await waitFor(() => host.output().includes('careful from context.warn'));
    expect(host.output()).toContain('[logs] hello from context.log');
    expect(host.output()).toContain('[logs] careful from context.warn');
  });

  it('never prints request headers or query strings', async () => {
    await get('/inspect/x?subscription-key=QUERYSECRET', { headers: { 'Ocp-Apim-Subscription-Key': 'HEADERSECRET' } });
    await get('/throws?subscription-key=QUERYSECRET', { headers: { 'Ocp-Apim-Subscription-Key': 'HEADERSECRET' } });
    await waitFor(() => (host.output().match(/\[throws\] Executed/g) ?? []).length >= 2);
    expect(host.output()).not.toContain('QUERYSECRET');
    expect(host.output()).not.toContain('HEADERSECRET');
  });
});

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** node:http, for what fetch will not send (a Host header) or read (a HEAD body). */
function rawRequest(path: string, headers: Record<string, string>, method = 'GET'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: host.port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out; output so far:\n${host.output()}`);
    await sleep(20);
  }
}
