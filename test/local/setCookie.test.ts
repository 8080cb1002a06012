import { describe, expect, it } from 'vitest';
import { escapeDataString, formatSetCookie } from '../../src/local/http/setCookie';

describe('formatSetCookie', () => {
  it('writes a bare cookie with the default path', () => {
    expect(formatSetCookie({ name: 'a', value: '1', sameSite: 'none' })).toBe('a=1; path=/');
  });

  it('writes every attribute in ASP.NET order', () => {
    const text = formatSetCookie({
      name: 'session',
      value: 'a b;c',
      domain: { value: 'example.com' },
      path: { value: '/p' },
      expires: { value: { seconds: 0 } },
      maxAge: { value: 60.9 },
      secure: { value: true },
      httpOnly: { value: true },
      sameSite: 'strict',
    });
    expect(text).toBe('session=a%20b%3Bc; expires=Thu, 01 Jan 1970 00:00:00 GMT; max-age=60; domain=example.com; path=/p; secure; samesite=strict; httponly');
  });

  it('maps the library SameSite values', () => {
    expect(formatSetCookie({ name: 'x', value: '', sameSite: 'lax' })).toBe('x=; path=/; samesite=lax');
    expect(formatSetCookie({ name: 'x', value: '', sameSite: 'explicitNone' })).toBe('x=; path=/; samesite=none');
  });

  it('escapes like Uri.EscapeDataString', () => {
    expect(escapeDataString("a-_.~!'()*é")).toBe('a-_.~%21%27%28%29%2A%C3%A9');
  });
});
