import { describe, expect, it } from 'vitest';
import { buildBackendCall, type BackendCall } from '../../src/gateway/backendCall';
import { callerNominated } from '../../src/gateway/hopByHop';
import { isRejection } from '../../src/gateway/types';
import { api, request } from './fixtures';

function call(serviceUrl: string | null, rest: string, query: string | null, headers: [string, string][] = []): BackendCall {
  const result = buildBackendCall(api('a', 'a', { serviceUrl }), rest, query, request('get', 'https://gw.test/', headers));
  if (isRejection(result)) throw new Error(result.rejected);
  return result;
}

describe('buildBackendCall', () => {
  it.each([
    ['https://backend.test', '', null, '/'],
    ['https://backend.test/', '/', null, '/'],
    ['https://backend.test/api/v1', '', null, '/api/v1'],
    ['https://backend.test/api/v1/', '/users/a%2Fb', 'x=1&y=%20', '/api/v1/users/a%2Fb?x=1&y=%20'],
    ['https://backend.test/api', '/r', '', '/api/r?'],
    ['https://backend.test/api?code=abc', '/r', 'x=1', '/api/r?code=abc&x=1'],
    ['https://backend.test/api?code=abc', '/r', null, '/api/r?code=abc'],
  ])('%s + %s ? %s -> %s', (serviceUrl, rest, query, path) => {
    expect(call(serviceUrl, rest, query).path).toBe(path);
  });

  it('origin and Host come from the serviceUrl, with a non-default port', () => {
    const c = call('https://Backend.test:8443/base', '/x', null, [['Host', 'gw.test']]);
    expect(c.origin).toBe('https://backend.test:8443');
    expect(c.headers.filter(([n]) => n === 'host')).toEqual([['host', 'backend.test:8443']]);
  });

  it('upper-cases the method and drops an empty body', () => {
    const c = call('https://backend.test', '/', null);
    expect(c.method).toBe('GET');
    expect(c.body).toBeNull();
  });

  it('an API without a serviceUrl is a noBackend rejection', () => {
    const result = buildBackendCall(api('a', 'a', { serviceUrl: null }), '/', null, request('GET', 'https://gw.test/'));
    expect(result).toEqual({ rejected: 'noBackend' });
  });

  it('a changed API record is parsed afresh', () => {
    expect(call('https://one.test', '/', null).origin).toBe('https://one.test');
    expect(call('https://two.test', '/', null).origin).toBe('https://two.test');
  });
});

describe('callerNominated', () => {
  it('keeps X-Forwarded-* and leaves out names that go anyway, so the usual keep-alive costs nothing', () => {
    expect([...callerNominated('keep-alive, X-Forwarded-For, x-forwarded-proto, X-Hop, close, TE')]).toEqual(['x-hop']);
    expect(callerNominated('keep-alive')).toBe(callerNominated(null));
    expect(callerNominated('close')).toBe(callerNominated(null));
  });
});
