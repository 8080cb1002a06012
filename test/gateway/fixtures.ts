import { CatalogIndex } from '../../src/catalog/catalogIndex';
import {
  apiSchema,
  operationSchema,
  productSchema,
  subscriptionSchema,
  type Api,
  type Operation,
  type Product,
  type Subscription,
} from '../../src/catalog/records';
import type { BackendCall } from '../../src/gateway/backendCall';
import type { Forwarder } from '../../src/gateway/forward';
import { isHeaderList, type GatewayRequest, type GatewayResponse } from '../../src/gateway/types';
import { builders } from '../helpers/builders';

/*
 * Short positional forms of the project's record builders, for the gateway tests.
 * The defaults are the builders'; each record also goes through its zod schema, so
 * a fixture is a valid catalog record (a method upper-cased, a bad key refused).
 */

export function api(id: string, path: string, extra: Partial<Api> = {}): Api {
  return apiSchema.parse(builders.api({ id, path, ...extra }));
}

export function operation(apiId: string, id: string, method: string, urlTemplate: string): Operation {
  return operationSchema.parse(builders.operation({ apiId, id, method, urlTemplate }));
}

export function product(id: string, extra: Partial<Product> = {}): Product {
  return productSchema.parse(builders.product({ id, ...extra }));
}

/** Keys known to the test: `primaryKey` and `<primaryKey>-secondary`; created on a fixed date. */
export function subscription(id: string, scope: string, primaryKey: string, extra: Partial<Subscription> = {}): Subscription {
  return subscriptionSchema.parse(
    builders.subscription({ id, scope: scope as Subscription['scope'], primaryKey, secondaryKey: `${primaryKey}-secondary`, createdDate: '2024-01-01T00:00:00Z', ...extra }),
  );
}

/** A catalog with the given records; links as `[productId, apiId]`. */
export function catalogOf(records: {
  apis?: Api[];
  operations?: Operation[];
  products?: Product[];
  links?: [string, string][];
  subscriptions?: Subscription[];
}): CatalogIndex {
  const catalog = new CatalogIndex();
  for (const a of records.apis ?? []) catalog.putApi(a);
  for (const o of records.operations ?? []) catalog.putOperation(o);
  for (const p of records.products ?? []) catalog.putProduct(p);
  for (const [productId, apiId] of records.links ?? []) catalog.putLink({ productId, apiId });
  for (const s of records.subscriptions ?? []) catalog.putSubscription(s);
  return catalog;
}

export function request(
  method: string,
  url: string,
  headers: Record<string, string> | [string, string][] = {},
  body: Uint8Array | null = null,
): GatewayRequest {
  return { method, url, headers: new Headers(headers), body };
}

/** An in-memory backend that records each call and answers 200 `backend`. */
export function recordingForwarder(): Forwarder & { calls: BackendCall[] } {
  const calls: BackendCall[] = [];
  return {
    calls,
    async forward(call) {
      calls.push(call);
      return { status: 200, headers: [['content-type', 'text/plain']], body: new TextEncoder().encode('backend') };
    },
    async close() {},
  };
}

export function headerList(response: GatewayResponse): ReadonlyArray<readonly [string, string]> {
  const headers = response.headers;
  return isHeaderList(headers) ? headers : [...headers];
}

/** All values of a header, compared case-insensitively. */
export function headerValues(response: GatewayResponse, name: string): string[] {
  return headerList(response)
    .filter(([n]) => n.toLowerCase() === name.toLowerCase())
    .map(([, v]) => v);
}

export async function bodyOf(response: GatewayResponse): Promise<Buffer> {
  const body = response.body;
  if (body === null) return Buffer.alloc(0);
  if (body instanceof Uint8Array) return Buffer.from(body);
  const chunks: Uint8Array[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array>) chunks.push(chunk);
  return Buffer.concat(chunks);
}
