/**
 * ARM resource ids, types and envelopes of the one APIM service the lab plays
 * (docs/apim-behaviour.md#resource-paths-and-envelope).
 */

/** Which service this is: the three values of every management path. */
export interface ArmService {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly serviceName: string;
}

/** The resource provider namespace in every path and type. */
export const ARM_PROVIDER = 'Microsoft.ApiManagement';

/**
 * `type` of each envelope. A resource listed under another answers with the
 * nested type: the APIs of a product, the products of an API, the subscriptions
 * of a product.
 */
export const RESOURCE_TYPES = {
  product: 'Microsoft.ApiManagement/service/products',
  api: 'Microsoft.ApiManagement/service/apis',
  operation: 'Microsoft.ApiManagement/service/apis/operations',
  subscription: 'Microsoft.ApiManagement/service/subscriptions',
  productApi: 'Microsoft.ApiManagement/service/products/apis',
  apiProduct: 'Microsoft.ApiManagement/service/apis/products',
  productSubscription: 'Microsoft.ApiManagement/service/products/subscriptions',
  globalPolicy: 'Microsoft.ApiManagement/service/policies',
  productPolicy: 'Microsoft.ApiManagement/service/products/policies',
  apiPolicy: 'Microsoft.ApiManagement/service/apis/policies',
  operationPolicy: 'Microsoft.ApiManagement/service/apis/operations/policies',
} as const;

/** `{ id, type, name, properties }`. */
export interface ArmResource<P> {
  id: string;
  type: string;
  name: string;
  properties: P;
}

/** A page of a list: `count` is the total matching, `nextLink` the absolute URL of the next page. */
export interface ArmCollection<T> {
  value: T[];
  count: number;
  nextLink: string | null;
}

/** `/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ApiManagement/service/{svc}`. */
export function serviceResourceId(service: ArmService): string {
  return `/subscriptions/${service.subscriptionId}/resourceGroups/${service.resourceGroup}/providers/${ARM_PROVIDER}/service/${service.serviceName}`;
}

/**
 * The full id of a path relative to the service (`/products/starter`). The
 * service itself, relative `/`, keeps its trailing slash: that is how APIM writes
 * the scope of an all-access subscription.
 */
export function fullResourceId(service: ArmService, relative: string): string {
  return serviceResourceId(service) + relative;
}

/**
 * The path relative to the service of `id`, given full or already relative.
 * Undefined when a full id names another service. Resource ids compare
 * case-insensitively in ARM; what follows the service is returned as written.
 * The bare service id (no trailing slash) is the service, `/`.
 */
export function relativeResourceId(service: ArmService, id: string): string | undefined {
  if (!/^\/subscriptions\//i.test(id)) return id;
  const prefix = serviceResourceId(service);
  if (id.length < prefix.length || id.slice(0, prefix.length).toLowerCase() !== prefix.toLowerCase()) return undefined;
  const rest = id.slice(prefix.length);
  if (rest === '') return '/';
  return rest.startsWith('/') ? rest : undefined;
}

/** Builds an envelope. */
export function armResource<P>(type: string, id: string, name: string, properties: P): ArmResource<P> {
  return { id, type, name, properties };
}
