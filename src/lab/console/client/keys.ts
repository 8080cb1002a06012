import { DEFAULT_KEY_HEADER } from '../../../apim/headers';
import { odata, seg } from './paths';
import type { ApiResource, HeaderRow, KeyChoice, OperationResource, ProductResource, SubscriptionResource, SubscriptionSecrets } from './types';

/**
 * Which subscription key the console sends, as the 2018 portal's test console
 * chose it, and how a key looks on screen.
 */

/** What the key rules read through the management API. */
export interface ManagementReader {
  listAll<T>(path: string): Promise<T[]>;
  manage<T>(method: string, path: string): Promise<T>;
}

/** Header names compare case-insensitively. */
export function sameName(a: string | null | undefined, b: string | null | undefined): boolean {
  return String(a || '').toLowerCase() === String(b || '').toLowerCase();
}

/** The header the API reads its key from. */
export function keyHeaderOf(api: ApiResource | null): string {
  return api?.properties.subscriptionKeyParameterNames?.header || DEFAULT_KEY_HEADER;
}

/** First 4 characters, then dots: what a key looks like on screen until "Show keys". */
export function mask(value: string): string {
  if (!value) return '';
  const dots = Math.min(Math.max(value.length - 4, 4), 28);
  return value.slice(0, 4) + '\u2022'.repeat(dots);
}

/** A non-empty value under the API's key header. */
export function isSecret(row: HeaderRow, api: ApiResource | null): boolean {
  return api !== null && sameName(row.name, keyHeaderOf(api)) && row.value !== '';
}

/** A row's value as shown: keys masked unless revealed. */
export function shown(row: HeaderRow, api: ApiResource | null, reveal: boolean): string {
  return isSecret(row, api) && !reveal ? mask(row.value) : row.value;
}

/**
 * The administrator's key as the 2018 console found it: the products that contain
 * the API, the administrator's active subscriptions to them, the first one's
 * primary key. Otherwise no key, and why.
 */
export async function resolveAdminKey(client: ManagementReader, api: ApiResource, adminUser: string): Promise<KeyChoice> {
  const products = await client.listAll<ProductResource>(`/apis/${seg(api.name)}/products`);
  if (!products.length) {
    return { value: '', kind: 'nokey', source: 'no product contains this API: no key', products };
  }
  for (const product of products) {
    const filter = `ownerId eq ${odata(adminUser)} and state eq ${odata('active')} and productId eq ${odata(product.name)}`;
    const subscriptions = await client.listAll<SubscriptionResource>(`/subscriptions?$filter=${encodeURIComponent(filter)}`);
    const subscription = subscriptions[0];
    if (subscription) {
      const secrets = await client.manage<SubscriptionSecrets>('POST', `/subscriptions/${seg(subscription.name)}/listSecrets`);
      return {
        value: secrets.primaryKey,
        kind: 'adminkey',
        source: `administrator's key for product ${product.properties.displayName}`,
        detail: `subscription ${subscription.name}, primary key`,
        products,
      };
    }
  }
  const names = products.map((p) => p.properties.displayName).join(', ');
  return { value: '', kind: 'nokey', source: `the administrator has no active subscription to ${names}: no key`, products };
}

/** The headers the portal pre-filled: the operation's definitions, then (if none is the key header) the administrator's key. */
export function initialRows(op: OperationResource, api: ApiResource, key: KeyChoice): HeaderRow[] {
  const keyHeader = keyHeaderOf(api);
  const rows = (op.properties.request?.headers ?? []).map((h): HeaderRow => {
    const value = h.defaultValue != null ? String(h.defaultValue) : '';
    const isKey = sameName(h.name, keyHeader);
    if (isKey && value) return { name: h.name, value, kind: 'hardcoded', source: "from the operation's definition: hard-coded" };
    if (isKey) return { name: h.name, value: '', kind: 'nokey', source: "from the operation's definition, without a value: the administrator's key is not used" };
    return { name: h.name, value, kind: 'definition', source: `from the operation's definition${value ? ' (default value)' : ''}` };
  });
  const defined = rows.some((r) => sameName(r.name, keyHeader));
  if (!defined) rows.push({ name: keyHeader, value: key.value, kind: key.kind, source: key.source, detail: key.detail });
  return rows;
}
