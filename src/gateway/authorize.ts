import { parseScope, type Api, type Product, type Subscription } from '../catalog/records';
import type { CatalogView } from '../catalog/catalogIndex';
import type { KeyReading } from './readKey';
import { reject, type PlainRejection } from './types';

/** Why the call may proceed, and in which product's context (for product policies). */
export type Access =
  | { readonly via: 'subscription'; readonly subscription: Subscription; readonly product: Product | null }
  | { readonly via: 'openProduct'; readonly product: Product }
  | { readonly via: 'openApi' };

/** A refused key; names the subscription (never the key) when the key was known. */
export type Denial = PlainRejection & { readonly subscription?: Subscription };

// The two denials that name no subscription, made once (immutable, like every rejection).
const KEY_MISSING: Denial = Object.freeze(reject('keyMissing'));
const KEY_UNKNOWN: Denial = Object.freeze(reject('keyUnknown'));

/**
 * Stage 4 (docs/apim-behaviour.md#requests-without-a-key, #requests-with-a-key). No key: an open product containing the API, else an
 * API that needs no subscription, else 401 missing. A key: it must belong to an
 * `active` subscription whose scope covers the API, whatever the API or its
 * products require (decision: an invalid key to an open API is 401 invalid).
 * Only `state` counts: `expirationDate` is not enforced and a `notPublished`
 * product's keys keep working.
 */
export function authorize(catalog: CatalogView, api: Api, key: KeyReading): Access | Denial {
  if (key.source === 'none') {
    const open = catalog.productsOfApi(api.id).find((product) => !product.subscriptionRequired);
    if (open) return { via: 'openProduct', product: open };
    if (!api.subscriptionRequired) return { via: 'openApi' };
    return KEY_MISSING;
  }
  const match = catalog.subscriptionByKey(key.key);
  if (!match) return KEY_UNKNOWN;
  const { subscription } = match;
  if (subscription.state !== 'active') return { rejected: 'subscriptionInactive', subscription };
  const product = productInScope(catalog, api, subscription);
  if (product === undefined) return { rejected: 'keyOutOfScope', subscription };
  return { via: 'subscription', subscription, product };
}

/**
 * `null` when the scope covers the API with no product (API, all-APIs or service
 * scope), the product for a product scope containing the API, `undefined` otherwise.
 */
function productInScope(catalog: CatalogView, api: Api, subscription: Subscription): Product | null | undefined {
  const scope = parseScope(subscription.scope);
  switch (scope.kind) {
    case 'service':
    case 'allApis':
      return null;
    case 'api':
      return scope.apiId === api.id ? null : undefined;
    case 'product':
      return catalog.productsOfApi(api.id).find((p) => p.id === scope.productId);
  }
}
