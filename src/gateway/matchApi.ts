import type { Api } from '../catalog/records';
import type { CatalogView } from '../catalog/catalogIndex';
import { decodeSegment } from './requestUrl';

export interface ApiMatch {
  readonly api: Api;
  /** The raw path after the API path: `''`, `/` or `/resource...`. */
  readonly rest: string;
}

/**
 * Stage 1: the API whose path is the longest prefix of `path` on segment boundaries
 * (`echo` takes `/echo` and `/echo/x`, never `/echoes`); the empty-path API takes
 * whatever is left. Asks the catalog for at most `maxApiPathSegments + 1` exact
 * paths, longest first, so the cost does not grow with the number of APIs.
 *
 * Segments are percent-decoded for the lookup (`/my%20api` reaches path `my api`);
 * the catalog compares case-insensitively.
 */
export function matchApi(catalog: CatalogView, path: string): ApiMatch | undefined {
  const raw = path.slice(1).split('/');
  const decoded = raw.map(decodeSegment);
  // A leading empty segment (`/`, `//x`) can only belong to the empty-path API.
  const deepest = raw[0] === '' ? 0 : Math.min(catalog.maxApiPathSegments, raw.length);
  for (let n = deepest; n >= 1; n--) {
    const api = catalog.apiByPath(decoded.slice(0, n).join('/'));
    if (api) return { api, rest: rawRest(raw, n) };
  }
  const api = catalog.apiByPath('');
  return api ? { api, rest: path } : undefined;
}

function rawRest(segments: readonly string[], taken: number): string {
  return taken === segments.length ? '' : '/' + segments.slice(taken).join('/');
}
