import { z } from 'zod';
import { conflict, invalidField, resourceNotFound } from '../apim/armErrors';
import { fullResourceId, type ArmService } from '../apim/armResources';
import { subscriptionResource, subscriptionSecrets } from '../apim/armContracts';
import type { CatalogIndex } from '../catalog/catalogIndex';
import { subscriptionKey, subscriptionSchema, subscriptionStates, type Subscription } from '../catalog/records';
import { generateKey } from '../catalog/subscriptionKeys';
import { check, definedOnly, readProperties } from './body';
import { checkIfMatch, etagOf, formatEtag, parseIfMatch, requireIfMatch } from './etag';
import { parseFilter, textMatches } from './filter';
import { pageOf } from './paging';
import { requireProduct } from './products';
import { booleanQuery, byId, enumQuery } from './query';
import { deleteResponse, emptyResponse, jsonResponse, resourceResponse } from './respond';
import { route, type Route, type RouteContext } from './router';
import { checkScopeExists, ownerOf, requireOwner, requireScope, scopeOf } from './scopes';

/**
 * Subscriptions and their keys: `/subscriptions[/{sid}]`, `listSecrets`,
 * `regeneratePrimaryKey`, `regenerateSecondaryKey`, and
 * `GET /products/{productId}/subscriptions` (docs/apim-behaviour.md#resource-properties).
 * GET and lists never carry keys; only `listSecrets` does.
 */

const s = subscriptionSchema.shape;
/** Resource ids are much longer than relative ones; the relative form is checked after. */
const resourceIdText = z.string().min(1).max(2048);

/** PUT `properties`, as APIM's SubscriptionCreateParameters: `scope` and `displayName` required. */
const subscriptionPutProperties = z.object({
  scope: resourceIdText,
  displayName: z.string().min(1).max(100),
  ownerId: resourceIdText.nullish(),
  primaryKey: subscriptionKey.optional(),
  secondaryKey: subscriptionKey.optional(),
  state: s.state.optional(),
  allowTracing: z.boolean().optional(),
});

/** PATCH `properties`, as APIM's SubscriptionUpdateParameters. */
const subscriptionPatchProperties = z.object({
  scope: resourceIdText.optional(),
  displayName: z.string().min(1).max(100).optional(),
  ownerId: resourceIdText.nullish(),
  primaryKey: subscriptionKey.optional(),
  secondaryKey: subscriptionKey.optional(),
  state: s.state.optional(),
  stateComment: s.stateComment,
  allowTracing: z.boolean().optional(),
  expirationDate: z.iso.datetime({ offset: true }).nullish(),
});

const APP_TYPES = ['portal', 'developerPortal'] as const;
/** The fields a subscription `$filter` may use (APIM's list); `state` takes `eq` only. */
export const SUBSCRIPTION_FILTER_FIELDS = ['name', 'displayName', 'stateComment', 'state', 'scope', 'ownerId', 'userId', 'productId'] as const;

const ref = (id: string) => ({ kind: 'subscription' as const, id });

function requireSubscription(index: CatalogIndex, id: string): Subscription {
  const subscription = index.getSubscription(id);
  if (!subscription) throw resourceNotFound('Subscription');
  return subscription;
}

/** A generated key no subscription uses (a collision is astronomically unlikely; checking costs nothing). */
function freshKey(index: CatalogIndex, ...avoid: string[]): string {
  for (;;) {
    const key = generateKey();
    if (!index.subscriptionUsingKey(key) && !avoid.includes(key)) return key;
  }
}

/**
 * The final record: checked by the catalog schema; its two keys different; each
 * key nobody else's (409). Messages name the field, never the key.
 */
function checkedSubscription(index: CatalogIndex, subscription: Subscription): Subscription {
  const checked = check(subscriptionSchema, subscription, 'properties');
  if (checked.primaryKey === checked.secondaryKey) throw invalidField('properties.secondaryKey', 'must differ from primaryKey');
  for (const field of ['primaryKey', 'secondaryKey'] as const) {
    const holder = index.subscriptionUsingKey(checked[field]);
    if (holder && holder.id !== checked.id) throw conflict(`The ${field} is already used by another subscription.`);
  }
  return checked;
}

/** APIM's dates follow the state: activation starts a subscription, cancellation or expiry ends it. */
function withStateDates(previous: Subscription | undefined, next: Subscription, now: string): Subscription {
  if (previous?.state === next.state) return next;
  if (next.state === 'active' && !next.startDate) return { ...next, startDate: now };
  if (next.state === 'cancelled' || next.state === 'expired') return { ...next, endDate: now };
  return next;
}

