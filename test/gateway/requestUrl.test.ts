import { describe, expect, it } from 'vitest';
import { parseRequestUrl, removeDotSegments } from '../../src/gateway/requestUrl';

describe('parseRequestUrl keeps the path and query exactly as received', () => {
  it.each([
    ['https://gw.test/echo/a%2Fb?x=%2F+y&k=1', { scheme: 'https', authority: 'gw.test', path: '/echo/a%2Fb', query: 'x=%2F+y&k=1' }],
    ['HTTP://GW.test:8080', { scheme: 'http', authority: 'GW.test:8080', path: '/', query: null }],
    ['http://gw.test/echo?', { scheme: 'http', authority: 'gw.test', path: '/echo', query: '' }],
    ['http://gw.test?x=1', { scheme: 'http', authority: 'gw.test', path: '/', query: 'x=1' }],
    ['http://gw.test/a#frag', { scheme: 'http', authority: 'gw.test', path: '/a', query: null }],
    ['http://gw.test/a/../b/./c?q=/../', { scheme: 'http', authority: 'gw.test', path: '/b/c', query: 'q=/../' }],
    ['/echo/resource?x=1', { scheme: 'http', authority: '', path: '/echo/resource', query: 'x=1' }],
  ])('%s', (url, expected) => {
    expect(parseRequestUrl(url)).toEqual(expected);
  });

  it('rejects what is not a URL', () => {
    expect(parseRequestUrl('echo/resource')).toBeUndefined();
    expect(parseRequestUrl('')).toBeUndefined();
  });
});

describe('removeDotSegments (RFC 3986 §5.2.4, percent-encoded dots included)', () => {
  it.each([
    ['/a/b/c', '/a/b/c'],
    ['/a/./b', '/a/b'],
    ['/a/b/..', '/a/'],
    ['/a/b/../c', '/a/c'],
    ['/../../etc', '/etc'],
    ['/..', '/'],
    ['/a/%2e%2E/b', '/b'],
    ['/a/.%2e/b', '/b'],
    ['/a/%2e/b', '/a/b'],
    ['/.well-known/x', '/.well-known/x'],
    ['/a/...', '/a/...'],
    ['/a//b', '/a//b'],
  ])('%s -> %s', (input, output) => {
    expect(removeDotSegments(input)).toBe(output);
  });
});
