/**
 * Hop-by-hop headers (RFC 9110 §7.6.1): meaningful for one connection only, so a
 * proxy never passes them on. Shared by the forwarder and the lab's echo backend.
 */
export const HOP_BY_HOP_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
]);

/** Lower-cased header names listed in a `Connection` header value, which are hop-by-hop too. */
export function connectionNominated(connection: string | string[] | null | undefined): ReadonlySet<string> {
  if (!connection) return EMPTY;
  const names = new Set<string>();
  for (const value of typeof connection === 'string' ? [connection] : connection) {
    for (const token of value.split(',')) {
      const name = token.trim().toLowerCase();
      if (name) names.add(name);
    }
  }
  return names;
}

/**
 * The names a caller's `Connection` header removes before the backend: those it
 * lists, except the forwarding headers (`X-Forwarded-*`). The front end vouches for
 * the last `X-Forwarded-For` entry, so a caller must not be able to drop it and
 * leave the backend without the caller's address. Names that go anyway (the fixed
 * list, `close`) are left out, so the usual `keep-alive` costs no set.
 */
export function callerNominated(connection: string | null): ReadonlySet<string> {
  if (!connection) return EMPTY;
  let names: Set<string> | null = null;
  for (const token of connection.split(',')) {
    const name = token.trim().toLowerCase();
    if (name && name !== 'close' && !HOP_BY_HOP_HEADERS.has(name) && !name.startsWith('x-forwarded-')) (names ??= new Set()).add(name);
  }
  return names ?? EMPTY;
}

const EMPTY: ReadonlySet<string> = new Set();

/**
 * A predicate for headers that must not cross this hop: the fixed list, those named
 * in `Connection`, and any `extra` names (lower case) the caller sets itself.
 */
export function hopByHopFilter(
  connection: string | string[] | null | undefined,
  extra: readonly string[] = [],
): (lowerCaseName: string) => boolean {
  const nominated = connectionNominated(connection);
  return (name) => HOP_BY_HOP_HEADERS.has(name) || nominated.has(name) || extra.includes(name);
}