/**
 * `$filter` as a predicate (see `parseFilter`); comparisons ignore case. `eq`/`ne`
 * on `scope` and `ownerId` take full or relative ids, as the write operations do;
 * the other operators and the functions read them as the resource shows them
 * (full ARM ids). `productId` is the product of a product-scoped subscription
 * (none otherwise), `userId` the user of its owner.
 */
function subscriptionFilter(service: ArmService, url: URL): (subscription: Subscription) => boolean {
  const text = url.searchParams.get('$filter');
  if (text === null) return () => true;
  const clauses = parseFilter(text, SUBSCRIPTION_FILTER_FIELDS, ['state']);
  const tests = clauses.map(({ field, op, value }): ((sub: Subscription) => boolean) => {
    const matches = (actual: string | null | undefined) => textMatches(actual, op, value);
    switch (field) {
      case 'name':
        return (sub) => matches(sub.id);
      case 'displayName':
        return (sub) => matches(sub.displayName);
      case 'stateComment':
        return (sub) => matches(sub.stateComment);
      case 'productId':
        return (sub) => matches(productOfScope(sub.scope));
      case 'userId':
        return (sub) => matches(sub.ownerId ? sub.ownerId.slice('/users/'.length) : null);
      case 'state': {
        if (!subscriptionStates.some((state) => textMatches(state, 'eq', value))) {
          throw invalidField('$filter', `state must be one of ${subscriptionStates.join(', ')}`);
        }
        return (sub) => matches(sub.state);
      }
      case 'scope': {
        if (op !== 'eq' && op !== 'ne') return (sub) => matches(fullResourceId(service, sub.scope));
        const scope = scopeOf(service, value);
        if (!scope) throw invalidField('$filter', 'scope must be a product, an API, /apis or the service of this service');
        return (sub) => textMatches(sub.scope, op, scope);
      }
      case 'ownerId': {
        if (op !== 'eq' && op !== 'ne') return (sub) => matches(sub.ownerId ? fullResourceId(service, sub.ownerId) : null);
        const owner = ownerOf(service, value);
        if (!owner) throw invalidField('$filter', 'ownerId must be a user id such as /users/1');
        return (sub) => textMatches(sub.ownerId, op, owner);
      }
    }
  });
  return (sub) => tests.every((test) => test(sub));
}

/** The product id of a `/products/{id}` scope; null for any other scope. */
function productOfScope(scope: string): string | null {
  return scope.startsWith('/products/') ? scope.slice('/products/'.length) : null;
}

/** `productId`: listed under that product, so each item carries the product's nested id and type. */
function listMatching(ctx: RouteContext, subscriptions: readonly Subscription[], productId?: string) {
  const matches = byId(subscriptions.filter(subscriptionFilter(ctx.service, ctx.url)));
  return jsonResponse(200, pageOf(matches, ctx.url, (sub) => subscriptionResource(ctx.service, sub, productId)));
}

function list(ctx: RouteContext) {
  return listMatching(ctx, ctx.store.index.listSubscriptions());
}

function listOfProduct(ctx: RouteContext) {
  const productId = ctx.params.productId!;
  requireProduct(ctx.store.index, productId);
  const scope = `/products/${productId}`;
  return listMatching(ctx, ctx.store.index.listSubscriptions().filter((sub) => sub.scope === scope), productId);
}

function get(ctx: RouteContext) {
  const id = ctx.params.sid!;
  const subscription = requireSubscription(ctx.store.index, id);
  return resourceResponse(200, subscriptionResource(ctx.service, subscription), etagOf(ctx.store.index, ref(id)));
}

/**
 * Creates (state `submitted` unless given, as in APIM; keys generated unless
 * given) or replaces. Over an existing subscription, what the body leaves out
 * (owner, state, keys, allowTracing, dates) is kept: a PUT never silently rotates keys.
 * `notify` and `appType` are accepted and checked; the lab sends no mail.
 */
