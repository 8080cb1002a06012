import { describe, expect, it } from 'vitest';
import { decodeRequestPath, isReservedPath, parseRequestTarget, removeDotSegments } from '../../src/local/routing/requestPath';

describe('parseRequestTarget', () => {
  it('splits origin-form targets and keeps them raw', () => {
    expect(parseRequestTarget('/a%20b/c?x=1&x=2')).toEqual({ rawPath: '/a%20b/c', rawQuery: 'x=1&x=2', pathAndQuery: '/a%20b/c?x=1&x=2' });
    expect(parseRequestTarget('/a?')).toEqual({ rawPath: '/a', rawQuery: '', pathAndQuery: '/a?' });
  });

  it('accepts absolute-form targets and refuses the rest', () => {
    expect(parseRequestTarget('http://example.com/a?b=1')?.pathAndQuery).toBe('/a?b=1');
    expect(parseRequestTarget('http://example.com')?.rawPath).toBe('/');
    expect(parseRequestTarget('*')).toBeUndefined();
    expect(parseRequestTarget('example.com:443')).toBeUndefined();
  });
});

describe('decodeRequestPath', () => {
  it('decodes UTF-8 escapes but keeps %2F encoded', () => {
    expect(decodeRequestPath('/items/a%20b')).toBe('/items/a b');
    expect(decodeRequestPath('/caf%C3%A9')).toBe('/café');
    expect(decodeRequestPath('/a%2Fb%2fc')).toBe('/a%2Fb%2fc');
    expect(decodeRequestPath('/a+b')).toBe('/a+b');
  });

  it('leaves invalid escapes as they are', () => {
    expect(decodeRequestPath('/bad%FFbyte')).toBe('/bad%FFbyte');
    expect(decodeRequestPath('/half%2')).toBe('/half%2');
  });

  it('removes dot segments, encoded ones included', () => {
    expect(decodeRequestPath('/a/../things/special')).toBe('/things/special');
    expect(decodeRequestPath('/a/%2e%2e/b')).toBe('/b');
    expect(removeDotSegments('/a/./b/')).toBe('/a/b/');
    expect(removeDotSegments('/..')).toBe('/');
    expect(removeDotSegments('/a/b/.')).toBe('/a/b/');
  });
});

describe('isReservedPath', () => {
  it('matches /admin and /runtime segments in any case, not longer names', () => {
    expect(isReservedPath('/admin')).toBe(true);
    expect(isReservedPath('/ADMIN/host/status')).toBe(true);
    expect(isReservedPath('/runtime/webhooks/x')).toBe(true);
    expect(isReservedPath('/administration')).toBe(false);
    expect(isReservedPath('/api/admin')).toBe(false);
  });
});
