/** What a cached response is filed under, as `cache-lookup` builds it. */
export interface CacheKeyParts {
  readonly apiId: string;
  readonly operationId: string;
  /** The request URL the key covers (the element decides which query parameters are in it). */
  readonly url: string;
  /** `vary-by-header` names and the request's values (undefined: header absent). Names compare without case. */
  readonly headers?: ReadonlyArray<readonly [string, string | undefined]>;
  /** `vary-by-query-parameter` names and values (undefined: parameter absent). */
  readonly query?: ReadonlyArray<readonly [string, string | undefined]>;
  /** `vary-by-developer`: the caller's user id. */
  readonly developer?: string;
  /** `vary-by-developer-groups`: the caller's groups. */
  readonly developerGroups?: readonly string[];
}

/**
 * One string per distinct request: every part is written as `length:text`
 * (absent: `-`) and every list starts with its length, so no two different sets
 * of parts can produce the same key by concatenation. The leading version names
 * the layout, should it ever change.
 */
export function cacheKey(parts: CacheKeyParts): string {
  const out: (string | undefined)[] = ['k1', parts.apiId, parts.operationId, parts.url];
  const headers = [...(parts.headers ?? [])].map(([name, value]) => [name.toLowerCase(), value] as const).sort(byName);
  const query = [...(parts.query ?? [])].sort(byName);
  out.push(String(headers.length));
  for (const [name, value] of headers) out.push(name, value);
  out.push(String(query.length));
  for (const [name, value] of query) out.push(name, value);
  out.push(parts.developer);
  const groups = parts.developerGroups === undefined ? undefined : [...parts.developerGroups].sort();
  out.push(groups === undefined ? undefined : String(groups.length), ...(groups ?? []));
  return encodeParts(out);
}

/** `length:text` for each part, `-` for an absent one: a prefix code, so the parts can be read back unambiguously. */
export function encodeParts(parts: ReadonlyArray<string | undefined>): string {
  let key = '';
  for (const part of parts) key += part === undefined ? '-' : `${part.length}:${part}`;
  return key;
}

const byName = (a: readonly [string, unknown], b: readonly [string, unknown]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
