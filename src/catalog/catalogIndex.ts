import { createHash } from 'node:crypto';
import { SubscriptionTable, type KeyMatch } from './subscriptionTable';
import { registerSecretName } from '../logging/sanitizer';
import { refOf, refOfRowKey, rowKeyOf, type CatalogChange, type RecordRef } from './tableCodec';
import {
  normalizeApiPath,
  policyScopeKey,
  type Api,
  type Operation,
  type PolicyRecord,
  type PolicyScopeRef,
  type Product,
  type ProductApiLink,
  type Subscription,
} from './records';

/** What the gateway reads on the hot path. Every lookup is a hash-map hit; nothing touches storage. */
export interface CatalogView {
  /** The catalog version this view reflects (-1 = never loaded). */
  readonly version: number;
  /** The API whose normalised path equals `path`, compared case-insensitively. */
  apiByPath(path: string): Api | undefined;
  /** The longest path length (in segments) of any API, to bound prefix search. */
  readonly maxApiPathSegments: number;
  operationsOf(apiId: string): readonly Operation[];
  productsOfApi(apiId: string): readonly Product[];
  /** The subscription owning `key` as primary or secondary key; compared in constant time. */
  subscriptionByKey(key: string): KeyMatch | undefined;
  /** The stored policy document of one scope, or undefined (the scope's default applies). */
  policyDocument(ref: PolicyScopeRef): PolicyRecord | undefined;
}

export type { KeyMatch };

/**
 * Fixed-size digest used to index keys: map lookups then never branch on key
 * bytes. Stores pass a keyed digest (HMAC, `KeyProtector.digest`, which sealed
 * subscriptions carry); this plain one serves tests.
 */
export function keyDigest(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('binary').slice(0, 16);
}

const linkKey = (productId: string, apiId: string) => `${productId}\u0000${apiId}`;

const pathDepth = (path: string) => (path === '' ? 0 : path.split('/').length);

/**
 * Catalog version at which each record was last written (its ETag), by storage
 * row key. Subscriptions keep theirs in the subscription table (no row-key
 * string for each of 100,000 of them).
 */
export class RecordRevisions {
  private readonly byRowKey = new Map<string, number>();

  constructor(private readonly subscriptions: SubscriptionTable) {}

  /** The revision of the record stored under `rowKey`. */
  get(rowKey: string): number | undefined {
    if (!rowKey.startsWith('subscription|')) return this.byRowKey.get(rowKey);
    const ref = refOfRowKey(rowKey);
    return ref?.kind === 'subscription' ? this.subscriptions.revision(ref.id) : undefined;
  }

  /** Records `revision` for the record `ref` (at `rowKey`), once the index holds it. */
  set(ref: RecordRef, rowKey: string, revision: number): void {
    if (ref.kind === 'subscription') this.subscriptions.setRevision(ref.id, revision);
    else this.byRowKey.set(rowKey, revision);
  }

  delete(ref: RecordRef, rowKey: string): void {
    if (ref.kind !== 'subscription') this.byRowKey.delete(rowKey);
  }

  clear(): void {
    this.byRowKey.clear();
  }
}

/**
 * The in-memory catalog. Records are immutable values; a change replaces the record.
 * Built and kept current by the catalog store; read by the gateway and management.
 */
export class CatalogIndex implements CatalogView {
  constructor(digest: (key: string) => string = keyDigest) {
    this.subscriptions = new SubscriptionTable(digest);
    this.revisions = new RecordRevisions(this.subscriptions);
  }

  version = -1;
  maxApiPathSegments = 0;
  /** Subscriptions, with their key digests (see `SubscriptionTable`). */
  private readonly subscriptions: SubscriptionTable;
  /** Catalog version at which each record (by storage row key) was last written: its ETag. */
  readonly revisions: RecordRevisions;

