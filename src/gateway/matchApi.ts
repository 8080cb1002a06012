import type { Api } from '../catalog/records';
import type { CatalogView } from '../catalog/catalogIndex';
import { decodeSegment } from '../apim/pathSegment';

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
  if (!path.includes('%')) return matchPlain(catalog, path);
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

/**
 * The same search for a path without percent-escapes (nearly every request): the
 * raw segments are the decoded ones, so prefixes are slices of the path itself.
 */
function matchPlain(catalog: CatalogView, path: string): ApiMatch | undefined {
  // ends[n - 1]: where the first n segments end (a `/` or the end of the path).
  const ends: number[] = [];
  let count = 0;
  if (path.length > 1 && path.charCodeAt(1) !== 0x2f) {
    const max = catalog.maxApiPathSegments;
    let at = 1;
    while (count < max) {
      const slash = path.indexOf('/', at);
      if (slash < 0) {
        ends[count++] = path.length;
        break;
      }
      ends[count++] = slash;
      at = slash + 1;
    }
  }
  for (let n = count; n >= 1; n--) {
    const end = ends[n - 1]!;
    const api = catalog.apiByPath(path.slice(1, end));
    if (api) return { api, rest: end === path.length ? '' : path.slice(end) };
  }
  const api = catalog.apiByPath('');
  return api ? { api, rest: path } : undefined;
}

function rawRest(segments: readonly string[], taken: number): string {
  return taken === segments.length ? '' : '/' + segments.slice(taken).join('/');
}
