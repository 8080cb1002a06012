import { builders } from '../../catalog/recordBuilders';
import type { PolicyRecord, Product, Subscription } from '../../catalog/records';
import { ADMIN_USER, policyDocument } from './common';

/**
 * The lab instance's products, the administrator's subscriptions to them and the
 * documents at the global and product scopes, as the troubleshooting series' lab
 * instance has them (docs/scenarios/README.md).
 */

export const PRODUCT_IDS = { starter: 'starter', standard: 'standard', unlimited: 'unlimited' } as const;
export type LabProductId = (typeof PRODUCT_IDS)[keyof typeof PRODUCT_IDS];

/** The administrator's subscriptions: one to each product, and the built-in all-access one. */
export const LAB_SUBSCRIPTIONS = {
  starter: 'starter-admin',
  standard: 'standard-admin',
  unlimited: 'unlimited-admin',
  master: 'master',
} as const;

const PRODUCTS: Record<LabProductId, Product> = {
  starter: builders.product({
    id: 'starter',
    displayName: 'Starter',
    description: 'Subscribers will be able to run 5 calls/minute up to a maximum of 100 calls/week.',
    subscriptionsLimit: 1,
  }),
  standard: builders.product({
    id: 'standard',
    displayName: 'Standard',
    description: 'It allows calls at standard rate',
  }),
  unlimited: builders.product({
    id: 'unlimited',
    displayName: 'Unlimited',
    description: 'Subscribers have completely unlimited access to the API. Administrator approval is required.',
    approvalRequired: true,
    subscriptionsLimit: 1,
  }),
};

export function labProduct(id: LabProductId): Product {
  return PRODUCTS[id];
}

export function labProducts(): Product[] {
  return Object.values(PRODUCTS);
}

/** The administrator's active subscription to a product (fresh keys), or the all-access one. */
export function adminSubscription(to: LabProductId | 'master', now = new Date()): Subscription {
  const base = { ownerId: ADMIN_USER, createdDate: now.toISOString(), allowTracing: true };
  if (to === 'master') {
    return builders.subscription({ ...base, id: LAB_SUBSCRIPTIONS.master, displayName: 'Built-in all-access subscription', scope: '/' });
  }
  return builders.subscription({ ...base, id: LAB_SUBSCRIPTIONS[to], scope: `/products/${to}` });
}

export function labSubscriptions(now = new Date()): Subscription[] {
  return (['starter', 'standard', 'unlimited', 'master'] as const).map((to) => adminSubscription(to, now));
}

/**
 * The global document: every call is forwarded; GetComments is limited to one
 * successful call per 10 seconds per caller IP address (scenario 5).
 */
export const GLOBAL_POLICY = policyDocument({
  inbound: [
    [
      '<choose>',
      '  <when condition="@(context.Operation.Name.Equals("GetComments"))">',
      '    <rate-limit-by-key calls="1" renewal-period="10" increment-condition="@(context.Response.StatusCode == 200)" counter-key="@(context.Request.IpAddress)" />',
      '  </when>',
      '</choose>',
    ].join('\n'),
  ],
  backend: ['<forward-request />'],
  outbound: [],
  onError: [],
});

/** Starter: 100 calls and 700 KB an hour per subscription, before the global inbound. */
export const STARTER_POLICY = policyDocument({ inbound: ['<quota calls="100" bandwidth="700" renewal-period="3600" />', '<base />'] });

/** Standard: GetPosts is forbidden to every IPv4 address (scenario 5). */
export const STANDARD_POLICY = policyDocument({
  inbound: [
    '<base />',
    [
      '<choose>',
      '  <when condition="@(context.Operation.Name.Equals("GetPosts"))">',
      '    <ip-filter action="forbid">',
      '      <address-range from="0.0.0.0" to="255.255.255.255" />',
      '    </ip-filter>',
      '  </when>',
      '</choose>',
    ].join('\n'),
  ],
});

export function globalPolicy(): PolicyRecord {
  return { scope: 'global', format: 'rawxml', value: GLOBAL_POLICY };
}

export function productPolicy(id: 'starter' | 'standard'): PolicyRecord {
  return { scope: 'product', productId: id, format: 'rawxml', value: id === 'starter' ? STARTER_POLICY : STANDARD_POLICY };
}
