/** The raw (still encoded) path and query of a request target. */
export interface RequestTarget {
  /** Starts with `/`. */
  rawPath: string;
  /** Without the `?`; empty when there is none. */
  rawQuery: string;
  /** `rawPath` plus `?rawQuery` when there was a `?`. */
  pathAndQuery: string;
}

/**
 * Splits an HTTP request target. Origin form (`/a?b`) and absolute form
 * (`http://host/a?b`) are accepted; anything else (`*`, authority form) is not.
 */
export function parseRequestTarget(target: string): RequestTarget | undefined {
  let pathAndQuery = target;
  if (!target.startsWith('/')) {
    const absolute = /^https?:\/\/[^/?#]*(.*)$/i.exec(target);
    if (!absolute) return undefined;
    pathAndQuery = absolute[1] || '/';
    if (!pathAndQuery.startsWith('/')) pathAndQuery = `/${pathAndQuery}`;
  }
  pathAndQuery = pathAndQuery.replace(/#.*$/s, '');
  const question = pathAndQuery.indexOf('?');
  const rawPath = question < 0 ? pathAndQuery : pathAndQuery.slice(0, question);
  const rawQuery = question < 0 ? '' : pathAndQuery.slice(question + 1);
  return { rawPath, rawQuery, pathAndQuery };
}

/**
 * The path routing sees, as Kestrel produces it: percent-escapes decoded as UTF-8
 * except `%2F` (left encoded so it cannot split segments), invalid sequences left
 * as they are, then `.` and `..` segments removed.
 */
export function decodeRequestPath(rawPath: string): string {
  const decoded = rawPath.replace(/(?:%[0-9A-Fa-f]{2})+/g, decodeEscapes);
  return removeDotSegments(decoded);
}

function decodeEscapes(run: string): string {
  const escapes = run.match(/%[0-9A-Fa-f]{2}/g) ?? [];
  let result = '';
  let pending: string[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    const bytes = Uint8Array.from(pending, (escape) => parseInt(escape.slice(1), 16));
    try {
      result += new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      result += pending.join('');
    }
    pending = [];
  };
  for (const escape of escapes) {
    if (escape.toUpperCase() === '%2F') {
      flush();
      result += escape;
    } else {
      pending.push(escape);
    }
  }
  flush();
  return result;
}

/** RFC 3986 section 5.2.4, on an absolute path. */
export function removeDotSegments(path: string): string {
  if (!/(^|\/)\.\.?(\/|$)/.test(path)) return path;
  const output: string[] = [];
  const segments = path.split('/').slice(1);
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    if (segment === '.' || segment === '..') {
      if (segment === '..') output.pop();
      if (last) output.push('');
    } else {
      output.push(segment);
    }
  });
  return `/${output.join('/')}`;
}

/**
 * True for `/admin`, `/runtime` and anything below them (any case): the host
 * serves its own APIs there, and such requests never reach a function.
 */
export function isReservedPath(path: string): boolean {
  return /^\/(admin|runtime)(\/|$)/i.test(path);
}
