import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSasToken } from '../../src/management';
import { uniqueTableName } from '../helpers/catalog';
import { labHostEnv, startHostProcess, type HostProcess } from '../helpers/localHost';

/**
 * The local host under floods, all sent to 127.0.0.1 and bounded in time: large
 * bodies at once, a body that trickles in, and many connections that never
 * finish their headers. The host's memory, descriptors and time stay bounded by
 * its settings, and its own storage connections keep working.
 */

const MB = 1024 * 1024;
const CHUNK = Buffer.alloc(MB, 0x61);
const PRIMARY = randomBytes(64).toString('base64');
const SERVICE = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/apim-lab/providers/Microsoft.ApiManagement/service/apim-lab';
const MAX_CONNECTIONS = 40;
const HEADERS_TIMEOUT_MS = 2000;
const REQUEST_TIMEOUT_MS = 2000;
const IN_FLIGHT = 100 * MB;

let host: HostProcess;

beforeAll(async () => {
  host = await startHostProcess({
    env: labHostEnv(
      uniqueTableName('limits'),
      { primary: PRIMARY, secondary: randomBytes(64).toString('base64') },
      {
        LOCAL_HOST_MAX_CONNECTIONS: String(MAX_CONNECTIONS),
        LOCAL_HOST_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
        LOCAL_HOST_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
        // Room for one body the gateway takes (up to its 64 MiB), not two.
        LOCAL_HOST_MAX_BODY_BYTES_IN_FLIGHT: String(IN_FLIGHT),
      },
    ),
  });
}, 30_000);

afterAll(async () => {
  await host?.stop();
});

