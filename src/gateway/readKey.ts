import type { Api } from '../catalog/records';
import type { HeaderBag } from './types';

/** Where the subscription key came from; the key itself never leaves this value. */
export type KeyReading =
  | { readonly source: 'header' | 'query'; readonly key: string }
  | { readonly source: 'none' };

const NONE: KeyReading = { source: 'none' };

/**
 * False only when the raw query certainly has no parameter `name`: without `%` or
 * `+` no name decodes to anything but itself, so the name must appear verbatim.
 * Saves parsing the query for most keyless calls (0.3 µs, 3% of a 401's whole cost).
 */
function mayHoldParameter(rawQuery: string | null, name: string): boolean {
  if (!rawQuery) return false;
  return rawQuery.includes(name) || rawQuery.includes('%') || rawQuery.includes('+');
}

/**
 * Stage 3: the key from the API's header name (case-insensitive, as every HTTP
 * header), else — only when that header is absent — from the API's query
 * parameter (exact name, first occurrence, `+` read as a space as in any query).
 * A key under any other name is no key.
 *
 * Decision: an empty or blank value counts as absent, as APIM answers "missing"
 * for `Ocp-Apim-Subscription-Key:` with nothing after it; so an empty header
 * still lets a query key through.
 */
export function readKey(
  api: Api,
  headers: HeaderBag,
  query: URLSearchParams | null | (() => URLSearchParams | null),
  /** The raw query, when known: lets a query that cannot hold the parameter skip parsing. */
  rawQuery?: string | null,
): KeyReading {
  const names = api.subscriptionKeyParameterNames;
  const header = headers.get(names.header)?.trim();
  if (header) return { source: 'header', key: header };
  if (rawQuery !== undefined && !mayHoldParameter(rawQuery, names.query)) return NONE;
  const fromQuery = (typeof query === 'function' ? query() : query)?.get(names.query);
  if (fromQuery) return { source: 'query', key: fromQuery };
  return NONE;
}
