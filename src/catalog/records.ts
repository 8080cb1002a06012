import { z } from 'zod';

/**
 * The catalog's records: what the gateway needs to know about APIs, operations,
 * products, product-API links and subscriptions. These are domain records, not
 * ARM resources; `src/apim/` maps them to and from APIM's wire shapes.
 */

/**
 * Resource ids: 1-256 characters, none of APIM's forbidden `* # & + : < > ?`, no
 * `/ \ %` (Table Storage keys and our key encoding), no whitespace or control
 * characters.
 */
export const ID_PATTERN = /^[^*#&+:<>?/\\%\s\u0000-\u001f\u007f]{1,256}$/;
export const resourceId = z.string().regex(ID_PATTERN, {
  message: 'must be 1-256 characters without * # & + : < > ? / \\ % or whitespace',
});

export const subscriptionStates = ['active', 'suspended', 'submitted', 'rejected', 'cancelled', 'expired'] as const;
export type SubscriptionState = (typeof subscriptionStates)[number];

export const productStates = ['published', 'notPublished'] as const;
export type ProductState = (typeof productStates)[number];

/** API types the gateway serves: plain HTTP, and SOAP pass-through (operations matched by SOAP action). */
export const apiTypes = ['http', 'soap'] as const;
export type ApiType = (typeof apiTypes)[number];

export const httpMethods = ['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'PATCH', 'OPTIONS', 'TRACE'] as const;

export { DEFAULT_KEY_HEADER, DEFAULT_KEY_QUERY } from '../apim/headers';

/** An HTTP header name (RFC 9110 token). */
const headerName = z.string().min(1).max(256).regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, {
  message: 'must be a valid HTTP header name',
});

export const parameterSchema = z.object({
  name: z.string().min(1).max(256),
  description: z.string().max(4000).nullish(),
  type: z.string().max(256).nullish(),
  defaultValue: z.string().max(4096).nullish(),
  required: z.boolean().nullish(),
  values: z.array(z.string().max(4096)).max(256).nullish(),
});
export type Parameter = z.infer<typeof parameterSchema>;

export const apiSchema = z.object({
  id: resourceId,
  displayName: z.string().min(1).max(300),
  description: z.string().max(4000).nullish(),
  /** URL suffix, without leading or trailing slash; '' takes every path no longer API matches. */
  path: z.string().max(400),
  serviceUrl: z.string().max(2000).nullish(),
  protocols: z.array(z.enum(['http', 'https'])).min(1).max(2),
  subscriptionRequired: z.boolean(),
  subscriptionKeyParameterNames: z.object({
    header: headerName,
    query: z.string().min(1).max(256),
  }),
  /** Absent (rows stored before APIs had a type): `http`. */
  type: z.enum(apiTypes).optional(),
});
export type Api = z.infer<typeof apiSchema>;

export const operationSchema = z.object({
  apiId: resourceId,
  id: resourceId,
  displayName: z.string().min(1).max(300),
  description: z.string().max(4000).nullish(),
  method: z.string().min(1).max(16).regex(/^[A-Za-z]+$/).transform((m) => m.toUpperCase()),
  urlTemplate: z.string().min(1).max(1000).startsWith('/'),
  templateParameters: z.array(parameterSchema).max(256).default([]),
  request: z
    .object({
      description: z.string().max(4000).nullish(),
      queryParameters: z.array(parameterSchema).max(256).default([]),
      headers: z.array(parameterSchema).max(256).default([]),
      representations: z.array(z.unknown()).max(256).default([]),
    })
    .default({ queryParameters: [], headers: [], representations: [] }),
  responses: z.array(z.unknown()).max(256).default([]),
});
export type Operation = z.infer<typeof operationSchema>;

export const productSchema = z.object({
  id: resourceId,
  displayName: z.string().min(1).max(300),
  description: z.string().max(1000).nullish(),
  terms: z.string().max(10000).nullish(),
  subscriptionRequired: z.boolean(),
  approvalRequired: z.boolean(),
  subscriptionsLimit: z.number().int().min(0).nullable(),
  state: z.enum(productStates),
});
export type Product = z.infer<typeof productSchema>;

export const productApiLinkSchema = z.object({
  productId: resourceId,
  apiId: resourceId,
});
export type ProductApiLink = z.infer<typeof productApiLinkSchema>;

/** The two text forms a policy document is stored in: `xml`, or `rawxml` (expressions not XML-escaped). */
export const policyFormats = ['xml', 'rawxml'] as const;
export type PolicyFormat = (typeof policyFormats)[number];

/** Where a policy document applies: the service, a product, an API or an operation. */
export type PolicyScopeRef =
  | { scope: 'global' }
  | { scope: 'product'; productId: string }
  | { scope: 'api'; apiId: string }
  | { scope: 'operation'; apiId: string; operationId: string };

/** A policy document of one scope, its text kept exactly as written. */
export type PolicyRecord = PolicyScopeRef & { format: PolicyFormat; value: string };

/** A scope as one map key; `\u0000` never occurs in an id. */
export function policyScopeKey(ref: PolicyScopeRef): string {
  switch (ref.scope) {
    case 'global':
      return 'global';
    case 'product':
      return `product\u0000${ref.productId}`;
    case 'api':
      return `api\u0000${ref.apiId}`;
    case 'operation':
      return `operation\u0000${ref.apiId}\u0000${ref.operationId}`;
  }
}

/**
 * Longest document text, in UTF-16 units: a document of 256 KiB of UTF-8 (the
 * policy engine's limit) never has more units than bytes.
 */
export const MAX_POLICY_TEXT = 262_144;

const policyText = { format: z.enum(policyFormats), value: z.string().max(MAX_POLICY_TEXT) };

/** The record's shape only; the document itself is validated by whoever writes it (management). */
export const policySchema: z.ZodType<PolicyRecord> = z.discriminatedUnion('scope', [
  z.object({ scope: z.literal('global'), ...policyText }),
  z.object({ scope: z.literal('product'), productId: resourceId, ...policyText }),
  z.object({ scope: z.literal('api'), apiId: resourceId, ...policyText }),
  z.object({ scope: z.literal('operation'), apiId: resourceId, operationId: resourceId, ...policyText }),
]);

/** A subscription key: 1-256 printable ASCII characters (generated keys are 32 hex). */
export const subscriptionKey = z.string().min(1).max(256).regex(/^[\x21-\x7e]+$/, {
  message: 'must be 1-256 printable ASCII characters without spaces',
});

/**
 * Scope of a subscription, relative to the service:
 * `/apis/{apiId}`, `/products/{productId}`, `/apis` (all APIs) or `/` (the service: all access).
 */
export const scopeSchema = z.union([
  z.literal('/'),
  z.literal('/apis'),
  z.templateLiteral(['/apis/', z.string().regex(ID_PATTERN)]),
  z.templateLiteral(['/products/', z.string().regex(ID_PATTERN)]),
]);
export type Scope = z.infer<typeof scopeSchema>;

export const subscriptionSchema = z.object({
  id: resourceId,
  displayName: z.string().max(100).nullish(),
  scope: scopeSchema,
  /** Relative owner id such as `/users/1`, or null. */
  ownerId: z.string().max(512).nullish(),
  state: z.enum(subscriptionStates),
  primaryKey: subscriptionKey,
  secondaryKey: subscriptionKey,
  createdDate: z.string(),
  startDate: z.string().nullish(),
  expirationDate: z.string().nullish(),
  endDate: z.string().nullish(),
  notificationDate: z.string().nullish(),
  stateComment: z.string().max(1000).nullish(),
  allowTracing: z.boolean(),
});
export type Subscription = z.infer<typeof subscriptionSchema>;

export type ScopeTarget =
  | { kind: 'service' }
  | { kind: 'allApis' }
  | { kind: 'api'; apiId: string }
  | { kind: 'product'; productId: string };

export function parseScope(scope: Scope): ScopeTarget {
  if (scope === '/') return { kind: 'service' };
  if (scope === '/apis') return { kind: 'allApis' };
  if (scope.startsWith('/apis/')) return { kind: 'api', apiId: scope.slice('/apis/'.length) };
  return { kind: 'product', productId: scope.slice('/products/'.length) };
}

/** Normalises an API path: no leading or trailing slashes. Matching is case-insensitive. */
export function normalizeApiPath(path: string): string {
  return path.replace(/^\/+/, '').replace(/\/+$/, '');
}
