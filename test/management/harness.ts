import type { CatalogStore } from '../../src/catalog/catalogStore';
import { labSeed } from '../../src/lab/seed';
import { createManagementApi, type ManagementApi, type ManagementApiOptions } from '../../src/management/managementApi';
import { createSasToken } from '../../src/management/sasToken';
import type { ManagementSettings } from '../../src/management/settings';
import type { ManagementResponse } from '../../src/management/types';
import { testStore } from '../helpers/catalog';

/** Shared set-up of the management contract tests: a seeded store on Azurite and the core driven in memory. */

export const PRIMARY = 'primary-management-key-for-tests';
export const SECONDARY = 'secondary-management-key-for-tests';
export const SUB = '11111111-2222-3333-4444-555555555555';
export const RG = 'lab-rg';
export const SVC = 'lab-apim';
export const ORIGIN = 'http://localhost:7071';
export const SERVICE_ID = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.ApiManagement/service/${SVC}`;
export const SERVICE_URL = `${ORIGIN}/management${SERVICE_ID}`;
export const API_VERSION = '2024-05-01';

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
  store: CatalogStore;
  api: ManagementApi;
  /** Calls `path` below the service (or an absolute URL). */
  call(method: string, path: string, options?: CallOptions): Promise<CallResult>;
  /** The index as plain data, to compare before and after a refused request. */
  snapshot(): string;
}

/** A store seeded with the lab, started, and the management API over it. */
export async function harness(overrides: Partial<ManagementApiOptions> = {}, seeded = true): Promise<Harness> {
  const store = overrides.store ?? testStore(seeded ? { seed: () => labSeed({ WEBSITE_HOSTNAME: 'localhost:7071' }) } : {});
  await store.ensureStarted();
  const api = createManagementApi({ store, settings, log: () => {}, ...overrides });
  return {
    store,
    api,
    call: (method, path, options = {}) => call(api, method, path, options),
    snapshot: () => snapshot(store),
  };
}

export async function call(api: ManagementApi, method: string, path: string, options: CallOptions = {}): Promise<CallResult> {
  let url = path.startsWith('http') ? path : `${SERVICE_URL}${path}`;
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
