import { randomUUID } from 'node:crypto';
import { safeError } from '../logging/sanitizer';
import {
  ArmError,
  internalError,
  invalidApiVersion,
  isArmError,
  missingApiVersion,
  requestTooLarge,
  serviceUnavailable,
  unsupportedApiVersion,
} from '../apim/armErrors';
import { ARM_PROVIDER } from '../apim/armResources';
import { decodeSegment } from '../apim/pathSegment';
import { CatalogLimitError, CatalogUnavailableError, type CatalogStore, type MutateOptions } from '../catalog/catalogStore';
import { debugCredentialsFromEnv, type DebugCredentials } from '../catalog/debugCredentials';
import { MemoryQuotaStore, SharedQuotaCounter } from '../policy/limits';
import { apiRoutes } from './apis';
import { admitManagementCall } from './admission';
import { MAX_BODY_BYTES } from './body';
import { debugRoutes } from './debug';
import { operationRoutes } from './operations';
import { policyRoutes } from './policies';
import { productApiRoutes } from './productApis';
import { productRoutes } from './products';
import { quotaRoutes } from './quotas';
import { errorResponse, withoutBody } from './respond';
import { matchRoute, type QuotaAdministration, type Route, type RouteStore, type Verb } from './router';
import type { ManagementSettings } from './settings';
import { subscriptionRoutes } from './subscriptions';
import { AuthThrottle } from './throttle';
import type { ManagementRequest, ManagementResponse } from './types';

export type { ManagementRequest, ManagementResponse } from './types';

/** Every resource the management API serves. */
export const managementRoutes: readonly Route[] = [
  ...productRoutes,
  ...productApiRoutes,
  ...apiRoutes,
  ...operationRoutes,
  ...policyRoutes,
  ...subscriptionRoutes,
  ...debugRoutes,
  ...quotaRoutes,
];

/** What `createManagementApi` needs. */
export interface ManagementApiOptions {
  store: CatalogStore;
  settings: ManagementSettings;
  /** The clock for token expiry and subscription dates. */
  now?: () => Date;
  /** Where unexpected failures are reported (never with keys, tokens or bodies). Default `console.error`. */
  log?: (message: string) => void;
  /**
   * How long a request waits for storage (catching up with other instances'
   * writes) once the catalog is loaded, before answering 503. A healthy refresh
   * is one point read of a few milliseconds; storage that is down or hung must
   * cost the client well under a second, not a minute of retries. Default 500 ms.
   */
  storageTimeoutMs?: number;
  /** The same while the catalog has never been loaded (the first load reads it all, and seeds). Default 5000 ms. */
  startTimeoutMs?: number;
  /**
   * How long a write may take in all, its turn in the queue included, before
   * answering 503. Writes of one instance are queued, so fifty at once take a
   * while on a healthy store. A write still queued at its deadline is never made;
   * one already committing may complete (as after any timeout, the client should
   * read before retrying a conditional write). Default 10000 ms.
   */
  writeTimeoutMs?: number;
  /**
   * How long a write, once its turn has come, may take (a few storage calls,
   * milliseconds when healthy) before answering 503; the writes queued behind it
   * answer 503 then too. Bounds storage that hangs in the middle of a write.
   * Default 750 ms.
   */
  writeRunTimeoutMs?: number;
  /**
   * Per-client throttling of bad signatures (see throttle.ts); `false` turns it
   * off. Default: a fresh AuthThrottle. Pass the process's one throttle when
   * other endpoints take management tokens too.
   */
  throttle?: AuthThrottle | false;
  /** Debug tokens and traces for request tracing; default from `KEY_ENCRYPTION_KEY`, as the gateway's. */
  debug?: DebugCredentials;
  /**
   * The quota counters `quotas/{quotaCounterKey}` reads and resets: the app passes
   * the gateway's own. Default: counters in this process only, which no gateway uses.
   */
  quotas?: QuotaAdministration;
}

/** The core, one entry point: a request in, a response out; never throws. */
export interface ManagementApi {
  handle(request: ManagementRequest): Promise<ManagementResponse>;
}

/** The oldest api-version accepted; every later one is too (the SDK sends 2024-05-01). */
export const MIN_API_VERSION = '2021-08-01';
const API_VERSION = /^(\d{4})-(\d{2})-(\d{2})(-preview)?$/;

/**
 * The management API: APIM's REST surface over the catalog, framework-free.
 * Order of checks, as ARM's front door: authentication, api-version, the service
 * named in the path, then the resource. Every write goes through one
 * `store.mutate`, so the gateway of this instance sees it at once.
 */
