import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createDebugCredentials } from '../../src/catalog/debugCredentials';
import { createGateway, TRACE_LIFETIME_MS } from '../../src/gateway/pipeline';
import { api, catalogOf, headerValues, operation, recordingForwarder, request, subscription } from './fixtures';

/** Request tracing: `Apim-Debug-Authorization` in, `Apim-Trace-Id` (or why not) out. */

const KEY = 'a'.repeat(32);
const credentials = createDebugCredentials(randomBytes(32));
const clock = new Date('2026-11-27T10:00:00Z');
const catalog = catalogOf({
  apis: [api('echo-api', 'echo'), api('other-api', 'other')],
  operations: [operation('echo-api', 'retrieve-resource', 'GET', '/resource'), operation('other-api', 'get', 'GET', '/x')],
  subscriptions: [subscription('sub-1', '/apis/echo-api', KEY)],
});
const gateway = createGateway({ catalog, forwarder: recordingForwarder(), debug: credentials, now: () => clock });
const tokenFor = (apiId: string, lifetimeMs = 60_000) => credentials.issue(apiId, new Date(clock.getTime() + lifetimeMs));
const call = (url: string, headers: Record<string, string>) => gateway.handle(request('GET', url, { Host: 'gw.test', ...headers }));
const traceOf = (id: string) => credentials.openTrace(id, clock) as { traceEntries: Record<'inbound' | 'backend' | 'outbound', { source: string; data: Record<string, unknown> }[]> };

