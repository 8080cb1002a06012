import { DEFAULT_KEY_HEADER, DEFAULT_KEY_QUERY, type Api, type Operation, type Product, type ProductApiLink, type Subscription } from './records';
import { generateKey } from './subscriptionKeys';

/**
 * One builder per catalog record, with every property a stored record has and
 * valid by default; overrides replace any of them (`builders.api({ path: 'x' })`).
 * The lab seed, the bench and the tests build their records here, so a record's
 * defaults are written once. Properties derived from another one (an API's
 * `displayName` and `path` from its `id`) follow the override of that one.
 */

export function api(overrides: Partial<Api> = {}): Api {
  const id = overrides.id ?? 'api';
  return {
    id,
    displayName: id,
    description: null,
    path: id,
    serviceUrl: 'http://backend.test',
    protocols: ['https'],
    subscriptionRequired: true,
    subscriptionKeyParameterNames: { header: DEFAULT_KEY_HEADER, query: DEFAULT_KEY_QUERY },
    type: 'http',
    ...overrides,
  };
}

export function operation(overrides: Partial<Operation> = {}): Operation {
  const id = overrides.id ?? 'operation';
  return {
    apiId: 'api',
    id,
    displayName: id,
    description: null,
    method: 'GET',
    urlTemplate: `/${id}`,
    templateParameters: [],
    request: { queryParameters: [], headers: [], representations: [] },
    responses: [],
    ...overrides,
  };
}

export function product(overrides: Partial<Product> = {}): Product {
  const id = overrides.id ?? 'product';
  return {
    id,
    displayName: id,
    description: null,
    terms: null,
    subscriptionRequired: true,
    approvalRequired: false,
    subscriptionsLimit: null,
    state: 'published',
    ...overrides,
  };
}

export function link(overrides: Partial<ProductApiLink> = {}): ProductApiLink {
  return { productId: 'product', apiId: 'api', ...overrides };
}

/** Active, with two fresh keys, created now unless `createdDate` says otherwise (and started then). */
export function subscription(overrides: Partial<Subscription> = {}): Subscription {
  const createdDate = overrides.createdDate ?? new Date().toISOString();
  return {
    id: 'subscription',
    displayName: null,
    scope: '/apis',
    ownerId: '/users/1',
    state: 'active',
    primaryKey: generateKey(),
    secondaryKey: generateKey(),
    createdDate,
    startDate: createdDate,
    expirationDate: null,
    endDate: null,
    notificationDate: null,
    stateComment: null,
    allowTracing: false,
    ...overrides,
  };
}

export const builders = { api, operation, product, link, subscription } as const;
