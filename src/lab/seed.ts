import { builders } from '../catalog/recordBuilders';
import { DEFAULT_KEY_HEADER, type Api, type Operation, type Product, type Subscription } from '../catalog/records';
import type { CatalogRecord } from '../catalog/tableCodec';
import type { PolicyRecord } from '../gateway/policies';

/**
 * The lab of APIM troubleshooting scenario 3, in its broken state: the Echo API in
 * no product, and two operations whose definition hard-codes a subscription key
 * header with a key of no subscription. Ids are part of the lab's contract.
 */

export const ECHO_API_ID = 'echo-api';
export const ADMIN_USER = '/users/1';
/** The key hard-coded into two operations' header definitions: it belongs to no subscription. */
export const HARD_CODED_KEY = '68d312d9cf3b4b3ca07be5abacaf8fc9';
export const LAB_SUBSCRIPTIONS = { starter: 'starter-admin', unlimited: 'unlimited-admin', master: 'master' } as const;

/** `https://<host>` in Azure, `http://<host>` locally. */
export function selfBaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const host = env.WEBSITE_HOSTNAME || `localhost:${env.PORT || 7071}`;
  const local = /^(localhost|127\.|\[::1\])/.test(host) && !env.WEBSITE_INSTANCE_ID;
  return `${local ? 'http' : 'https'}://${host}`;
}

const hardCodedKeyHeader = {
  name: DEFAULT_KEY_HEADER,
  description: 'Subscription key.',
  type: 'string',
  defaultValue: HARD_CODED_KEY,
  required: false,
  values: [HARD_CODED_KEY],
};

function operation(id: string, displayName: string, method: string, urlTemplate: string, extra: Partial<Operation> = {}): Operation {
  return builders.operation({ apiId: ECHO_API_ID, id, displayName, method, urlTemplate, ...extra });
}

export function echoApi(env: NodeJS.ProcessEnv = process.env): Api {
  return builders.api({
    id: ECHO_API_ID,
    displayName: 'Echo API',
    path: 'echo',
    serviceUrl: `${selfBaseUrl(env)}/backend/echo`,
    protocols: ['http', 'https'],
  });
}

export function echoOperations(): Operation[] {
  return [
    operation('create-resource', 'Create resource', 'POST', '/resource', {
      description: 'A demonstration of a POST call based on the echo backend above. The request body is expected to contain JSON-formatted data (see example below). A policy is used to automatically transform any request sent in JSON directly to XML.',
      request: { queryParameters: [], headers: [hardCodedKeyHeader], representations: [] },
    }),
    operation('modify-resource', 'Modify Resource', 'PUT', '/resource', {
      description: 'A demonstration of a PUT call handled by the same "echo" backend as above. You can now specify a request body in addition to headers and it will be returned as well.',
    }),
    operation('remove-resource', 'Remove resource', 'DELETE', '/resource', {
      description: 'A demonstration of a DELETE call which traditionally deletes the resource. It is based on the same "echo" backend as in all other operations so nothing is actually deleted.',
    }),
    operation('retrieve-header-only', 'Retrieve header only', 'HEAD', '/resource', {
      description: 'The above call is represented by a HEAD request. This is in a way similar to the GET request, but it only returns headers and no body.',
    }),
    operation('retrieve-resource', 'Retrieve resource', 'GET', '/resource', {
      description: 'A demonstration of a GET call on a sample resource. It is handled by an "echo" backend which returns a response equal to the request (the supplied headers and body are being returned as received).',
      request: {
        queryParameters: [
          { name: 'param1', description: 'A sample parameter that is required and has a default value of "sample".', type: 'string', defaultValue: 'sample', required: true, values: ['sample'] },
          { name: 'param2', description: 'Another sample parameter, set to not required.', type: 'number', defaultValue: null, required: false, values: [] },
        ],
        headers: [hardCodedKeyHeader],
        representations: [],
      },
    }),
    operation('retrieve-resource-cached', 'Retrieve resource (cached)', 'GET', '/resource-cached', {
      description: 'A demonstration of a GET call with caching enabled on the same "echo" backend as above. Cache TTL is set to 1 hour. When you make the first request the headers you supplied will be cached. Subsequent calls will return the same headers as the first time even if you change them in your request.',
    }),
  ];
}

export function labProducts(): Product[] {
  return [
    builders.product({
      id: 'starter',
      displayName: 'Starter',
      description: 'Subscribers will be able to run 5 calls/minute up to a maximum of 100 calls/week.',
      subscriptionsLimit: 1,
    }),
    builders.product({
      id: 'unlimited',
      displayName: 'Unlimited',
      description: 'Subscribers have completely unlimited access to the API. Administrator approval is required.',
      approvalRequired: true,
      subscriptionsLimit: 1,
    }),
  ];
}

/**
 * APIM's default policy of the built-in Starter product: 5 calls a minute, 100 a
 * week, per subscription. Unlimited has none.
 */
export const STARTER_POLICY = `<policies>
  <inbound>
    <base />
    <rate-limit calls="5" renewal-period="60" />
    <quota calls="100" renewal-period="604800" />
  </inbound>
  <backend>
    <base />
  </backend>
  <outbound>
    <base />
  </outbound>
  <on-error>
    <base />
  </on-error>
</policies>`;

/** The lab's stored policy documents (seeded and restored with the other records). */
export function labPolicies(): PolicyRecord[] {
  return [{ scope: 'product', productId: 'starter', format: 'rawxml', value: STARTER_POLICY }];
}

export function labSubscriptions(now = new Date()): Subscription[] {
  const base = { ownerId: ADMIN_USER, createdDate: now.toISOString(), allowTracing: true };
  return [
    builders.subscription({ ...base, id: LAB_SUBSCRIPTIONS.starter, scope: '/products/starter' }),
    builders.subscription({ ...base, id: LAB_SUBSCRIPTIONS.unlimited, scope: '/products/unlimited' }),
    builders.subscription({ ...base, id: LAB_SUBSCRIPTIONS.master, displayName: 'Built-in all-access subscription', scope: '/' }),
  ];
}

/** Every record of the broken lab. The Echo API is deliberately linked to no product. */
export function labSeed(env: NodeJS.ProcessEnv = process.env): CatalogRecord[] {
  return [
    { kind: 'api', value: echoApi(env) },
    ...echoOperations().map((value): CatalogRecord => ({ kind: 'operation', value })),
    ...labProducts().map((value): CatalogRecord => ({ kind: 'product', value })),
    ...labSubscriptions().map((value): CatalogRecord => ({ kind: 'subscription', value })),
    ...labPolicies().map((value): CatalogRecord => ({ kind: 'policy', value })),
  ];
}
