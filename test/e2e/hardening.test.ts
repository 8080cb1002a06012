import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSasToken } from '../../src/management';
import { uniqueTableName } from '../helpers/catalog';
import { labHostEnv, startHostProcess, type HostProcess } from '../helpers/localHost';

/**
 * The unchanged app on the local host, attacked with what a caller controls: the
 * Host header, bodies announced on routes that take none or little, the echo
 * backend as a page of the console's origin, and /lab/state as a way around the
 * management throttle.
 */

const PRIMARY = randomBytes(64).toString('base64');
const SERVICE = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/apim-lab/providers/Microsoft.ApiManagement/service/apim-lab';
const token = (key = PRIMARY) => createSasToken({ identifier: 'integration', key, expiry: new Date(Date.now() + 600_000) });

let host: HostProcess;

beforeAll(async () => {
  host = await startHostProcess({ env: labHostEnv(uniqueTableName('harden'), { primary: PRIMARY, secondary: randomBytes(64).toString('base64') }) });
});

afterAll(async () => {
  await host?.stop();
});

/** Sends raw request bytes; resolves with the status line's code and the head (0 and '' when the server just closes). */
function raw(bytes: string): Promise<{ status: number; head: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(host.port, '127.0.0.1');
    let data = '';
    socket.setTimeout(5000, () => socket.destroy(new Error('timeout')));
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
      const end = data.indexOf('\r\n\r\n');
      if (end >= 0) {
        socket.destroy();
        resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0), head: data.slice(0, end) });
      }
    });
    socket.on('close', () => resolve({ status: 0, head: '' }));
    socket.on('error', reject);
    socket.write(bytes);
  });
}

describe('the Host header', () => {
  it.each([
    ['a path and query', `localhost:PORT/echo/resource?x=`],
    ['a user', 'user@localhost:PORT'],
    ['a space', 'local host'],
    ['a backslash', 'localhost\\x'],
  ])("refuses a Host with %s with the host's empty 400, before any function runs", async (_, value) => {
    const before = (host.output().match(/Executed/g) ?? []).length;
    const { status, head } = await raw(`GET /echo/resource?param1=sample HTTP/1.1\r\nHost: ${value.replace('PORT', String(host.port))}\r\n\r\n`);
    expect(status).toBe(400);
    expect(head).toMatch(/content-length: 0/i);
    expect((host.output().match(/Executed/g) ?? []).length).toBe(before);
  });

  it('refuses two Host headers', async () => {
    const { status } = await raw(`GET /lab HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n\r\n`);
    expect(status).toBe(400);
  });

  it('serves host[:port] forms', async () => {
    for (const value of [`localhost:${host.port}`, '127.0.0.1', `[::1]:${host.port}`, 'apim-lab.azurewebsites.net']) {
      expect((await raw(`GET /lab HTTP/1.1\r\nHost: ${value}\r\n\r\n`)).status).toBe(200);
    }
  });

  it('never builds nextLink from the Host the caller sent', async () => {
    const response = await new Promise<string>((resolve, reject) => {
      const socket = connect(host.port, '127.0.0.1');
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
      socket.write(
        `GET /management${SERVICE}/products?api-version=2024-05-01&$top=1 HTTP/1.1\r\nHost: evil.example\r\nAuthorization: SharedAccessSignature ${token()}\r\nConnection: close\r\n\r\n`,
      );
    });
    expect(response).toMatch(/^HTTP\/1\.1 200 /);
    const nextLink = JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4)).nextLink as string;
    expect(nextLink.startsWith(`http://localhost:${host.port}/management/`)).toBe(true);
    expect(nextLink).not.toContain('evil.example');
  });
});

describe('bodies on routes that take little', () => {
  /** Announces `length` bytes and sends none: only a refusal on the announcement answers before the timeout. */
  const announce = (method: string, path: string, length: number, headers = '') =>
    raw(`${method} ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${length}\r\n${headers}\r\n`);

  it("refuses a management body announced over 4 MiB with the host's 413, before reading it", async () => {
    const { status, head } = await announce('PUT', `/management${SERVICE}/products/big?api-version=2024-05-01`, 100_000_000);
    expect(status).toBe(413);
    expect(head).toMatch(/content-length: 0/i);
  });

  it('refuses a body on the lab routes announced over 16 KiB', async () => {
    expect((await announce('GET', '/lab/state', 16 * 1024 + 1)).status).toBe(413);
  });

  it("refuses an echo body announced over the gateway's limit", async () => {
    expect((await announce('POST', '/backend/echo/x', 64 * 1024 * 1024 + 1, 'Content-Type: text/html\r\n')).status).toBe(413);
  });
});

describe('the echo backend on the console origin', () => {
  it('answers with nosniff and a sandbox, so a caller-chosen text/html never runs as a page', async () => {
    const response = await fetch(`${host.baseUrl}/backend/echo/page`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/html', 'Content-Security-Policy': "script-src 'unsafe-inline'" },
      body: '<script>alert(sessionStorage.length)</script>',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toBe('sandbox');
  });

  it('the console page isolates its window from openers: Cross-Origin-Opener-Policy same-origin', async () => {
    const response = await fetch(`${host.baseUrl}/lab`);
    expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin');
  });
});

describe('one throttle for every endpoint that takes a management token', () => {
  it('bad signatures on /lab/state block the client on the management API too', async () => {
    const bad = () => ({ Authorization: `SharedAccessSignature ${token(randomBytes(64).toString('base64'))}` });
    for (let i = 0; i < 10; i++) expect((await fetch(`${host.baseUrl}/lab/state`, { headers: bad() })).status).toBe(401);
    const management = await fetch(`${host.baseUrl}/management${SERVICE}/products?api-version=2024-05-01`, { headers: bad() });
    expect(management.status).toBe(429);
    expect(management.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await fetch(`${host.baseUrl}/lab/state`, { headers: bad() })).status).toBe(429);
    // The key holder is never locked out.
    const good = await fetch(`${host.baseUrl}/management${SERVICE}/products?api-version=2024-05-01`, { headers: { Authorization: `SharedAccessSignature ${token()}` } });
    expect(good.status).toBe(200);
  });
});
