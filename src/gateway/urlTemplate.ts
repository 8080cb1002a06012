import { decodeSegment } from '../apim/pathSegment';

/**
 * APIM operation URL templates: `/resource`, `/users/{id}`, `/files/{name}.json`,
 * a trailing wildcard `/*` or `{*rest}`, and an optional query part
 * (`/?soapAction=urn:x`, `/search?q={q}`) whose pairs must all be present.
 *
 * Decisions (APIM URL matching is case-insensitive):
 * - literal path segments, query names and literal query values compare
 *   case-insensitively, after percent-decoding;
 * - a parameter matches one non-empty segment (a query parameter: a non-empty value);
 * - one trailing slash is ignored on both sides, so `/resource/` matches `/resource`;
 * - query pairs the template does not name are allowed;
 * - a malformed template (`/a{b`) is taken literally rather than rejected.
 */
export interface CompiledTemplate {
  readonly source: string;
  readonly segments: readonly SegmentPattern[];
  /** Name bound to the remaining segments, or `''` for an anonymous `*`; `null` if none. */
  readonly wildcard: string | null;
  readonly query: readonly QueryPattern[];
  /** Compared element by element, higher first: the more specific template wins. */
  readonly specificity: readonly number[];
}

type SegmentPattern =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'param'; readonly name: string }
  | { readonly kind: 'mixed'; readonly regex: RegExp; readonly names: readonly string[] };

interface QueryPattern {
  readonly name: string;
  /** Lower-cased literal value, or `null` when `param` binds it. */
  readonly value: string | null;
  readonly param: string | null;
}

const PARAM = /^\{([^{}*]+)\}$/;
const WILDCARD = /^\{\*([^{}]+)\}$/;
const MIXED = /\{([^{}*]+)\}/g;

/** The segments of a path, ignoring one trailing slash: `/` and `''` have none. */
export function pathSegments(path: string): string[] {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed === '' || trimmed === '/' ? [] : trimmed.slice(1).split('/');
}

/** Compiles a template once; the result is immutable and safe to cache per operation. */
export function compileTemplate(urlTemplate: string): CompiledTemplate {
  const q = urlTemplate.indexOf('?');
  const raw = pathSegments(q < 0 ? urlTemplate : urlTemplate.slice(0, q));
  let wildcard: string | null = null;
  const last = raw[raw.length - 1];
  if (last === '*' || (last !== undefined && WILDCARD.test(last))) {
    raw.pop();
    wildcard = last === '*' ? '' : WILDCARD.exec(last)![1]!;
  }
  const segments = raw.map(compileSegment);
  const query = q < 0 ? [] : compileQuery(urlTemplate.slice(q + 1));
  const count = (kind: SegmentPattern['kind']) => segments.filter((s) => s.kind === kind).length;
  return {
    source: urlTemplate,
    segments,
    wildcard,
    query,
    // `0 - n`, not `-n`: no negative zero in a value that gets compared and logged.
    specificity: [count('literal'), count('mixed'), wildcard === null ? 1 : 0, query.length, 0 - count('param')],
  };
}

function compileSegment(segment: string): SegmentPattern {
  const param = PARAM.exec(segment);
  if (param) return { kind: 'param', name: param[1]! };
  const names: string[] = [];
  let source = '';
  let at = 0;
  for (const m of segment.matchAll(MIXED)) {
    source += escapeRegex(decodeSegment(segment.slice(at, m.index))) + '(.+?)';
    names.push(m[1]!);
    at = m.index + m[0].length;
  }
  const tail = segment.slice(at);
  if (names.length === 0 || /[{}]/.test(tail)) return { kind: 'literal', text: decodeSegment(segment).toLowerCase() };
  return { kind: 'mixed', regex: new RegExp(`^${source}${escapeRegex(decodeSegment(tail))}$`, 'is'), names };
}

function compileQuery(query: string): QueryPattern[] {
  const patterns: QueryPattern[] = [];
  for (const [name, value] of new URLSearchParams(query)) {
    const param = PARAM.exec(value);
    patterns.push({
      name: name.toLowerCase(),
      value: param ? null : value.toLowerCase(),
      param: param ? param[1]! : null,
    });
  }
  return patterns;
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Matches raw request path segments (see `pathSegments`) and the parsed query.
 * Returns the bound parameters (percent-decoded), or `undefined`.
 */
export function matchTemplate(
  template: CompiledTemplate,
  segments: readonly string[],
  query: URLSearchParams | null,
): Record<string, string> | undefined {
  const fixed = template.segments.length;
  if (template.wildcard === null ? segments.length !== fixed : segments.length < fixed) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < fixed; i++) {
    if (!matchSegment(template.segments[i]!, segments[i]!, params)) return undefined;
  }
  if (template.wildcard) params[template.wildcard] = segments.slice(fixed).map(decodeSegment).join('/');
  for (const pattern of template.query) {
    const value = queryValue(query, pattern.name);
    if (value === undefined) return undefined;
    if (pattern.param !== null) {
      if (value === '') return undefined;
      params[pattern.param] = value;
    } else if (value.toLowerCase() !== pattern.value) {
      return undefined;
    }
  }
  return params;
}

function matchSegment(pattern: SegmentPattern, raw: string, params: Record<string, string>): boolean {
  const segment = decodeSegment(raw);
  switch (pattern.kind) {
    case 'literal':
      return segment.toLowerCase() === pattern.text;
    case 'param':
      if (segment === '') return false;
      params[pattern.name] = segment;
      return true;
    case 'mixed': {
      const m = pattern.regex.exec(segment);
      if (!m) return false;
      pattern.names.forEach((name, i) => (params[name] = m[i + 1]!));
      return true;
    }
  }
}

/** First value of a query parameter whose name matches case-insensitively. */
function queryValue(query: URLSearchParams | null, lowerName: string): string | undefined {
  if (!query) return undefined;
  for (const [name, value] of query) if (name.toLowerCase() === lowerName) return value;
  return undefined;
}