  private readonly apis = new Map<string, Api>();
  private readonly apisByPath = new Map<string, Api>();
  private readonly operations = new Map<string, Map<string, Operation>>();
  private readonly operationLists = new Map<string, Operation[]>();
  private readonly products = new Map<string, Product>();
  private readonly links = new Map<string, ProductApiLink>();
  private readonly productsByApiCache = new Map<string, Product[]>();
  private readonly policies = new Map<string, PolicyRecord>();

  // ---- hot-path reads -------------------------------------------------------

  apiByPath(path: string): Api | undefined {
    return this.apisByPath.get(path.toLowerCase());
  }

  operationsOf(apiId: string): readonly Operation[] {
    let list = this.operationLists.get(apiId);
    if (!list) {
      list = [...(this.operations.get(apiId)?.values() ?? [])];
      this.operationLists.set(apiId, list);
    }
    return list;
  }

  productsOfApi(apiId: string): readonly Product[] {
    let cached = this.productsByApiCache.get(apiId);
    if (!cached) {
      cached = [];
      for (const link of this.links.values()) {
        if (link.apiId === apiId) {
          const product = this.products.get(link.productId);
          if (product) cached.push(product);
        }
      }
      this.productsByApiCache.set(apiId, cached);
    }
    return cached;
  }

  subscriptionByKey(key: string): KeyMatch | undefined {
    return this.subscriptions.byKey(key);
  }

  policyDocument(ref: PolicyScopeRef): PolicyRecord | undefined {
    return this.policies.get(policyScopeKey(ref));
  }

  // ---- reads for management and the lab -------------------------------------

  getApi(id: string): Api | undefined {
    return this.apis.get(id);
  }
  listApis(): Api[] {
    return [...this.apis.values()];
  }
  getOperation(apiId: string, operationId: string): Operation | undefined {
    return this.operations.get(apiId)?.get(operationId);
  }
  getProduct(id: string): Product | undefined {
    return this.products.get(id);
  }
  listProducts(): Product[] {
    return [...this.products.values()];
  }
  hasLink(productId: string, apiId: string): boolean {
    return this.links.has(linkKey(productId, apiId));
  }
  listLinks(): ProductApiLink[] {
    return [...this.links.values()];
  }
  apisOfProduct(productId: string): Api[] {
    const result: Api[] = [];
    for (const link of this.links.values()) {
      if (link.productId === productId) {
        const api = this.apis.get(link.apiId);
        if (api) result.push(api);
      }
    }
    return result;
  }
  /** The record as the index holds it: for a sealed subscription, properties and keys read from the table on access (see `SubscriptionTable`). */
  getSubscription(id: string): Subscription | undefined {
    return this.subscriptions.get(id);
  }
  listSubscriptions(): Subscription[] {
    return this.subscriptions.list();
  }
  /** The subscription (if any) that already uses `key`, for uniqueness checks. */
  subscriptionUsingKey(key: string): Subscription | undefined {
    return this.subscriptionByKey(key)?.subscription;
  }
  /** Every stored policy document, in no particular order. */
  listPolicies(): PolicyRecord[] {
    return [...this.policies.values()];
  }
  get isEmpty(): boolean {
    return this.apis.size === 0 && this.products.size === 0 && this.subscriptions.size === 0 && this.policies.size === 0;
  }

  // ---- changes (applied by the catalog store) -------------------------------

  /** Applies a stored change; `version` is the catalog version it was written at (the record's revision). */
  applyChange(change: CatalogChange, version: number): void {
    if ('put' in change) {
      const { put } = change;
      switch (put.kind) {
        case 'api':
          this.putApi(put.value);
          // A custom key name must be masked in logs like the default one.
          registerSecretName(put.value.subscriptionKeyParameterNames.header);
          registerSecretName(put.value.subscriptionKeyParameterNames.query);
          break;
        case 'operation':
          this.putOperation(put.value);
          break;
        case 'product':
          this.putProduct(put.value);
          break;
        case 'link':
          this.putLink(put.value);
          break;
        case 'subscription':
          this.putSubscription(put.value);
          break;
        case 'policy':
          this.policies.set(policyScopeKey(put.value), put.value);
          break;
      }
      const ref = refOf(put);
      this.revisions.set(ref, rowKeyOf(ref), version);
      return;
    }
    const ref = change.delete;
    switch (ref.kind) {
      case 'api':
        this.deleteApi(ref.id);
        break;
      case 'operation':
        this.deleteOperation(ref.apiId, ref.id);
        break;
      case 'product':
        this.deleteProduct(ref.id);
        break;
      case 'link':
        this.deleteLink(ref.productId, ref.apiId);
        break;
      case 'subscription':
        this.deleteSubscription(ref.id);
        break;
      case 'policy':
        this.policies.delete(policyScopeKey(ref));
        break;
    }
    this.revisions.delete(ref, rowKeyOf(ref));
  }

