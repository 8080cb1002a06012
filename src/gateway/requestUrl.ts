/**
 * Splits the request URL by hand: `new URL()` would re-encode the path and the
 * query, and the gateway must forward them exactly as received.
 */
export interface RequestTarget {
  /** Lower case, e.g. `https`. */
  readonly scheme: string;
  /** `host[:port]` from the URL; may be empty for an origin-form URL. */
  readonly authority: string;
  /** Raw path starting with `/`, dot segments removed, percent-encoding untouched. */
  readonly path: string;
  /** Raw query without the `?`; `null` when the URL has no `?` at all. */
  readonly query: string | null;
}

/** The `:` that ends a valid scheme followed by `//` (`scheme://`), or -1. */
function schemeEnd(url: string): number {
  if (!isAlpha(url.charCodeAt(0))) return -1;
  for (let i = 1; i < url.length; i++) {
    const c = url.charCodeAt(i);
    if (c === 0x3a) return url.charCodeAt(i + 1) === 0x2f && url.charCodeAt(i + 2) === 0x2f ? i : -1;
    // ALPHA / DIGIT / "+" / "-" / "."
    if (!isAlpha(c) && !(c >= 0x30 && c <= 0x39) && c !== 0x2b && c !== 0x2d && c !== 0x2e) return -1;
  }
  return -1;
}

const isAlpha = (c: number) => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);

/**
 * Parses an absolute (or, leniently, origin-form `/path?query`) request URL: the
 * authority ends at the first `/`, `?` or `#` after `://`.
 */
export function parseRequestUrl(url: string): RequestTarget | undefined {
  const hash = url.indexOf('#');
  const end = hash < 0 ? url.length : hash;
  let q = url.indexOf('?');
  if (q >= end) q = -1;
  let scheme = 'http';
  let authority = '';
  let start: number;
  let colon: number;
  if (url.startsWith('http://')) {
    colon = 4;
  } else if (url.startsWith('https://')) {
    colon = 5;
    scheme = 'https';
  } else {
    colon = schemeEnd(url);
    if (colon > 0) scheme = url.slice(0, colon).toLowerCase();
  }
  if (colon > 0) {
    // No `?` or `#` can come before `://`: the scheme has neither.
    start = q >= 0 ? q : end;
    const slash = url.indexOf('/', colon + 3);
    if (slash >= 0 && slash < start) start = slash;
    authority = url.slice(colon + 3, start);
  } else if (url.charCodeAt(0) === 0x2f) {
    start = 0;
  } else {
    return undefined;
  }
  // A `?` in the authority would have ended it: `q`, if any, is at or after `start`.
  const pathEnd = q < 0 ? end : q;
  return {
    scheme,
    authority,
    path: pathEnd === start ? '/' : removeDotSegments(url.slice(start, pathEnd)),
    query: q < 0 ? null : url.slice(q + 1, end),
  };
}

/** True for `.`/`..` and their percent-encoded spellings (`%2e`, `.%2E`, ...). */
function dotSegment(segment: string): '.' | '..' | undefined {
  if (segment.length > 6 || !segment.startsWith('.') && !segment.startsWith('%')) return undefined;
  const plain = segment.replace(/%2e/gi, '.');
  return plain === '.' || plain === '..' ? plain : undefined;
}

/**
 * RFC 3986 §5.2.4 on the raw path. Done before matching so that `/echo/../admin`
 * can neither match `echo` nor climb above the backend's base path when forwarded.
 */
export function removeDotSegments(path: string): string {
  // Nearly every path has neither `.` nor `%`: no dot segment possible, no regex run.
  if ((!path.includes('.') && !path.includes('%')) || !/(?:^|\/)(?:\.|%2e)/i.test(path)) return path;
  const input = path.split('/');
  const output: string[] = [];
  for (let i = 1; i < input.length; i++) {
    const segment = input[i]!;
    const dots = dotSegment(segment);
    if (dots === undefined) {
      output.push(segment);
      continue;
    }
    if (dots === '..') output.pop();
    // `/a/b/..` ends in a directory: keep the trailing slash.
    if (i === input.length - 1) output.push('');
  }
  return '/' + output.join('/');
}
