import { invalidField } from '../apim/armErrors';
import type { ArmCollection } from '../apim/armResources';

/**
 * `$top` / `$skip` paging of lists, and the absolute `nextLink` that fetches the
 * next page: the request's own URL with `$skip` moved on, so `api-version`,
 * `$top` and `$filter` carry over and the SDK can follow it as is.
 */

export interface Paging {
  top: number;
  skip: number;
}

/** Page size when the client sends no `$top`. */
export const DEFAULT_PAGE_SIZE = 100;

const INTEGER = /^\d{1,9}$/;

/** Reads `$top` (1 or more) and `$skip` (0 or more); 400 on anything else. */
export function parsePaging(url: URL): Paging {
  const top = url.searchParams.get('$top');
  const skip = url.searchParams.get('$skip');
  if (top !== null && (!INTEGER.test(top) || Number(top) < 1)) throw invalidField('$top', 'must be an integer of at least 1');
  if (skip !== null && !INTEGER.test(skip)) throw invalidField('$skip', 'must be an integer of at least 0');
  return { top: top === null ? DEFAULT_PAGE_SIZE : Number(top), skip: skip === null ? 0 : Number(skip) };
}

/** One page of `items` (already filtered and in a stable order), mapped to wire values. */
export function pageOf<T, R>(items: readonly T[], url: URL, map: (item: T) => R): ArmCollection<R> {
  const { top, skip } = parsePaging(url);
  const slice = items.slice(skip, skip + top);
  const next = skip + slice.length;
  return {
    value: slice.map(map),
    count: items.length,
    nextLink: next < items.length ? withSkip(url, next) : null,
  };
}

/**
 * The URL with `$skip` set. Built on the raw query so every other parameter keeps
 * its exact encoding; `$` is legal in a query (RFC 3986), so `$skip` stays readable.
 */
function withSkip(url: URL, skip: number): string {
  const parts = url.search
    .slice(1)
    .split('&')
    .filter((part) => part !== '' && decodeKey(part) !== '$skip');
  parts.push(`$skip=${skip}`);
  return `${url.origin}${url.pathname}?${parts.join('&')}`;
}

function decodeKey(part: string): string {
  const key = part.split('=', 1)[0]!;
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    return key;
  }
}
