import { invalidField, methodNotAllowed } from '../apim/armErrors';
import type { ArmService } from '../apim/armResources';
import type { CatalogStore } from '../catalog/catalogStore';
import { ID_PATTERN } from '../catalog/records';
import type { ManagementResponse } from './types';
import type { DebugCredentials } from '../catalog/debugCredentials';
import type { SharedQuotaCounter } from '../policy/limits';

/**
 * A small router over the paths below the service
 * (`/products/{productId}/apis/{apiId}`). Literal segments match
 * case-insensitively, as ARM paths do; `{param}` segments are percent-decoded and
 * must be valid resource ids, else 400 naming the parameter.
 */

export type Verb = 'GET' | 'HEAD' | 'PUT' | 'PATCH' | 'DELETE' | 'POST';

/** The quota counters as administrators reach them ("Quota By Counter Keys"): the gateway's own, in the app. */
export type QuotaAdministration = Pick<SharedQuotaCounter, 'read' | 'update'>;

/** The catalog as handlers use it: the index to read, `mutate` to write. */
export type RouteStore = Pick<CatalogStore, 'index' | 'mutate'>;

/** What a handler gets: the request, checked path parameters, and the catalog. */
export interface RouteContext {
  readonly method: Verb;
  readonly url: URL;
  readonly headers: Headers;
  readonly body: Uint8Array | null;
  readonly params: Readonly<Record<string, string>>;
  readonly store: RouteStore;
  readonly service: ArmService;
  readonly now: () => Date;
  /** Debug tokens and traces (request tracing). */
  readonly debug: DebugCredentials;
  /** Quota counters (`quotas/{quotaCounterKey}`). */
  readonly quotas: QuotaAdministration;
}

/** Answers one verb on one route; throws an `ArmError` to refuse. */
export type Handler = (ctx: RouteContext) => Promise<ManagementResponse> | ManagementResponse;

/** A path pattern and its handler per verb. */
export interface Route {
  /** Path below the service, e.g. `/apis/{apiId}/operations/{operationId}`. */
  readonly path: string;
  readonly handlers: Readonly<Partial<Record<Verb, Handler>>>;
  /** Parameters that are free text (quota counter keys), not resource ids: any percent-decoded text. */
  readonly textParams?: readonly string[];
}

/** The handler found for a request, with its decoded, checked parameters. */
export interface RouteMatch {
  readonly handler: Handler;
  readonly params: Record<string, string>;
}

const ID_MESSAGE = 'must be 1-256 characters without * # & + : < > ? / \\ % or whitespace';

/** Declares a route. */
export function route(path: string, handlers: Route['handlers'], options: { textParams?: readonly string[] } = {}): Route {
  return { path, handlers, ...options };
}

/**
 * Finds the handler for `method` on `segments` (raw, still percent-encoded).
 * Undefined when no route has this shape; throws 405 when one has but not this
 * verb, and 400 when a parameter is no valid id.
 */
export function matchRoute(routes: readonly Route[], method: string, segments: readonly string[]): RouteMatch | undefined {
  for (const candidate of routes) {
    const pattern = candidate.path.split('/').slice(1);
    if (pattern.length !== segments.length) continue;
    const names: [string, string][] = [];
    const fits = pattern.every((part, i) => {
      const segment = segments[i]!;
      const param = /^\{(\w+)\}$/.exec(part)?.[1];
      if (param === undefined) return part.toLowerCase() === segment.toLowerCase();
      names.push([param, segment]);
      return true;
    });
    if (!fits) continue;
    const handler = Object.hasOwn(candidate.handlers, method) ? candidate.handlers[method as Verb] : undefined;
    if (!handler) throw methodNotAllowed(method, Object.keys(candidate.handlers));
    const decode = (name: string, raw: string) => (candidate.textParams?.includes(name) ? decodeText(name, raw) : decodeId(name, raw));
    return { handler, params: Object.fromEntries(names.map(([name, raw]) => [name, decode(name, raw)])) };
  }
  return undefined;
}

/** Longest free-text parameter, decoded: counter keys are expression results, kept within reason. */
const MAX_TEXT_PARAM = 4096;

/** A free-text path parameter: percent-decoded, not empty, at most MAX_TEXT_PARAM characters. */
function decodeText(name: string, raw: string): string {
  let value: string;
  try {
    value = decodeURIComponent(raw);
  } catch {
    throw invalidField(name, 'is not valid percent-encoding');
  }
  if (value === '' || value.length > MAX_TEXT_PARAM) throw invalidField(name, `must be 1-${MAX_TEXT_PARAM} characters`);
  return value;
}

/** A path parameter, decoded and checked against the catalog's id rule. */
function decodeId(name: string, raw: string): string {
  let value: string;
  try {
    value = decodeURIComponent(raw);
  } catch {
    throw invalidField(name, 'is not valid percent-encoding');
  }
  // `.` and `..` pass the id rule but URL parsers resolve them away: no resource could be addressed by them.
  if (!ID_PATTERN.test(value) || value === '.' || value === '..') throw invalidField(name, ID_MESSAGE);
  return value;
}
