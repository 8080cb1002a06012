import type { RpcHttpCookie } from '../coreApi';

/**
 * One `Set-Cookie` value, written as the host writes it (ASP.NET Core's
 * `Response.Cookies.Append`): the value escaped like .NET `Uri.EscapeDataString`,
 * then expires, max-age, domain, path (`/` unless given), secure, samesite, httponly.
 */
export function formatSetCookie(cookie: RpcHttpCookie): string {
  let text = `${cookie.name ?? ''}=${escapeDataString(cookie.value ?? '')}`;
  const seconds = cookie.expires?.value?.seconds;
  if (typeof seconds === 'number') text += `; expires=${new Date(seconds * 1000).toUTCString()}`;
  const maxAge = cookie.maxAge?.value;
  if (typeof maxAge === 'number') text += `; max-age=${Math.trunc(maxAge)}`;
  const domain = cookie.domain?.value;
  if (domain) text += `; domain=${domain}`;
  text += `; path=${cookie.path?.value || '/'}`;
  if (cookie.secure?.value) text += '; secure';
  const sameSite = sameSiteText(cookie.sameSite);
  if (sameSite) text += `; samesite=${sameSite}`;
  if (cookie.httpOnly?.value) text += '; httponly';
  return text;
}

/** The library's `None` arrives as `explicitNone`; its absence as `none`, which writes nothing. */
function sameSiteText(sameSite: RpcHttpCookie['sameSite']): string | undefined {
  switch (sameSite) {
    case 'lax':
      return 'lax';
    case 'strict':
      return 'strict';
    case 'explicitNone':
      return 'none';
    default:
      return undefined;
  }
}

/** .NET `Uri.EscapeDataString`: everything but `A-Z a-z 0-9 - _ . ~` is percent-encoded. */
export function escapeDataString(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}
