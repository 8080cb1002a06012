import { invalidField } from '../apim/armErrors';
import { relativeResourceId, type ArmService } from '../apim/armResources';
import type { CatalogIndex } from '../catalog/catalogIndex';
import { ID_PATTERN, parseScope, type Scope } from '../catalog/records';

/**
 * Subscription scopes and owners as clients write them (full resource ids of this
 * service, or relative: `/products/starter`, `/apis`, `/apis/echo-api`, `/`, the
 * service id itself, `/users/1`) to the relative form the catalog stores.
 */

/** The catalog scope `text` names; undefined when it names none. */
export function scopeOf(service: ArmService, text: string): Scope | undefined {
  const relative = relativeResourceId(service, text.trim());
  if (relative === undefined || !relative.startsWith('/')) return undefined;
  const [kind, id, ...rest] = relative.split('/').filter((s) => s !== '');
  if (rest.length > 0) return undefined;
  if (kind === undefined) return '/';
  if (id === undefined) return kind.toLowerCase() === 'apis' ? '/apis' : undefined;
  if (!ID_PATTERN.test(id)) return undefined;
  if (kind.toLowerCase() === 'apis') return `/apis/${id}`;
  if (kind.toLowerCase() === 'products') return `/products/${id}`;
  return undefined;
}

/** The relative owner id (`/users/1`) `text` names; undefined when it names no user. */
export function ownerOf(service: ArmService, text: string): string | undefined {
  const relative = relativeResourceId(service, text.trim());
  if (relative === undefined) return undefined;
  const [kind, id, ...rest] = relative.split('/').filter((s) => s !== '');
  if (kind?.toLowerCase() !== 'users' || id === undefined || rest.length > 0 || !ID_PATTERN.test(id)) return undefined;
  return `/users/${id}`;
}

/** `scopeOf`, or a 400 naming `target`. */
export function requireScope(service: ArmService, text: string, target: string): Scope {
  const scope = scopeOf(service, text);
  if (!scope) throw invalidField(target, 'must be a product, an API, /apis (all APIs) or the service (all access) of this service');
  return scope;
}

/** `ownerOf`, or a 400 naming `target`. */
export function requireOwner(service: ArmService, text: string, target: string): string {
  const owner = ownerOf(service, text);
  if (!owner) throw invalidField(target, 'must be a user id of this service, like /users/1');
  return owner;
}

/** What a scope points at is missing: a 400 on the scope field. Service and all-APIs scopes always exist. */
export function checkScopeExists(index: CatalogIndex, scope: Scope, target: string): void {
  const pointee = parseScope(scope);
  if (pointee.kind === 'product' && !index.getProduct(pointee.productId)) throw invalidField(target, `Product '${pointee.productId}' not found.`);
  if (pointee.kind === 'api' && !index.getApi(pointee.apiId)) throw invalidField(target, `Api '${pointee.apiId}' not found.`);
}