export function createManagementApi(options: ManagementApiOptions): ManagementApi {
  const { store, settings } = options;
  const now = options.now ?? (() => new Date());
  const log = options.log ?? safeError;
  const storageTimeoutMs = options.storageTimeoutMs ?? 500;
  const startTimeoutMs = options.startTimeoutMs ?? 5000;
  const writeTimeoutMs = options.writeTimeoutMs ?? 10_000;
  const writeRunTimeoutMs = options.writeRunTimeoutMs ?? 750;
  const throttle = options.throttle === false ? undefined : (options.throttle ?? new AuthThrottle());
  const debug = options.debug ?? debugCredentialsFromEnv();
  const quotas = options.quotas ?? new SharedQuotaCounter({ store: new MemoryQuotaStore(), timerMs: 0 });

  /** The store as handlers see it: every write bounded by `writeTimeoutMs` and `writeRunTimeoutMs`. */
  const routeStore: RouteStore = {
    get index() {
      return store.index;
    },
    mutate: (plan, mutateOptions?: MutateOptions) =>
      store.mutate(plan, { signal: AbortSignal.timeout(writeTimeoutMs), runTimeoutMs: writeRunTimeoutMs, ...mutateOptions }),
  };

  /** Undefined when the caller may proceed; otherwise its 429, or throws its 401. */
  function admit(request: ManagementRequest): ManagementResponse | undefined {
    const refusal = admitManagementCall(request.headers, settings, now(), throttle);
    if (!refusal) return undefined;
    if (refusal.kind === 'throttled') return refusal.response;
    throw refusal.error;
  }

  /**
   * The body, read only once the caller is admitted and its announced length is
   * within the limit: an anonymous caller never makes the process hold a body.
   */
  async function bodyOf(request: ManagementRequest): Promise<Uint8Array | null> {
    const declared = request.headers.get('content-length');
    if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared.trim()) > MAX_BODY_BYTES) throw requestTooLarge(MAX_BODY_BYTES);
    return request.readBody ? request.readBody() : request.body;
  }

  async function dispatch(request: ManagementRequest, url: URL, method: string): Promise<ManagementResponse> {
    const throttled = admit(request);
    if (throttled) return throttled;
    const body = await bodyOf(request);
    checkApiVersion(url.searchParams.get('api-version'));
    const segments = resourceSegments(url.pathname, settings);
    const match = matchRoute(managementRoutes, method, segments);
    if (!match) throw new ArmError('ResourceNotFound', 'The requested resource type was not found.');
    await store.catchUp(store.isReady ? storageTimeoutMs : startTimeoutMs);
    return match.handler({
      method: method as Verb,
      url: linkBase(url),
      headers: request.headers,
      body,
      params: match.params,
      store: routeStore,
      service: settings.service,
      now,
      debug,
      quotas,
    });
  }

  /**
   * The request URL on the app's configured origin: absolute links (`nextLink`)
   * are built from it, never from the caller's `Host`, so a client following
   * them never sends its token elsewhere.
   */
  function linkBase(url: URL): URL {
    // Joined as text: resolving the path against the origin would let `//other.host/...` replace the host.
    return settings.publicOrigin ? new URL(`${settings.publicOrigin}${url.pathname}${url.search}`) : url;
  }

  return {
    async handle(request) {
      const method = request.method.toUpperCase();
      let response: ManagementResponse;
      try {
        const url = new URL(request.url);
        response = await dispatch(request, url, method);
      } catch (error) {
        response = errorResponse(toArmError(error, method, log));
      }
      const headers = { ...response.headers, 'x-ms-request-id': randomUUID() };
      const final = { ...response, headers };
      return method === 'HEAD' ? withoutBody(final) : final;
    },
  };
}

/**
 * Known failures keep their ARM error; a change storage cannot hold is the
 * client's (400, or 413 for its size); storage trouble is 503; anything else is
 * logged and 500.
 */
function toArmError(error: unknown, method: string, log: (message: string) => void): ArmError {
  if (isArmError(error)) return error;
  if (error instanceof CatalogLimitError) return new ArmError(error.limit === 'tooLarge' ? 'RequestEntityTooLarge' : 'ValidationError', error.message);
  if (error instanceof CatalogUnavailableError) return serviceUnavailable();
  log(`management: unexpected failure on ${method}: ${error instanceof Error ? `${error.name}: ${error.message}` : 'non-error thrown'}`);
  return internalError();
}

/** `api-version` present, a real date, and not older than `MIN_API_VERSION`. */
function checkApiVersion(version: string | null): void {
  if (version === null || version === '') throw missingApiVersion();
  const m = API_VERSION.exec(version);
  const date = m && new Date(`${m[1]}-${m[2]}-${m[3]}T00:00:00Z`);
  if (!m || !date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== `${m[1]}-${m[2]}-${m[3]}`) {
    throw invalidApiVersion(version, MIN_API_VERSION);
  }
  if (`${m[1]}-${m[2]}-${m[3]}` < MIN_API_VERSION) throw unsupportedApiVersion(version, MIN_API_VERSION);
}

/**
 * The raw segments below `{basePath}/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ApiManagement/service/{svc}`.
 * Another service, or a path outside it, is ARM's 404 `ResourceNotFound`.
 */
function resourceSegments(pathname: string, settings: ManagementSettings): string[] {
  const base = settings.basePath.replace(/\/+$/, '');
  if (pathname.slice(0, base.length).toLowerCase() !== base.toLowerCase() || pathname[base.length] !== '/') throw pathNotFound();
  const segments = pathname.slice(base.length + 1).split('/');
  const [sub, subId, rgs, rg, providers, provider, service, name] = segments.map(decodeSegment);
  const fits =
    same(sub, 'subscriptions') &&
    same(rgs, 'resourceGroups') &&
    same(providers, 'providers') &&
    same(provider, ARM_PROVIDER) &&
    same(service, 'service');
  if (!fits) throw pathNotFound();
  if (!same(subId, settings.service.subscriptionId) || !same(rg, settings.service.resourceGroup) || !same(name, settings.service.serviceName)) {
    throw serviceNotFound(rg ?? '', name ?? '');
  }
  return segments.slice(8);
}

function serviceNotFound(resourceGroup: string, serviceName: string): ArmError {
  const clip = (text: string) => (text.length > 90 ? `${text.slice(0, 90)}...` : text);
  return new ArmError(
    'ResourceNotFound',
    `The Resource '${ARM_PROVIDER}/service/${clip(serviceName)}' under resource group '${clip(resourceGroup)}' was not found.`,
  );
}

function pathNotFound(): ArmError {
  return new ArmError('ResourceNotFound', 'The requested resource was not found.');
}

const same = (a: string | undefined, b: string) => a !== undefined && a.toLowerCase() === b.toLowerCase();