/** `VmHWM` (peak resident memory) or `VmRSS` of the host process, in MB. */
function memoryMb(field: 'VmHWM' | 'VmRSS'): number {
  const status = readFileSync(`/proc/${host.child.pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)![1]) / 1024;
}

const openDescriptors = () => readdirSync(`/proc/${host.child.pid}/fd`).length;

/** POSTs `size` bytes in 1 MiB writes; stops sending at the first answer. Resolves with the status (0: closed). */
function upload(path: string, size: number, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (status: number) => {
      if (done) return;
      done = true;
      resolve(status);
      req.destroy();
    };
    const req = httpRequest(
      { host: '127.0.0.1', port: host.port, method: 'POST', path, headers: { 'content-length': String(size), 'content-type': 'application/json', ...headers } },
      (res) => {
        res.resume();
        finish(res.statusCode ?? 0);
      },
    );
    req.on('error', () => finish(0));
    req.setTimeout(30_000, () => finish(0));
    let sent = 0;
    const pump = () => {
      while (!done && sent < size) {
        const n = Math.min(MB, size - sent);
        sent += n;
        if (!req.write(n === MB ? CHUNK : CHUNK.subarray(0, n))) return void req.once('drain', pump);
      }
      if (!done) req.end();
    };
    pump();
  });
}

describe('eight large bodies at once', () => {
  const load = (path: string, size: number, headers?: Record<string, string>) => Promise.all(Array.from({ length: 8 }, () => upload(path, size, headers)));

  it('cost the host no memory where refused on their announcement or over the gateway limit, and a bounded amount where held one at a time', async () => {
    const before = memoryMb('VmRSS');
    // The management API without a token: over its 4 MiB, refused unread.
    expect(new Set(await load(`/management${SERVICE}/products/big?api-version=2024-05-01`, 100_000_000))).toEqual(new Set([413]));
    // The anonymous echo backend: over the gateway's 64 MiB, refused unread.
    expect(new Set(await load('/backend/echo/x', 100_000_000))).toEqual(new Set([413]));
    // The gateway answers them itself (the key check first, so 401 here, else APIM's 413), but
    // a body over its 64 MiB is never held: the host discards it as it comes and hands on its length.
    expect(new Set(await load('/echo/resource', 100_000_000, { 'Ocp-Apim-Subscription-Key': 'not-a-key' }))).toEqual(new Set([401]));
    const refused = memoryMb('VmHWM');
    expect(refused - before, `peak ${Math.round(refused)} MB, ${Math.round(before)} MB before`).toBeLessThan(100);
    // Bodies the gateway takes are held, but the in-flight cap holds one at a time; the rest are 503 unread.
    const gateway = await load('/echo/resource', 60_000_000, { 'Ocp-Apim-Subscription-Key': 'not-a-key' });
    expect(gateway.filter((status) => status === 503).length).toBeGreaterThanOrEqual(1);
    expect(gateway.every((status) => status === 503 || status === 401)).toBe(true);
    const peak = memoryMb("VmHWM");
    // One 60 MB body and the copies the app makes of it (request conversion, the gateway's own read).
    expect(peak - before, `peak ${Math.round(peak)} MB, ${Math.round(before)} MB before`).toBeLessThan(550);
  }, 90_000);
});

describe('a body that trickles in', () => {
  it('is cut after LOCAL_HOST_REQUEST_TIMEOUT_MS with 408, not held for minutes', async () => {
    const started = Date.now();
    const outcome = await new Promise<string>((resolve) => {
      const socket = connect(host.port, '127.0.0.1');
      let data = '';
      const stop = setTimeout(() => {
        socket.destroy();
        resolve('still open after 10 s');
      }, 10_000);
      socket.on('data', (chunk) => (data += chunk.toString('latin1')));
      socket.on('close', () => {
        clearTimeout(stop);
        clearInterval(drip);
        resolve(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 'closed');
      });
      socket.on('error', () => undefined);
      socket.write('POST /backend/echo/x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n');
      const drip = setInterval(() => socket.write('a'), 500);
    });
    expect(outcome).toBe('408');
    expect(Date.now() - started).toBeLessThan(REQUEST_TIMEOUT_MS + 2500);
  }, 15_000);
});

describe('connections that never finish their headers', () => {
  it('are capped at LOCAL_HOST_MAX_CONNECTIONS and closed after the headers timeout; storage keeps working', async () => {
    const baseline = openDescriptors();
    const count = 150;
    const sockets: Socket[] = [];
    const closedAt: number[] = [];
    const started = Date.now();
    await Promise.all(
      Array.from(
        { length: count },
        () =>
          new Promise<void>((opened) => {
            const socket = connect(host.port, '127.0.0.1', () => {
              socket.write(`GET /lab HTTP/1.1\r\nHost: localhost\r\nX-Slow: `);
              opened();
            });
            socket.on('error', () => opened());
            // Read what the host answers (its 408), so that its closing is seen.
            socket.resume();
            socket.on('close', () => closedAt.push(Date.now() - started));
            // Bounded whatever the host does.
            setTimeout(() => socket.destroy(), 10_000).unref();
            sockets.push(socket);
          }),
      ),
    );
    const overCap = Date.now() + 1000;
    while (closedAt.length < count - MAX_CONNECTIONS && Date.now() < overCap) await new Promise((r) => setTimeout(r, 50));
    const during = openDescriptors();
    expect(during - baseline, `descriptors: ${baseline} before, ${during} during`).toBeLessThanOrEqual(MAX_CONNECTIONS + 10);
    expect(closedAt.length, 'connections over the cap closed at once').toBeGreaterThanOrEqual(count - MAX_CONNECTIONS);

    // The held ones are closed by the host within its headers timeout (checked every second).
    const until = Date.now() + HEADERS_TIMEOUT_MS + 4000;
    while (closedAt.length < count && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    expect(closedAt.length).toBe(count);
    expect(Math.max(...closedAt)).toBeLessThan(HEADERS_TIMEOUT_MS + 3500);
    for (const socket of sockets) socket.destroy();

    // The app's own storage connections were never starved: a write goes through at once.
    const token = createSasToken({ identifier: 'integration', key: PRIMARY, expiry: new Date(Date.now() + 600_000) });
    const write = await fetch(`${host.baseUrl}/management${SERVICE}/products/after-flood?api-version=2024-05-01`, {
      method: 'PUT',
      headers: { Authorization: `SharedAccessSignature ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ properties: { displayName: 'After the flood' } }),
    });
    expect(write.status).toBe(201);
  }, 30_000);
});
