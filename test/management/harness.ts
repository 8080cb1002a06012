import { inject } from 'vitest';
import type { CatalogStore } from '../../src/catalog/catalogStore';
import { scenario3Catalog } from '../helpers/scenario3Catalog';
import { createManagementApi, type ManagementApi, type ManagementApiOptions } from '../../src/management/managementApi';
import { createSasToken } from '../../src/management/sasToken';
import type { ManagementSettings } from '../../src/management/settings';
import type { ManagementResponse } from '../../src/management/types';
import { testStore, uniqueTableName } from '../helpers/catalog';
import { startHostProcess, type HostProcess } from '../helpers/localHost';
import { API_VERSION } from '../helpers/management';

export { API_VERSION };

/**
 * Shared set-up of the management contract tests: a seeded store on Azurite, and
 * the management API reached through one of two transports.
 *
 * - `memory` (default): the framework-free core, `createManagementApi(...).handle()`, called in process.
 * - `host` (`MANAGEMENT_TRANSPORT=host`, the `management-host` vitest project):
 *   the unchanged app on the local Functions host in a child process (one per
 *   test file), every call over real HTTP. `store` is then a second CatalogStore
 *   on the host's table, refreshed after every call, so index assertions see what
 *   the host wrote to storage.
 *
 * Tests that need in-memory-only overrides (a fixed clock, other settings, a
 * store of their own) use `memoryHarness()`, and are skipped over the host when
 * they would only repeat an in-memory test.
 */

export type Transport = 'memory' | 'host';
export const TRANSPORT: Transport = process.env.MANAGEMENT_TRANSPORT === 'host' ? 'host' : 'memory';
export const hostMode = TRANSPORT === 'host';

export const PRIMARY = 'primary-management-key-for-tests';
export const SECONDARY = 'secondary-management-key-for-tests';
export const SUB = '11111111-2222-3333-4444-555555555555';
export const RG = 'lab-rg';
export const SVC = 'lab-apim';
/** The origin of in-memory calls. Over the host, use `h.origin`. */
export const ORIGIN = 'http://localhost:7071';
export const SERVICE_ID = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.ApiManagement/service/${SVC}`;
/** The service URL of in-memory calls. Over the host, use `h.serviceUrl`. */
export const SERVICE_URL = `${ORIGIN}/management${SERVICE_ID}`;

export const settings: ManagementSettings = {
  service: { subscriptionId: SUB, resourceGroup: RG, serviceName: SVC },
  basePath: '/management',
  identifier: 'integration',
  primaryKey: PRIMARY,
  secondaryKey: SECONDARY,
};

/** A valid long-form token, one hour from now. */
export function token(key = PRIMARY, expiry = new Date(Date.now() + 3_600_000)): string {
  return createSasToken({ identifier: 'integration', key, expiry });
}

export interface CallOptions {
  body?: unknown;
  /** Raw body bytes or text, sent as is (for malformed JSON). */
  rawBody?: string | Uint8Array;
  headers?: Record<string, string>;
  /** Query string without `?`; `api-version` is added unless `apiVersion: null`. */
  query?: string;
  apiVersion?: string | null;
  /** Authorization header value; default a valid SharedAccessSignature. `null` sends none. */
  authorization?: string | null;
}

export interface CallResult extends ManagementResponse {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

export interface Harness {
  transport: Transport;
  store: CatalogStore;
  /** The management API: the core in memory, or a `handle()` that sends the request to the host over HTTP. */
  api: ManagementApi;
  /** Where requests go: `ORIGIN` in memory, `http://127.0.0.1:<port>` over the host. */
  origin: string;
  /** `${origin}/management${SERVICE_ID}` */
  serviceUrl: string;
  /** Where absolute links (`nextLink`) point: `ORIGIN` in memory, the host's `WEBSITE_HOSTNAME` (`http://localhost:<port>`) over the host. */
  linkOrigin: string;
  /** The host process, over the host. */
  host?: HostProcess;
  /** Calls `path` below the service (or an absolute URL). */
  call(method: string, path: string, options?: CallOptions): Promise<CallResult>;
  /** Brings `store` up to what the API under test wrote (a no-op in memory, where it is the same store). */
  sync(): Promise<void>;
  /** The index as plain data, to compare before and after a refused request. */
  snapshot(): string;
  /** Stops the host (and the store's polling). */
  close(): Promise<void>;
}

