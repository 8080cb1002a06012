import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSasToken } from '../../src/management';
import { INVALID_KEY_BODY, MISSING_KEY_BODY } from '../../src/apim/gatewayResponses';
import { uniqueTableName } from '../helpers/catalog';
import { labHostEnv, startHostProcess, type HostProcess } from '../helpers/localHost';
import { API_VERSION, LOCAL_SERVICE } from '../helpers/management';

/**
 * Hostile requests at the gateway, through the local host over real HTTP: each gets
 * a clear answer, and only a request carrying a valid key ever reaches the backend.
 */

const PRIMARY = randomBytes(48).toString('base64');
const INVALID = INVALID_KEY_BODY.toString('utf8');
const MISSING = MISSING_KEY_BODY.toString('utf8');
/** The gateway's body limit for this host (GATEWAY_MAX_BODY_BYTES), far below the host's own 100 MiB. */
const BODY_LIMIT = 65_536;

let host: HostProcess;
let backend: Server;
const backendPaths: string[] = [];
const backendBodies: number[] = [];
let key: string;

async function manage(method: string, path: string, body?: unknown) {
  const token = createSasToken({ identifier: 'integration', key: PRIMARY, expiry: new Date(Date.now() + 600_000) });
  const response = await fetch(`${host.baseUrl}/management${LOCAL_SERVICE}${path}?api-version=${API_VERSION}`, {
    method,
    headers: { Authorization: `SharedAccessSignature ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Sends raw bytes and returns the status line's code (or 0 when the server just closes). */
function rawRequest(bytes: string | Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(host.port, '127.0.0.1');
    let data = '';
    socket.setTimeout(5000, () => socket.destroy(new Error('timeout')));
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
      const match = /^HTTP\/1\.1 (\d{3})/.exec(data);
      if (match) {
        socket.destroy();
        resolve(Number(match[1]));
      }
    });
    socket.on('close', () => resolve(0));
    socket.on('error', reject);
    socket.write(bytes);
  });
}

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${host.baseUrl}${path}`, { headers });
  return { status: response.status, text: await response.text() };
}

beforeAll(async () => {
  backend = createServer((req, res) => {
    backendPaths.push(req.url ?? '');
    let size = 0;
    req.on('data', (chunk: Buffer) => (size += chunk.length));
    req.on('end', () => {
      backendBodies.push(size);
      res.end('backend');
    });
  });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  const port = (backend.address() as { port: number }).port;
  host = await startHostProcess({
    env: labHostEnv(
      uniqueTableName('hostile'),
      { primary: PRIMARY, secondary: randomBytes(48).toString('base64') },
      { GATEWAY_MAX_BODY_BYTES: String(BODY_LIMIT) },
    ),
  });
  await manage('PUT', '/apis/guarded', {
    properties: { displayName: 'Guarded', path: 'guarded', serviceUrl: `http://127.0.0.1:${port}/base`, protocols: ['http', 'https'] },
  });
  await manage('PUT', '/apis/guarded/operations/any', { properties: { displayName: 'Any', method: 'GET', urlTemplate: '/*' } });
  await manage('PUT', '/apis/guarded/operations/upload', { properties: { displayName: 'Upload', method: 'POST', urlTemplate: '/*' } });
  await manage('PUT', '/subscriptions/guarded-sub', { properties: { scope: '/apis/guarded', displayName: 'Guarded', state: 'active' } });
  key = (await manage('POST', '/subscriptions/guarded-sub/listSecrets')).primaryKey;
});

afterAll(async () => {
  await host?.stop();
  await new Promise((r) => backend?.close(r));
});

/** Runs `request`, then asserts the backend saw no new request. */
async function withoutBackend<T>(request: () => Promise<T>): Promise<T> {
  const before = backendPaths.length;
  const result = await request();
  expect(backendPaths.length, `backend reached: ${backendPaths.slice(before).join(', ')}`).toBe(before);
  return result;
}

describe('hostile requests at the gateway', () => {
  it('forwards a valid call (the baseline the other cases are measured against)', async () => {
    expect((await get('/guarded/x?a=1', { 'Ocp-Apim-Subscription-Key': key })).status).toBe(200);
    expect(backendPaths.at(-1)).toBe('/base/x?a=1');
  });

  it('resolves dot segments before matching: no climbing out of the API or into management', async () => {
    await withoutBackend(async () => {
      expect((await get(`/guarded/../management${LOCAL_SERVICE}/products`, { 'Ocp-Apim-Subscription-Key': key })).status).not.toBe(200);
      expect((await get('/guarded/%2e%2e/%2E%2E/etc/passwd', { 'Ocp-Apim-Subscription-Key': key })).status).toBe(404);
      expect((await get('/guarded/.%2e/x')).status).toBe(404);
    });
    // Inside the API, dots collapse before forwarding: the backend never sees `..`.
    expect((await get('/guarded/a/../b', { 'Ocp-Apim-Subscription-Key': key })).status).toBe(200);
    expect(backendPaths.at(-1)).toBe('/base/b');
  });

  it('keeps encoded slashes and double encoding as received, and still checks the key', async () => {
    await withoutBackend(async () => {
      expect((await get('/guarded/a%2Fb')).text).toBe(MISSING);
      expect((await get('/guarded/%252e%252e/x')).text).toBe(MISSING);
    });
    expect((await get('/guarded/a%2Fb/%252e%252e', { 'Ocp-Apim-Subscription-Key': key })).status).toBe(200);
    expect(backendPaths.at(-1)).toBe('/base/a%2Fb/%252e%252e');
  });

  it('refuses keys of odd lengths and characters with 401 invalid', async () => {
    await withoutBackend(async () => {
      for (const odd of ['x', 'k'.repeat(8000), `${key} `.repeat(3).trim(), `${key.slice(0, -1)}`, `${key}0`, key.toUpperCase(), 'a"b\\c', '%00']) {
        expect((await get('/guarded/x', { 'Ocp-Apim-Subscription-Key': odd })).text).toBe(INVALID);
      }
      expect((await get(`/guarded/x?subscription-key=${encodeURIComponent('ключ')}`)).text).toBe(INVALID);
      const latin1 = `GET /guarded/x HTTP/1.1\r\nHost: a\r\nOcp-Apim-Subscription-Key: \xe9\xff${key}\r\nConnection: close\r\n\r\n`;
      expect(await rawRequest(Buffer.from(latin1, 'latin1'))).toBe(401);
    });
  });

  it('treats several keys at once as one invalid key, and lets the header win over the query', async () => {
    await withoutBackend(async () => {
      const twice = `GET /guarded/x HTTP/1.1\r\nHost: a\r\nOcp-Apim-Subscription-Key: ${key}\r\nOcp-Apim-Subscription-Key: other\r\nConnection: close\r\n\r\n`;
      expect(await rawRequest(twice)).toBe(401);
      expect((await get(`/guarded/x?subscription-key=${key}`, { 'Ocp-Apim-Subscription-Key': 'wrong' })).text).toBe(INVALID);
    });
    expect((await get('/guarded/x?subscription-key=wrong', { 'Ocp-Apim-Subscription-Key': key })).status).toBe(200);
  });

  it('answers invalid UTF-8 in the path with a key check, not a crash', async () => {
    await withoutBackend(async () => {
      expect((await get('/guarded/%ff%fe%C0%AF')).text).toBe(MISSING);
      expect((await get('/%ff%fe')).status).toBe(404);
    });
  });

  it('rejects CR/LF inside header values, huge headers and over-long URLs before any function runs', async () => {
    await withoutBackend(async () => {
      expect(await rawRequest(`GET /guarded/x HTTP/1.1\r\nHost: a\r\nX-Bad: a\rb\r\nConnection: close\r\n\r\n`)).toBe(400);
      expect(await rawRequest(`GET /guarded/x HTTP/1.1\r\nHost: a\r\nX-Big: ${'a'.repeat(70_000)}\r\nConnection: close\r\n\r\n`)).toBe(431);
      expect((await get(`/guarded/${'a'.repeat(5000)}`, { 'Ocp-Apim-Subscription-Key': key })).status).toBe(414);
    });
  });

  it("answers a body over the gateway's limit with APIM's 413, after the key check, without reaching the backend", async () => {
    const post = (bytes: number, headers: Record<string, string>, path = '/guarded/upload') =>
      fetch(`${host.baseUrl}${path}`, { method: 'POST', headers, body: Buffer.alloc(bytes, 0x61) });
    await withoutBackend(async () => {
      const over = await post(BODY_LIMIT + 1, { 'Ocp-Apim-Subscription-Key': key });
      expect(over.status).toBe(413);
      expect(over.headers.get('content-type')).toBe('application/json');
      expect(over.headers.get('www-authenticate')).toBeNull();
      expect(await over.text()).toBe(
        `{ "statusCode": 413, "message": "Request's body is ${BODY_LIMIT + 1} bytes long and it exceeds the limit of ${BODY_LIMIT} bytes." }`,
      );
      // No valid key: the 401 comes first and says nothing of limits.
      expect(await (await post(BODY_LIMIT * 4, {})).text()).toBe(MISSING);
      expect(await (await post(BODY_LIMIT * 4, { 'Ocp-Apim-Subscription-Key': 'not-a-key' })).text()).toBe(INVALID);
      expect((await post(BODY_LIMIT * 4, { 'Ocp-Apim-Subscription-Key': key }, '/nowhere')).status).toBe(404);
    });
    const fits = await post(BODY_LIMIT, { 'Ocp-Apim-Subscription-Key': key });
    expect(fits.status).toBe(200);
    await fits.text();
    expect(backendBodies.at(-1)).toBe(BODY_LIMIT);
  });

  it("leaves bodies over the host's 100 MiB to the host's own empty 413, before any function runs", async () => {
    await withoutBackend(async () => {
      const status = await rawRequest(
        `POST /guarded/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nOcp-Apim-Subscription-Key: ${key}\r\nContent-Length: 104857601\r\n\r\n`,
      );
      expect(status).toBe(413);
    });
  });

  it('keeps serving after all of it', async () => {
    expect((await get('/guarded/still-here', { 'Ocp-Apim-Subscription-Key': key })).status).toBe(200);
  });
});
