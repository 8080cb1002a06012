import { randomBytes } from 'node:crypto';
import { isArmError, serviceUnavailable, type ArmError } from '../../apim/armErrors';
import type { CatalogStore } from '../../catalog/catalogStore';
import { ID_PATTERN } from '../../catalog/records';
import { admitManagementCall } from '../../management/admission';
import { effectivePolicyOf } from '../../management/effectivePolicy';
import type { ManagementSettings } from '../../management/settings';
import type { AuthThrottle } from '../../management/throttle';
import { labStateOf } from '../diagnosis';
import { renderConsolePage } from './page';

/**
 * The lab's test console, framework-free: `GET /lab` is the page (one HTML
 * document, its CSS and script inline under a per-response nonce), `GET /lab/state`
 * the lab's diagnosis as JSON for the holder of a management token, and
 * `GET /lab/effective-policy/{apiId}/{operationId}[/{productId}]` an operation's
 * effective policy (APIM's "Calculate effective policy") for the same. Everything
 * else the page does goes through the management API and the gateway, from the
 * browser, as the 2018 portal's test console did.
 */

/** The management API's version the page speaks. */
export const CONSOLE_API_VERSION = '2024-05-01';

/** What the console needs of the catalog store. */
export type ConsoleStore = Pick<CatalogStore, 'catchUp' | 'index'>;

export interface LabConsoleOptions {
  store: ConsoleStore;
  settings: ManagementSettings;
  /** The clock for token expiry. */
  now?: () => Date;
  /** How long `/lab/state` waits for the catalog before answering 503. Default 5000 ms. */
  storageTimeoutMs?: number;
  /** A fresh CSP nonce per page; injectable for tests. */
  nonce?: () => string;
  /**
   * The management API's throttle of bad signatures, shared so that `/lab/state`
   * is no way around it. Absent: no throttling (tests of the page alone).
   */
  throttle?: AuthThrottle;
}

export interface ConsoleRequest {
  readonly method: string;
  /** What follows `/lab` (the route's catch-all): '' or '/' for the page, `state` for the diagnosis. */
  readonly path: string;
  readonly headers: Headers;
}

export interface ConsoleResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface LabConsole {
  handle(request: ConsoleRequest): Promise<ConsoleResponse>;
}

/**
 * Headers of every console response: nothing cached, sniffed, framed or leaked in
 * a Referer, and no window of another document (a page served through the
 * gateway on this same origin, which opened this one) keeps a handle on it.
 */
const COMMON_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'X-Frame-Options': 'DENY',
} as const;

/** The page's policy: its own origin only, script and style only with this response's nonce. */
export function pagePolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** JSON answers are data, never a document. */
const JSON_POLICY = "default-src 'none'; frame-ancestors 'none'";


export function createLabConsole(options: LabConsoleOptions): LabConsole {
  const { store, settings } = options;
  const now = options.now ?? (() => new Date());
  const storageTimeoutMs = options.storageTimeoutMs ?? 5000;
  const nonce = options.nonce ?? (() => randomBytes(18).toString('base64'));
  const { service, basePath } = settings;
  const managementBase =
    `${basePath}/subscriptions/${service.subscriptionId}/resourceGroups/${service.resourceGroup}` +
    `/providers/Microsoft.ApiManagement/service/${service.serviceName}`;

  function page(): ConsoleResponse {
    const value = nonce();
    return {
      status: 200,
      headers: { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': pagePolicy(value), ...COMMON_HEADERS },
      body: renderConsolePage({ nonce: value, managementBase, apiVersion: CONSOLE_API_VERSION, stateUrl: '/lab/state', resetUrl: '/lab/reset', policyUrl: `/lab/${EFFECTIVE_POLICY_PATH}` }),
    };
  }

  /** Undefined when the caller holds a management token and the catalog is current; otherwise the refusal. */
  async function admit(request: ConsoleRequest): Promise<ConsoleResponse | undefined> {
    const refusal = admitManagementCall(request.headers, settings, now(), options.throttle);
    if (refusal?.kind === 'throttled') {
      const { status, headers, body } = refusal.response;
      return json(status, JSON.parse(body ?? 'null'), headers);
    }
    if (refusal) return armError(refusal.error);
    try {
      await store.catchUp(storageTimeoutMs);
    } catch (error) {
      if (isArmError(error)) return armError(error);
      return armError(serviceUnavailable());
    }
    return undefined;
  }

  async function state(request: ConsoleRequest): Promise<ConsoleResponse> {
    return (await admit(request)) ?? json(200, labStateOf(store.index));
  }

  /** `effective-policy/{apiId}/{operationId}[/{productId}]`: APIM's "Calculate effective policy". */
  async function effectivePolicy(request: ConsoleRequest, ids: string[]): Promise<ConsoleResponse> {
    const refused = await admit(request);
    if (refused) return refused;
    const [apiId, operationId, productId] = ids;
    try {
      return json(200, effectivePolicyOf(store.index, apiId!, operationId!, productId ?? null));
    } catch (error) {
      if (isArmError(error)) return armError(error);
      throw error;
    }
  }

  return {
    async handle(request) {
      if (request.method.toUpperCase() !== 'GET') return notFound();
      // One trailing slash is ignored, as the host's routing does.
      const path = request.path.replace(/^\/+/, '').replace(/\/$/, '');
      if (path === '') return page();
      if (path.toLowerCase() === 'state') return state(request);
      const [first, ...ids] = path.split('/');
      if (first?.toLowerCase() === EFFECTIVE_POLICY_PATH && (ids.length === 2 || ids.length === 3)) {
        const decoded = ids.map(decodeId);
        if (decoded.every((id): id is string => id !== undefined)) return effectivePolicy(request, decoded);
      }
      return notFound();
    },
  };
}

/** The path below /lab of the effective-policy endpoint. */
export const EFFECTIVE_POLICY_PATH = 'effective-policy';

/** A path segment as an id: decoded (the host may pass it still encoded), within the catalog's id rule. */
function decodeId(segment: string): string | undefined {
  let value: string;
  try {
    value = decodeURIComponent(segment);
  } catch {
    return undefined;
  }
  return ID_PATTERN.test(value) ? value : undefined;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): ConsoleResponse {
  return {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Content-Security-Policy': JSON_POLICY, ...COMMON_HEADERS, ...headers },
    body: JSON.stringify(body),
  };
}

/** The management API's error shape, `{"error":{"code","message","details"}}`, and its headers (`WWW-Authenticate`). */
function armError(error: ArmError): ConsoleResponse {
  return json(error.status, error.toResponse(), { ...error.headers });
}

function notFound(): ConsoleResponse {
  return {
    status: 404,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Security-Policy': JSON_POLICY, ...COMMON_HEADERS },
    body: 'Not found. The lab console is at /lab.',
  };
}