async function put(ctx: RouteContext) {
  const id = ctx.params.sid!;
  booleanQuery(ctx.url, 'notify');
  enumQuery(ctx.url, 'appType', APP_TYPES);
  const props = readProperties(ctx.body, subscriptionPutProperties);
  const scope = requireScope(ctx.service, props.scope, 'properties.scope');
  const ownerId = props.ownerId == null ? props.ownerId : requireOwner(ctx.service, props.ownerId, 'properties.ownerId');
  const ifMatch = parseIfMatch(ctx.headers);
  const { value, version } = await ctx.store.mutate((index) => {
    const existing = index.getSubscription(id);
    checkIfMatch(ifMatch, existing && etagOf(index, ref(id)));
    checkScopeExists(index, scope, 'properties.scope');
    const now = ctx.now().toISOString();
    const primaryKey = props.primaryKey ?? existing?.primaryKey ?? freshKey(index, props.secondaryKey ?? '');
    const secondaryKey = props.secondaryKey ?? existing?.secondaryKey ?? freshKey(index, primaryKey);
    const next: Subscription = {
      id,
      displayName: props.displayName,
      scope,
      ownerId: ownerId === undefined ? (existing?.ownerId ?? null) : ownerId,
      state: props.state ?? existing?.state ?? 'submitted',
      primaryKey,
      secondaryKey,
      createdDate: existing?.createdDate ?? now,
      startDate: existing?.startDate ?? null,
      expirationDate: existing?.expirationDate ?? null,
      endDate: existing?.endDate ?? null,
      notificationDate: existing?.notificationDate ?? null,
      stateComment: existing?.stateComment ?? null,
      allowTracing: props.allowTracing ?? existing?.allowTracing ?? false,
    };
    const subscription = checkedSubscription(index, withStateDates(existing, next, now));
    return { changes: [{ put: { kind: 'subscription', value: subscription } }], value: { subscription, created: !existing } };
  });
  return resourceResponse(value.created ? 201 : 200, subscriptionResource(ctx.service, value.subscription), formatEtag(version));
}

async function patch(ctx: RouteContext) {
  const id = ctx.params.sid!;
  booleanQuery(ctx.url, 'notify');
  enumQuery(ctx.url, 'appType', APP_TYPES);
  const { scope: scopeText, ownerId: ownerText, expirationDate, ...props } = readProperties(ctx.body, subscriptionPatchProperties);
  const scope = scopeText === undefined ? undefined : requireScope(ctx.service, scopeText, 'properties.scope');
  const ownerId = ownerText == null ? ownerText : requireOwner(ctx.service, ownerText, 'properties.ownerId');
  const ifMatch = requireIfMatch(ctx.headers);
  const { value, version } = await ctx.store.mutate((index) => {
    const existing = requireSubscription(index, id);
    checkIfMatch(ifMatch, etagOf(index, ref(id)));
    if (scope) checkScopeExists(index, scope, 'properties.scope');
    const next: Subscription = {
      ...existing,
      ...definedOnly(props),
      ...definedOnly({ scope, ownerId }),
      ...(expirationDate === undefined ? {} : { expirationDate: expirationDate && new Date(expirationDate).toISOString() }),
    };
    const subscription = checkedSubscription(index, withStateDates(existing, next, ctx.now().toISOString()));
    return { changes: [{ put: { kind: 'subscription', value: subscription } }], value: subscription };
  });
  return resourceResponse(200, subscriptionResource(ctx.service, value), formatEtag(version));
}

async function remove(ctx: RouteContext) {
  const id = ctx.params.sid!;
  const ifMatch = requireIfMatch(ctx.headers);
  const { value: deleted } = await ctx.store.mutate((index) => {
    if (!index.getSubscription(id)) return { changes: [], value: false };
    checkIfMatch(ifMatch, etagOf(index, ref(id)));
    return { changes: [{ delete: ref(id) }], value: true };
  });
  return deleteResponse(deleted);
}

/** The keys, with the subscription's ETag. */
function listSecrets(ctx: RouteContext) {
  const id = ctx.params.sid!;
  const subscription = requireSubscription(ctx.store.index, id);
  const etag = etagOf(ctx.store.index, ref(id));
  return jsonResponse(200, subscriptionSecrets(subscription), etag === undefined ? {} : { ETag: etag });
}

/** A new generated key in place of one; the old key stops working at once. 204, as APIM. */
function regenerate(which: 'primaryKey' | 'secondaryKey') {
  return async (ctx: RouteContext) => {
    const id = ctx.params.sid!;
    await ctx.store.mutate((index) => {
      const existing = requireSubscription(index, id);
      const key = freshKey(index, existing.primaryKey, existing.secondaryKey);
      return { changes: [{ put: { kind: 'subscription', value: { ...existing, [which]: key } } }], value: undefined };
    });
    return emptyResponse(204);
  };
}

/** Routes of subscriptions, their key actions, and a product's subscriptions. */
export const subscriptionRoutes: Route[] = [
  route('/subscriptions', { GET: list }),
  route('/subscriptions/{sid}', { GET: get, HEAD: get, PUT: put, PATCH: patch, DELETE: remove }),
  route('/subscriptions/{sid}/listSecrets', { POST: listSecrets }),
  route('/subscriptions/{sid}/regeneratePrimaryKey', { POST: regenerate('primaryKey') }),
  route('/subscriptions/{sid}/regenerateSecondaryKey', { POST: regenerate('secondaryKey') }),
  route('/products/{productId}/subscriptions', { GET: listOfProduct }),
];