/** The harness of this run's transport: the lab's seeded catalog and the management API over it. */
export async function harness(): Promise<Harness> {
  return hostMode ? hostHarness() : memoryHarness();
}

/** Always in memory: the core over a seeded store, with optional overrides (clock, settings, store). */
export async function memoryHarness(overrides: Partial<ManagementApiOptions> = {}, seeded = true): Promise<Harness> {
  const store = overrides.store ?? testStore(seeded ? { seed: () => scenario3Catalog() } : {});
  await store.ensureStarted();
  const api = createManagementApi({ store, settings, log: () => {}, ...overrides });
  return {
    transport: 'memory',
    store,
    api,
    origin: ORIGIN,
    serviceUrl: SERVICE_URL,
    linkOrigin: ORIGIN,
    call: (method, path, options = {}) => callAt(api, SERVICE_URL, method, path, options),
    sync: async () => {},
    snapshot: () => snapshot(store),
    close: async () => store.stop(),
  };
}

let running: HostProcess | undefined;

/** The local host on its own table of the shared Azurite, configured for this service and these keys. */
async function hostHarness(): Promise<Harness> {
  // One host per test file: each starts a process, and the suites must stay quick.
  if (running) throw new Error('one host per test file: this file already started one');
  const connectionString = inject('azuriteConnectionString');
  const tableName = uniqueTableName('mgmt');
  // The host finds the table full and seeds nothing: the management tests' own catalog.
  await testStore({ tableName, seed: () => scenario3Catalog() }).ensureStarted();
  const host = await startHostProcess({
    env: {
      PORT: '0',
      CatalogStorage: connectionString,
      AzureWebJobsStorage: connectionString,
      CATALOG_TABLE_NAME: tableName,
      CATALOG_POLL_MS: '100',
      // Quota counters of this host only: the seeded subscriptions have the same ids in every test.
      QUOTA_TABLE_NAME: uniqueTableName('quota'),
      AZURE_SUBSCRIPTION_ID: SUB,
      AZURE_RESOURCE_GROUP: RG,
      APIM_SERVICE_NAME: SVC,
      MANAGEMENT_IDENTIFIER: undefined,
      MANAGEMENT_PRIMARY_KEY: PRIMARY,
      MANAGEMENT_SECONDARY_KEY: SECONDARY,
      SEED_LAB: undefined,
      // The host and `store` read the same table, so they seal subscription keys with the same key.
      KEY_ENCRYPTION_KEY: process.env.KEY_ENCRYPTION_KEY,
      WEBSITE_HOSTNAME: undefined,
    },
  });
  running = host;
  try {
    const origin = host.baseUrl;
    const serviceUrl = `${origin}/management${SERVICE_ID}`;
    const api = httpApi();
    // The first call waits for the host's catalog, seeding included; only then is the table ready to read.
    const ready = await callAt(api, serviceUrl, 'GET', '/products', {});
    if (ready.status !== 200) throw new Error(`the host's management API answered ${ready.status}: ${ready.body}\n${host.output()}`);
    const store = testStore({ tableName });
    await store.ensureStarted();
    // The Echo API calls this host's own echo backend, as the lab's seed would have it.
    await store.mutate((index) => ({ changes: [{ put: { kind: 'api', value: { ...index.getApi('echo-api')!, serviceUrl: `${origin}/backend/echo` } } }], value: 0 }));
    for (let tries = 0; !(await callAt(api, serviceUrl, 'GET', '/apis/echo-api', {})).body?.includes(`${origin}/backend/echo`); tries++) {
      if (tries === 100) throw new Error(`the host did not read the Echo API's new serviceUrl\n${host.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return {
      transport: 'host',
      store,
      api,
      origin,
      linkOrigin: host.url,
      serviceUrl,
      host,
      async call(method, path, options = {}) {
        const result = await callAt(api, serviceUrl, method, path, options);
        await store.refresh();
        return result;
      },
      sync: () => store.refresh(),
      snapshot: () => snapshot(store),
      async close() {
        store.stop();
        running = undefined;
        await host.stop();
      },
    };
  } catch (error) {
    running = undefined;
    await host.stop();
    throw error;
  }
}

const METHODS_WITHOUT_BODY = new Set(['GET', 'HEAD']);

/** A `ManagementApi` whose `handle()` sends the request, as is, over HTTP (fetch cannot set Host). */
function httpApi(): ManagementApi {
  return {
    async handle(request) {
      const headers = new Headers(request.headers);
      const response = await fetch(request.url, {
        method: request.method,
        headers,
        body: METHODS_WITHOUT_BODY.has(request.method.toUpperCase()) ? undefined : request.body,
        redirect: 'manual',
      });
      const text = await response.text();
      return { status: response.status, headers: caseInsensitive(response.headers), body: text === '' ? null : text };
    },
  };
}

/** HTTP header names arrive lower-cased: read them in any case, as `headers.ETag` in the tests. */
function caseInsensitive(headers: Headers): Record<string, string> {
  const plain: Record<string, string> = {};
  for (const [name, value] of headers) plain[name] = value;
  return new Proxy(plain, {
    get: (target, name) => (typeof name === 'string' ? target[name.toLowerCase()] : undefined),
    has: (target, name) => typeof name === 'string' && name.toLowerCase() in target,
  });
}

/** Calls an in-memory `api` at the default `SERVICE_URL`. */
export function call(api: ManagementApi, method: string, path: string, options: CallOptions = {}): Promise<CallResult> {
  return callAt(api, SERVICE_URL, method, path, options);
}

async function callAt(api: ManagementApi, serviceUrl: string, method: string, path: string, options: CallOptions): Promise<CallResult> {
  let url = path.startsWith('http') ? path : `${serviceUrl}${path}`;
  const params = [options.query, options.apiVersion === null ? undefined : `api-version=${options.apiVersion ?? API_VERSION}`]
    .filter((p) => p !== undefined && p !== '')
    .join('&');
  if (params && !path.startsWith('http')) url += `?${params}`;
  const headers = new Headers(options.headers);
  const authorization = options.authorization === undefined ? `SharedAccessSignature ${token()}` : options.authorization;
  if (authorization !== null) headers.set('authorization', authorization);
  let body: Uint8Array | null = null;
  if (options.rawBody !== undefined) body = typeof options.rawBody === 'string' ? new TextEncoder().encode(options.rawBody) : options.rawBody;
  else if (options.body !== undefined) body = new TextEncoder().encode(JSON.stringify(options.body));
  const response = await api.handle({ method, url, headers, body });
  return { ...response, json: response.body === null ? null : JSON.parse(response.body) };
}

export function snapshot(store: CatalogStore): string {
  const index = store.index;
  return JSON.stringify({
    version: index.version,
    apis: index.listApis(),
    operations: index.listApis().map((a) => index.operationsOf(a.id)),
    products: index.listProducts(),
    links: index.listLinks(),
    subscriptions: index.listSubscriptions(),
    policies: index.listPolicies(),
  });
}

/** The ARM error of a response, asserting its shape. */
export function armError(result: CallResult): { code: string; message: string; details: { code: string; target: string; message: string }[] | null } {
  if (!result.json || typeof result.json.error !== 'object') throw new Error(`not an ARM error: ${result.status} ${result.body}`);
  return result.json.error;
}

/** Targets of a ValidationError's details. */
export function targets(result: CallResult): string[] {
  return (armError(result).details ?? []).map((d) => d.target);
}
