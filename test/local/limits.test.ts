import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startHostProcess, type HostProcess } from '../helpers/localHost';

const MB = 1024 * 1024;
/** One reused 1 MiB chunk: uploads of 101 MB allocate nothing more. */
const CHUNK = Buffer.alloc(MB, 0x5a);

let host: HostProcess;

beforeAll(async () => {
  host = await startHostProcess({ root: join(__dirname, 'fixture'), env: { CatalogStorage: undefined, AzureWebJobsStorage: undefined } });
}, 30_000);

afterAll(async () => {
  await host?.stop();
});

interface UploadResult {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * POSTs `size` bytes to /echo, streamed in 1 MiB writes, with a Content-Length
 * or chunked. Resolves on the answer, which may come before the upload ends.
 */
function upload(size: number, mode: 'content-length' | 'chunked', extraHeaders: Record<string, string> = {}): Promise<UploadResult> {
  return new Promise((resolve, reject) => {
    const headers = { 'content-type': 'application/octet-stream', ...extraHeaders, ...(mode === 'content-length' ? { 'content-length': String(size) } : {}) };
    const req = httpRequest({ host: '127.0.0.1', port: host.port, method: 'POST', path: '/echo', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    let sent = 0;
    const pump = () => {
      while (sent < size) {
        const n = Math.min(CHUNK.length, size - sent);
        sent += n;
        if (!req.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) {
          req.once('drain', pump);
          return;
        }
      }
      req.end();
    };
    pump();
  });
}

const echoExecutions = () => (host.output().match(/\[echo\] Executed/g) ?? []).length;

describe('request body limit (100 MB)', () => {
  it('answers 413 to a declared 101 MB body without invoking the function', async () => {
    const before = echoExecutions();
    const res = await upload(101 * MB, 'content-length');
    expect(res.status).toBe(413);
    expect(res.body.length).toBe(0);
    expect(echoExecutions()).toBe(before);
  }, 60_000);

  it('answers 413 to a chunked body once it passes 100 MB', async () => {
    const before = echoExecutions();
    const res = await upload(101 * MB, 'chunked');
    expect(res.status).toBe(413);
    expect(echoExecutions()).toBe(before);
  }, 60_000);

  it('accepts a body of exactly 100 MB', async () => {
    const res = await upload(100 * MB, 'content-length');
    expect(res.status).toBe(200);
    expect(res.headers['x-echo-length']).toBe(String(100 * MB));
    expect(res.body.length).toBe(100 * MB);
  }, 60_000);

  it('refuses an announced oversize body before it is sent (Expect: 100-continue)', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({
        host: '127.0.0.1',
        port: host.port,
        method: 'POST',
        path: '/echo',
        headers: { 'content-length': String(101 * MB), expect: '100-continue' },
      });
      req.on('continue', () => reject(new Error('the host invited the body')));
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(status).toBe(413);
  });

  it('drops a chunked body (no Content-Length) as the Functions host does, and says so', async () => {
    const res = await upload(3000, 'chunked');
    expect(res.status).toBe(200);
    expect(res.headers['x-echo-length']).toBe('0');
    // The child's log line may arrive after its response.
    await vi.waitFor(() => expect(host.output()).toContain('[echo] The request body came without Content-Length (chunked) and was dropped'), { timeout: 5000 });
  });
});

describe('URL limit (4 KB)', () => {
  it('answers 414 to a request target over 4096 bytes, not to one of 4096', async () => {
    const tooLong = `/${'a'.repeat(4096)}`;
    const res = await fetch(`${host.baseUrl}${tooLong}`);
    expect(res.status).toBe(414);
    expect(await res.text()).toBe('');

    const longest = `/${'a'.repeat(4095)}`;
    const ok = await fetch(`${host.baseUrl}${longest}`);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { fn: string }).fn).toBe('zzCatchAll');
  });

  it('counts the query string in the URL', async () => {
    const res = await fetch(`${host.baseUrl}/inspect/x?q=${'b'.repeat(4090)}`);
    expect(res.status).toBe(414);
  });
});