  putApi(api: Api): void {
    const previous = this.apis.get(api.id);
    if (previous) this.apisByPath.delete(normalizeApiPath(previous.path).toLowerCase());
    this.apis.set(api.id, api);
    const path = normalizeApiPath(api.path).toLowerCase();
    this.apisByPath.set(path, api);
    if (previous) this.recomputePathDepth();
    else this.maxApiPathSegments = Math.max(this.maxApiPathSegments, pathDepth(path));
  }

  deleteApi(id: string): void {
    const previous = this.apis.get(id);
    if (!previous) return;
    this.apis.delete(id);
    const path = normalizeApiPath(previous.path).toLowerCase();
    if (this.apisByPath.get(path)?.id === id) this.apisByPath.delete(path);
    this.operations.delete(id);
    this.operationLists.delete(id);
    for (const [k, link] of this.links) if (link.apiId === id) this.links.delete(k);
    for (const [k, policy] of this.policies) if ((policy.scope === 'api' || policy.scope === 'operation') && policy.apiId === id) this.policies.delete(k);
    this.productsByApiCache.clear();
    this.recomputePathDepth();
  }

  putOperation(op: Operation): void {
    let ops = this.operations.get(op.apiId);
    if (!ops) this.operations.set(op.apiId, (ops = new Map<string, Operation>()));
    ops.set(op.id, op);
    this.operationLists.delete(op.apiId);
  }

  deleteOperation(apiId: string, operationId: string): void {
    if (this.operations.get(apiId)?.delete(operationId)) this.operationLists.delete(apiId);
    this.policies.delete(policyScopeKey({ scope: 'operation', apiId, operationId }));
  }

  putProduct(product: Product): void {
    this.products.set(product.id, product);
    this.productsByApiCache.clear();
  }

  deleteProduct(id: string): void {
    this.products.delete(id);
    for (const [k, link] of this.links) if (link.productId === id) this.links.delete(k);
    this.policies.delete(policyScopeKey({ scope: 'product', productId: id }));
    this.productsByApiCache.clear();
  }

  putLink(link: ProductApiLink): void {
    this.links.set(linkKey(link.productId, link.apiId), link);
    this.productsByApiCache.delete(link.apiId);
  }

  deleteLink(productId: string, apiId: string): void {
    this.links.delete(linkKey(productId, apiId));
    this.productsByApiCache.delete(apiId);
  }

  /**
   * Indexes a subscription by the digests of its keys: a sealed one brings them
   * (its keys stay sealed), a plain one's are computed here.
   */
  putSubscription(subscription: Subscription): void {
    this.subscriptions.put(subscription);
  }

  deleteSubscription(id: string): void {
    this.subscriptions.delete(id);
  }

  /** Drops everything (before a full reload). */
  clear(): void {
    this.apis.clear();
    this.apisByPath.clear();
    this.operations.clear();
    this.operationLists.clear();
    this.products.clear();
    this.links.clear();
    this.productsByApiCache.clear();
    this.policies.clear();
    this.subscriptions.clear();
    this.revisions.clear();
    this.maxApiPathSegments = 0;
    this.version = -1;
  }

  private recomputePathDepth(): void {
    let max = 0;
    for (const path of this.apisByPath.keys()) {
      max = Math.max(max, pathDepth(path));
    }
    this.maxApiPathSegments = max;
  }
}
