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

const ABSOLUTE = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)([^#]*)/;

/** Parses an absolute (or, leniently, origin-form `/path?query`) request URL. */
export function parseRequestUrl(url: string): RequestTarget | undefined {
  let scheme = 'http';
  let authority = '';
  let rest: string;
  const absolute = ABSOLUTE.exec(url);
  if (absolute) {
    scheme = absolute[1]!.toLowerCase();
    authority = absolute[2]!;
    rest = absolute[3]!;
  } else if (url.startsWith('/')) {
    rest = url.split('#', 1)[0]!;
  } else {
    return undefined;
  }
  const q = rest.indexOf('?');
  const rawPath = q < 0 ? rest : rest.slice(0, q);
  return {
    scheme,
    authority,
    path: removeDotSegments(rawPath === '' ? '/' : rawPath),
    query: q < 0 ? null : rest.slice(q + 1),
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
  if (!/(?:^|\/)(?:\.|%2e)/i.test(path)) return path;
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

/** Percent-decodes one path segment; a malformed escape leaves it as received. */
export function decodeSegment(segment: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
