import type { Api, ApiType, Operation, Parameter, PolicyFormat, PolicyScopeRef, Product, Subscription } from '../catalog/records';
import { RESOURCE_TYPES, armResource, fullResourceId, type ArmResource, type ArmService } from './armResources';

/**
 * Catalog records as APIM's contracts (what GET, PUT and list answer): the
 * properties APIM returns, with APIM's read-only values filled in. Keys are
 * never part of a contract; only `subscriptionSecrets` carries them.
 */

/** Product properties as APIM returns them. */
export interface ProductContract {
  displayName: string;
  description: string | null;
  terms: string | null;
  subscriptionRequired: boolean;
  approvalRequired: boolean;
  subscriptionsLimit: number | null;
  state: Product['state'];
}

/** API properties as APIM returns them. */
export interface ApiContract {
  displayName: string;
  description: string | null;
  path: string;
  serviceUrl: string | null;
  protocols: Api['protocols'];
  subscriptionRequired: boolean;
  subscriptionKeyParameterNames: Api['subscriptionKeyParameterNames'];
  /** Read-only: the lab has one revision of each API, always current and online. */
  apiRevision: '1';
  isCurrent: true;
  isOnline: true;
  type: ApiType;
}

/** Operation properties as APIM returns them. */
export interface OperationContract {
  displayName: string;
  method: string;
  urlTemplate: string;
  description: string | null;
  templateParameters: Parameter[];
  request: Operation['request'];
  responses: unknown[];
  policies: null;
}

/** Subscription properties as APIM returns them: never the keys. */
export interface SubscriptionContract {
  ownerId: string | null;
  scope: string;
  displayName: string | null;
  state: Subscription['state'];
  createdDate: string;
  startDate: string | null;
  expirationDate: string | null;
  endDate: string | null;
  notificationDate: string | null;
  stateComment: string | null;
  allowTracing: boolean;
}

/** Policy properties as APIM returns them: the document in the format asked for. */
export interface PolicyContract {
  format: PolicyFormat;
  value: string;
}

/** What `listSecrets` answers. */
export interface SubscriptionKeysContract {
  primaryKey: string;
  secondaryKey: string;
}

/**
 * A product's envelope. Listed under an API (`apiId`), APIM keeps the product's
 * own id but answers with the type `.../apis/products`.
 */
export function productResource(service: ArmService, product: Product, apiId?: string): ArmResource<ProductContract> {
  const type = apiId === undefined ? RESOURCE_TYPES.product : RESOURCE_TYPES.apiProduct;
  return armResource(type, fullResourceId(service, `/products/${product.id}`), product.id, {
    displayName: product.displayName,
    description: product.description ?? null,
    terms: product.terms ?? null,
    subscriptionRequired: product.subscriptionRequired,
    approvalRequired: product.approvalRequired,
    subscriptionsLimit: product.subscriptionsLimit,
    state: product.state,
  });
}

/**
 * An API. Under a product (the product-API link resources) APIM answers with the
 * API, its id nested under the product and the type `.../products/apis`.
 */
export function apiResource(service: ArmService, api: Api, productId?: string): ArmResource<ApiContract> {
  const relative = productId === undefined ? `/apis/${api.id}` : `/products/${productId}/apis/${api.id}`;
  const type = productId === undefined ? RESOURCE_TYPES.api : RESOURCE_TYPES.productApi;
  return armResource(type, fullResourceId(service, relative), api.id, {
    displayName: api.displayName,
    description: api.description ?? null,
    path: api.path,
    serviceUrl: api.serviceUrl ?? null,
    protocols: api.protocols,
    subscriptionRequired: api.subscriptionRequired,
    subscriptionKeyParameterNames: api.subscriptionKeyParameterNames,
    apiRevision: '1',
    isCurrent: true,
    isOnline: true,
    type: api.type ?? 'http',
  });
}

/** An operation's envelope, id nested under its API. */
export function operationResource(service: ArmService, operation: Operation): ArmResource<OperationContract> {
  const relative = `/apis/${operation.apiId}/operations/${operation.id}`;
  return armResource(RESOURCE_TYPES.operation, fullResourceId(service, relative), operation.id, {
    displayName: operation.displayName,
    method: operation.method,
    urlTemplate: operation.urlTemplate,
    description: operation.description ?? null,
    templateParameters: operation.templateParameters,
    request: operation.request,
    responses: operation.responses,
    policies: null,
  });
}

/**
 * A subscription without its keys; scope and owner as full resource ids. Listed
 * under a product (`productId`), its id is nested under the product and its type
 * is `.../products/subscriptions`.
 */
export function subscriptionResource(service: ArmService, subscription: Subscription, productId?: string): ArmResource<SubscriptionContract> {
  const relative = productId === undefined ? `/subscriptions/${subscription.id}` : `/products/${productId}/subscriptions/${subscription.id}`;
  const type = productId === undefined ? RESOURCE_TYPES.subscription : RESOURCE_TYPES.productSubscription;
  return armResource(type, fullResourceId(service, relative), subscription.id, {
    ownerId: subscription.ownerId ? fullResourceId(service, subscription.ownerId) : null,
    scope: fullResourceId(service, subscription.scope),
    displayName: subscription.displayName ?? null,
    state: subscription.state,
    createdDate: subscription.createdDate,
    startDate: subscription.startDate ?? null,
    expirationDate: subscription.expirationDate ?? null,
    endDate: subscription.endDate ?? null,
    notificationDate: subscription.notificationDate ?? null,
    stateComment: subscription.stateComment ?? null,
    allowTracing: subscription.allowTracing,
  });
}

/** A policy document's envelope: `policy` under its scope, the type following the scope. */
export function policyResource(service: ArmService, scope: PolicyScopeRef, contract: PolicyContract): ArmResource<PolicyContract> {
  const [parent, type] = policyParent(scope);
  return armResource(type, fullResourceId(service, `${parent}/policies/policy`), 'policy', contract);
}

function policyParent(scope: PolicyScopeRef): [string, string] {
  switch (scope.scope) {
    case 'global':
      return ['', RESOURCE_TYPES.globalPolicy];
    case 'product':
      return [`/products/${scope.productId}`, RESOURCE_TYPES.productPolicy];
    case 'api':
      return [`/apis/${scope.apiId}`, RESOURCE_TYPES.apiPolicy];
    case 'operation':
      return [`/apis/${scope.apiId}/operations/${scope.operationId}`, RESOURCE_TYPES.operationPolicy];
  }
}

/** The keys, for `listSecrets` only. */
export function subscriptionSecrets(subscription: Subscription): SubscriptionKeysContract {
  return { primaryKey: subscription.primaryKey, secondaryKey: subscription.secondaryKey };
}
