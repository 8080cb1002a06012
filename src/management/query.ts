import { invalidField } from '../apim/armErrors';

/** Optional query parameters beyond paging, checked rather than ignored when malformed. */

/** `true` / `false` (any case), undefined when absent; 400 otherwise. */
export function booleanQuery(url: URL, name: string): boolean | undefined {
  const value = url.searchParams.get(name);
  if (value === null) return undefined;
  if (/^true$/i.test(value)) return true;
  if (/^false$/i.test(value)) return false;
  throw invalidField(name, 'must be true or false');
}

/** One of `allowed`, undefined when absent; 400 otherwise. */
export function enumQuery<T extends string>(url: URL, name: string, allowed: readonly T[]): T | undefined {
  const value = url.searchParams.get(name);
  if (value === null) return undefined;
  const found = allowed.find((a) => a.toLowerCase() === value.toLowerCase());
  if (found === undefined) throw invalidField(name, `must be one of ${allowed.join(', ')}`);
  return found;
}

/** Stable list order (by id, code-unit order), so `$skip` pages never overlap. */
export function byId<T extends { id: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
