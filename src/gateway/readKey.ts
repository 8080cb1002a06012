import type { Api } from '../catalog/records';

/** Where the subscription key came from; the key itself never leaves this value. */
export type KeyReading =
  | { readonly source: 'header' | 'query'; readonly key: string }
  | { readonly source: 'none' };

const NONE: KeyReading = { source: 'none' };

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
export function readKey(api: Api, headers: Headers, query: URLSearchParams | null): KeyReading {
  const names = api.subscriptionKeyParameterNames;
  const header = headers.get(names.header)?.trim();
  if (header) return { source: 'header', key: header };
  const fromQuery = query?.get(names.query);
  if (fromQuery) return { source: 'query', key: fromQuery };
  return NONE;
}