describe('request tracing', () => {
  it('explains a 401 (missing key): the usual 401 bytes, plus a trace id that opens to the decision', async () => {
    const plain = await call('http://gw.test/echo/resource', {});
    const traced = await call('http://gw.test/echo/resource', { 'Apim-Debug-Authorization': tokenFor('echo-api') });
    expect(traced.status).toBe(401);
    expect(Buffer.from(traced.body as Uint8Array)).toEqual(Buffer.from(plain.body as Uint8Array));
    const [id] = headerValues(traced, 'apim-trace-id');
    expect(id).toBeDefined();
    const trace = traceOf(id!);
    expect(trace.traceEntries.inbound.map((e) => e.source)).toEqual(['api-inspector', 'api-matching', 'subscription-key', 'authorization']);
    expect(trace.traceEntries.inbound[1]!.data).toMatchObject({ apiId: 'echo-api', operationId: 'retrieve-resource' });
    expect(trace.traceEntries.inbound[2]!.data).toMatchObject({ keySource: 'none' });
    expect(trace.traceEntries.inbound[3]!.data).toMatchObject({ outcome: 'keyMissing', subscriptionId: null });
    expect(trace.traceEntries.backend).toEqual([]);
    expect(trace.traceEntries.outbound[0]!.data).toMatchObject({ status: 401, outcome: 'keyMissing' });
    expect(String(trace.traceEntries.outbound[0]!.data.message)).toContain('401 (missing key)');
    // Entries carry the arrival time; the last one the time of the whole request, as .NET writes a TimeSpan.
    const entries = [...trace.traceEntries.inbound, ...trace.traceEntries.outbound] as unknown as { timestamp: string; elapsed: string }[];
    expect(new Set(entries.map((e) => e.timestamp))).toEqual(new Set([clock.toISOString()]));
    expect(entries.slice(0, -1).every((e) => e.elapsed === '00:00:00.0000000')).toBe(true);
    expect(entries.at(-1)!.elapsed).toMatch(/^00:00:00\.\d{7}$/);
  });

  it('leaves the shared 401 as it was: the next call without a token carries no trace header', async () => {
    await call('http://gw.test/echo/resource', { 'Apim-Debug-Authorization': tokenFor('echo-api') });
    const after = await call('http://gw.test/echo/resource', {});
    expect(headerValues(after, 'apim-trace-id')).toEqual([]);
    expect(after.headers).toHaveLength(3);
  });

  it('traces a forwarded call: subscription, backend status, and never the key (header or query)', async () => {
    const traced = await call('http://gw.test/echo/resource?subscription-key=' + KEY + '&param1=sample', {
      'Apim-Debug-Authorization': tokenFor('echo-api'),
      'Ocp-Apim-Subscription-Key': KEY,
    });
    expect(traced.status).toBe(200);
    const trace = traceOf(headerValues(traced, 'apim-trace-id')[0]!);
    expect(trace.traceEntries.inbound[3]!.data).toMatchObject({ outcome: 'allowed', subscriptionId: 'sub-1', subscriptionState: 'active' });
    expect(trace.traceEntries.backend[0]!.data).toMatchObject({ status: 200 });
    expect(trace.traceEntries.inbound[0]!.data).toMatchObject({
      request: { method: 'GET', url: 'http://gw.test/echo/resource', queryParameterNames: ['subscription-key', 'param1'] },
    });
    expect(JSON.stringify(trace)).not.toContain(KEY);
  });

  it('says why a key is refused (out of scope) without naming the key', async () => {
    const traced = await call('http://gw.test/other/x', { 'Apim-Debug-Authorization': tokenFor('other-api'), 'Ocp-Apim-Subscription-Key': KEY });
    expect(traced.status).toBe(401);
    const trace = traceOf(headerValues(traced, 'apim-trace-id')[0]!);
    expect(trace.traceEntries.inbound[3]!.data).toMatchObject({ outcome: 'keyOutOfScope', subscriptionId: 'sub-1' });
    expect(JSON.stringify(trace)).not.toContain(KEY);
  });

  it('a token for another API: Apim-Debug-Authorization-WrongAPI, no trace; 404s too', async () => {
    const wrong = await call('http://gw.test/echo/resource', { 'Apim-Debug-Authorization': tokenFor('other-api') });
    expect(headerValues(wrong, 'apim-debug-authorization-wrongapi')).toEqual(['true']);
    expect(headerValues(wrong, 'apim-trace-id')).toEqual([]);
    const unknown = await call('http://gw.test/nothing', { 'Apim-Debug-Authorization': tokenFor('echo-api') });
    expect(unknown.status).toBe(404);
    expect(headerValues(unknown, 'apim-debug-authorization-wrongapi')).toEqual(['true']);
  });

  it('an expired token: Apim-Debug-Authorization-Expired; a token of no one: nothing at all', async () => {
    const expired = await call('http://gw.test/echo/resource', { 'Apim-Debug-Authorization': tokenFor('echo-api', -1) });
    expect(headerValues(expired, 'apim-debug-authorization-expired')).toEqual(['true']);
    expect(headerValues(expired, 'apim-trace-id')).toEqual([]);
    const forged = createDebugCredentials(randomBytes(32)).issue('echo-api', new Date(clock.getTime() + 60_000));
    const ignored = await call('http://gw.test/echo/resource', { 'Apim-Debug-Authorization': forged });
    expect(ignored.headers).toHaveLength(3);
  });

  it('a trace id opens for an hour, then no more', async () => {
    const traced = await call('http://gw.test/echo/resource', { 'Apim-Debug-Authorization': tokenFor('echo-api') });
    const id = headerValues(traced, 'apim-trace-id')[0]!;
    const later = (ms: number) => new Date(clock.getTime() + ms);
    expect(credentials.openTrace(id, later(TRACE_LIFETIME_MS - 1))).toBeDefined();
    expect(credentials.openTrace(id, later(TRACE_LIFETIME_MS))).toBeUndefined();
  });

  it('without credentials configured, the gateway ignores the header', async () => {
    const plainGateway = createGateway({ catalog, forwarder: recordingForwarder() });
    const answer = await plainGateway.handle(request('GET', 'http://gw.test/echo/resource', { 'Apim-Debug-Authorization': tokenFor('echo-api') }));
    expect(answer.headers).toHaveLength(3);
  });
});


describe('request tracing that fails', () => {
  it('costs the caller nothing: the usual answer, without a trace', async () => {
    const broken = {
      check: () => ({ apiId: 'echo-api' }),
      sealTrace: () => {
        throw new Error('sealing failed');
      },
    };
    const gateway = createGateway({ catalog, forwarder: recordingForwarder(), debug: broken });
    const answer = await gateway.handle(request('GET', 'http://gw.test/echo/resource', { 'Apim-Debug-Authorization': 'dbg1.x.y' }));
    expect(answer.status).toBe(401);
    expect(answer.headers).toHaveLength(3);
    const direct = gateway.handle(request('GET', 'http://gw.test/echo/resource', { 'Apim-Debug-Authorization': 'dbg1.x.y' }));
    expect(direct).not.toBeInstanceOf(Promise);
  });
});
