import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LOCAL_SERVICE } from '../helpers/management';

/**
 * Microsoft's published REST API examples (test/fixtures/rest-examples/) and how
 * a response of this service is compared with one: status code, `id`, `type`,
 * `name`, and every property the example shows, by name and JSON type,
 * recursively.
 */

export const EXAMPLES_DIR = resolve(__dirname, '..', 'fixtures', 'rest-examples');

export interface ExampleResponse {
  body?: unknown;
  headers?: Record<string, string>;
}

/** One example file: the request (`parameters`: path ids, body, `If-Match`, query) and the answers by status. */
export interface RestExample {
  parameters: Record<string, unknown> & { parameters?: unknown; 'If-Match'?: string };
  responses: Record<string, ExampleResponse>;
}

export function loadExample(file: string): RestExample {
  return JSON.parse(readFileSync(resolve(EXAMPLES_DIR, file), 'utf8')) as RestExample;
}

const SERVICE_PREFIX = /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/Microsoft\.ApiManagement\/service\/[^/]+/i;

/** A resource id of the example's service (`subid`/`rg1`/`apimService1`) as the same id of the local service. */
export function localId(id: string): string {
  return id.replace(SERVICE_PREFIX, LOCAL_SERVICE);
}

/** Every string that is a resource id of the example's service, rewritten to the local one (deeply). */
export function localize<T>(value: T): T {
  if (typeof value === 'string') return (SERVICE_PREFIX.test(value) ? localId(value) : value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => localize(item)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, localize(item)])) as T;
  }
  return value;
}

/** `null`, `array`, `object` or the `typeof` of a JSON value. */
export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * Properties of the contracts that belong to features this service does not
 * implement (docs/management.md, "What is not implemented"): not compared.
 */
export const NOT_IMPLEMENTED_PROPERTIES: Readonly<Record<string, string>> = {
  authenticationSettings: 'OAuth 2.0 / OpenID Connect authorization servers',
  apiVersionSetId: 'API versions',
  apiVersion: 'API versions',
  notificationDate: 'expiry notifications to subscribers (the date stays null)',
};

/**
 * The differences between `actual` and the example's `expected`: every property
 * the example shows must be there with the same JSON type (recursively; array
 * items pairwise). Properties the example leaves out are not differences: an
 * example shows a subset of its contract.
 */
export function shapeDifferences(expected: unknown, actual: unknown, path = '$'): string[] {
  const expectedType = jsonType(expected);
  const actualType = jsonType(actual);
  if (expectedType === 'null') return [];
  if (expectedType !== actualType) return [`${path}: ${actualType}, the example has ${expectedType}`];
  if (expectedType === 'array') {
    const [expectedItems, actualItems] = [expected as unknown[], actual as unknown[]];
    const differences: string[] = [];
    for (let i = 0; i < Math.min(expectedItems.length, actualItems.length); i++) {
      differences.push(...shapeDifferences(expectedItems[i], actualItems[i], `${path}[${i}]`));
    }
    return differences;
  }
  if (expectedType === 'object') {
    const [expectedObject, actualObject] = [expected as Record<string, unknown>, actual as Record<string, unknown>];
    const differences: string[] = [];
    for (const [key, value] of Object.entries(expectedObject)) {
      if (key in NOT_IMPLEMENTED_PROPERTIES) continue;
      if (!(key in actualObject)) differences.push(`${path}.${key}: missing`);
      else differences.push(...shapeDifferences(value, actualObject[key], `${path}.${key}`));
    }
    return differences;
  }
  return [];
}

interface Envelope {
  id?: unknown;
  type?: unknown;
  name?: unknown;
}

/** An envelope's `id` (rewritten to the local service), `type` and `name`, as the example shows them. */
export function identity(envelope: Envelope): { id: unknown; type: unknown; name: unknown } {
  return { id: typeof envelope.id === 'string' ? localId(envelope.id) : envelope.id, type: envelope.type, name: envelope.name };
}
