import { randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { expect } from 'vitest';
import { buildRequest } from '../../src/lab/console/client/request';
import { initialRows } from '../../src/lab/console/client/keys';
import type { ApiResource, OperationResource } from '../../src/lab/console/client/types';
import { createSasToken } from '../../src/management';
import { uniqueTableName } from './catalog';
import { labHostEnv, startHostProcess, type HostProcess } from './localHost';
import { API_VERSION, LOCAL_SERVICE } from './management';

/**
 * The lab instance on the local host, as a learner drives it: the unchanged app
 * on a free port over real Azurite, calls over real HTTP (status line included),
 * the administrator's keys from `listSecrets`, fixes through the management API,
 * `POST /lab/reset?scenario=N`, and the trace read as the test console reads it
 * (`listDebugCredentials`, `Apim-Debug-Authorization`, `listTrace`).
 */

export interface HttpResult {
  status: number;
  /** The reason phrase of the status line. */
  reason: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
  /** From sending the request to the end of the body. */
  ms: number;
}

export interface CallInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface LabHost {
  readonly host: HostProcess;
  call(path: string, init?: CallInit): Promise<HttpResult>;
  manage(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<HttpResult>;
  /** The primary key of one of the administrator's subscriptions, from `listSecrets`. */
  adminKey(subscriptionId: string): Promise<string>;
  /** Writes a policy document (rawxml) at a scope path such as `/apis/blank-api/operations/getheaders`; '' is the global scope. */
  putPolicy(scopePath: string, value: string): Promise<void>;
  /** `POST /lab/reset?scenario=N`. */
  reset(scenario: number): Promise<void>;
  /** Calls with a debug token for `apiId`, then reads the trace as the console shows it: one line per entry. */
  traced(apiId: string, path: string, init?: CallInit): Promise<{ result: HttpResult; lines: string[] }>;
  stop(): Promise<void>;
}

export async function startLabHost(extra: Record<string, string | undefined> = {}): Promise<LabHost> {
  const primary = randomBytes(64).toString('base64');
  const host = await startHostProcess({
    env: labHostEnv(uniqueTableName('lab'), { primary, secondary: randomBytes(64).toString('base64') }, { WEBSITE_HOSTNAME: undefined, ...extra }),
  });
  const token = `SharedAccessSignature ${createSasToken({ identifier: 'integration', key: primary, expiry: new Date(Date.now() + 3_600_000) })}`;
  const call = (path: string, init: CallInit = {}) => httpCall(`${host.baseUrl}${path}`, init);
  const manage = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    call(`/management${LOCAL_SERVICE}${path}${path.includes('?') ? '&' : '?'}api-version=${API_VERSION}`, {
      method,
      headers: { Authorization: token, 'Content-Type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const ok = (result: HttpResult, what: string) => {
    expect(result.status, `${what}: ${result.text}`).toBeLessThan(300);
    return result;
  };
  return {
    host,
    call,
    manage,
    async adminKey(subscriptionId) {
      return JSON.parse(ok(await manage('POST', `/subscriptions/${subscriptionId}/listSecrets`), 'listSecrets').text).primaryKey as string;
    },
    async putPolicy(scopePath, value) {
      ok(await manage('PUT', `${scopePath}/policies/policy`, { properties: { format: 'rawxml', value } }, { 'If-Match': '*' }), `PUT ${scopePath}/policies/policy`);
    },
    async reset(scenario) {
      ok(await call(`/lab/reset?scenario=${scenario}`, { method: 'POST', headers: { Authorization: token } }), `reset of scenario ${scenario}`);
    },
    async traced(apiId, path, init = {}) {
      const credentials = ok(
        await manage('POST', '/gateways/managed/listDebugCredentials', { credentialsExpireAfter: 'PT1H', apiId: `/apis/${apiId}`, purposes: ['tracing'] }),
        'listDebugCredentials',
      );
      const result = await call(path, { ...init, headers: { ...init.headers, 'Apim-Debug-Authorization': JSON.parse(credentials.text).token } });
      const traceId = result.headers['apim-trace-id'];
      expect(traceId, 'Apim-Trace-Id').toBeTypeOf('string');
      const trace = JSON.parse(ok(await manage('POST', '/gateways/managed/listTrace', { traceId }), 'listTrace').text) as TraceDocument;
      return { result, lines: traceLines(trace) };
    },
    stop: async () => void (await host.stop()),
  };
}

interface TraceDocument {
  traceEntries: Partial<Record<'inbound' | 'backend' | 'outbound', { source: string; data?: { message?: string } & Record<string, unknown> }[]>>;
}

/** `group · source: message`, as the console lists a trace (entries without a message show their data). */
function traceLines(trace: TraceDocument): string[] {
  const lines: string[] = [];
  for (const group of ['inbound', 'backend', 'outbound'] as const) {
    for (const entry of trace.traceEntries[group] ?? []) {
      lines.push(`${group} \u00b7 ${entry.source}: ${entry.data?.message ?? JSON.stringify(entry.data ?? {})}`);
    }
  }
  return lines;
}

/** One request over node:http, which keeps the status line's reason phrase. */
export function httpCall(url: string, init: CallInit = {}): Promise<HttpResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const body = init.body === undefined ? undefined : Buffer.from(init.body);
    const headers = { ...init.headers, ...(body ? { 'Content-Length': String(body.length) } : {}) };
    const req = httpRequest(url, { method: init.method ?? 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, reason: res.statusMessage ?? '', headers: res.headers, body: bytes, text: bytes.toString('utf8'), ms: performance.now() - started });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * The request the lab's test console makes for an operation (src/lab/console/client):
 * the URL from the API's path and the operation's template, the headers the
 * operation's definition fills in (then the administrator's key), and, as the
 * portal's console did, the first representation's content type and sample body.
 */
export async function consoleRequest(lab: LabHost, apiId: string, operationId: string, key: string): Promise<{ path: string; init: CallInit }> {
  const api = JSON.parse((await lab.manage('GET', `/apis/${apiId}`)).text) as ApiResource;
  const operation = JSON.parse((await lab.manage('GET', `/apis/${apiId}/operations/${operationId}`)).text) as OperationResource;
  const rows = initialRows(operation, api, { value: key, kind: 'adminkey', source: "administrator's key", products: [] });
  const built = buildRequest({ api, operation, templateValues: {}, queryValues: {}, rows, origin: '' });
  const headers: Record<string, string> = {};
  for (const row of built.headers) headers[row.name] = row.value;
  const representation = operation.properties.request?.representations?.[0] as { contentType?: string; examples?: { default?: { value?: unknown } } } | undefined;
  if (representation?.contentType) headers['Content-Type'] = representation.contentType;
  const sample = representation?.examples?.default?.value;
  return { path: built.target, init: { method: built.method, headers, ...(typeof sample === 'string' ? { body: sample } : {}) } };
}
