/**
 * `Host` as Kestrel accepts it: `host[:port]`, the host a name of letters,
 * digits, `-`, `.`, `_` or `~`, or a bracketed IPv6 literal. Anything else (a
 * path, a query, a user, spaces) would let the caller make the app see another
 * URL than the one the host routed, so it is the host's empty 400.
 */
const HOST = /^(?:[A-Za-z0-9._~-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

export function isValidHostHeader(value: string): boolean {
  return HOST.test(value);
}
