import { describe, expect, it } from 'vitest';
import { createGateway } from '../../src/gateway/pipeline';
import { matchOperation } from '../../src/gateway/matchOperation';
import { parseRequestUrl, removeDotSegments } from '../../src/gateway/requestUrl';
import { compileTemplate, matchTemplate, pathSegments } from '../../src/gateway/urlTemplate';
import { api, catalogOf, headerValues, operation, recordingForwarder, request } from './fixtures';

/**
 * The per-request shortcuts of the 401 path must answer exactly as the general
 * code they stand in for: a literal template compared as a whole path, the URL
 * split by index, a gateway answer returned without a promise, a cached challenge.
 */

/** The URL parser as it was (a regular expression), as the reference. */
function parseWithRegex(url: string) {
  const absolute = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)([^#]*)/.exec(url);
  let scheme = 'http';
  let authority = '';
  let rest: string;
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
  return { scheme, authority, path: removeDotSegments(rawPath === '' ? '/' : rawPath), query: q < 0 ? null : rest.slice(q + 1) };
}

describe('parseRequestUrl by index agrees with the regular expression', () => {
  it.each([
    'http://127.0.0.1:8080/echo/resource?param1=sample',
    'https://gw.test/echo/a%2Fb?x=%2F+y&k=1',
    'HTTP://GW.test:8080',
    'HtTpS://gw.test/a',
    'http://gw.test/echo?',
    'http://gw.test?x=1',
    'http://gw.test#f?x',
    'http://gw.test/a#frag?x=1',
    'http://gw.test/a?x=1#frag',
    'http://gw.test/a/../b/./c?q=/../',
    'http://gw.test/.well-known/x',
    'http://gw.test/a/%2E%2e/b',
    'git+ssh://host/p',
    'web3-x.y://host/p',
    'h://h',
    '/echo/resource?x=1',
    '/a#b',
    '/x://y',
    '//double/slash',
    'http:/one-slash',
    'http:',
    '1http://x/',
    'ht tp://x/',
    'echo/resource',
    'mailto:someone@example.com',
    '',
    '?x=1',
    'http://user@host:1/p?q',
    'http://[::1]:8080/p',
  ])('%s', (url) => {
    expect(parseRequestUrl(url)).toEqual(parseWithRegex(url));
  });
});

describe('a literal template is compared as a whole path, as matchTemplate would', () => {
  const templates = ['/resource', '/Resource-Cached', '/a/b', '/', '/a//b', '/a/', '/a%2Fb', '/my%20api', '/caf\u00e9', '/{id}', '/a/*', '/search?q={q}'];
  const paths = [
    '',
    '/',
    '//',
    '/resource',
    '/RESOURCE',
    '/resource/',
    '/resource//',
    '/resources',
    '/resource-cached',
    '/Resource-Cached/',
    '/a/b',
    '/A/B/',
    '/a//b',
    '/a/b/c',
    '/a',
    '/a/',
    '/a%2Fb',
    '/a%2fb',
    '/my%20api',
    '/MY%20API',
    '/my api',
    '/caf\u00e9',
    '/CAF\u00c9',
    '/caf%C3%A9',
    '/\u212aey', // KELVIN SIGN lower-cases to an ASCII k
    '/\u0130',
    '/resourc\u212a',
    '/x',
  ];
  for (const template of templates) {
    it(`template ${JSON.stringify(template)}`, () => {
      const list = [operation('api', 'op', 'GET', template)];
      for (const path of paths) {
        const expected = matchTemplate(compileTemplate(template), pathSegments(path), null);
        const actual = matchOperation(list, 'GET', path, null);
        expect({ path, matched: actual !== undefined }).toEqual({ path, matched: expected !== undefined });
        if (actual) expect(actual.params).toEqual(expected);
      }
    });
  }

  it('the most specific template still wins when literal and general templates mix', () => {
    const list = [
      operation('api', 'user', 'GET', '/users/{id}'),
      operation('api', 'me', 'GET', '/users/me'),
      operation('api', 'all', 'GET', '/*'),
      operation('api', 'cached', 'GET', '/resource-cached'),
      operation('api', 'plain', 'GET', '/resource'),
    ];
    expect(matchOperation(list, 'GET', '/users/me', null)?.operation.id).toBe('me');
    expect(matchOperation(list, 'GET', '/USERS/ME/', null)?.operation.id).toBe('me');
    expect(matchOperation(list, 'GET', '/users/m%65', null)?.operation.id).toBe('me');
    expect(matchOperation(list, 'GET', '/users/you', null)?.operation.id).toBe('user');
    expect(matchOperation(list, 'GET', '/resource', null)?.operation.id).toBe('plain');
    expect(matchOperation(list, 'GET', '/resource-cached', null)?.operation.id).toBe('cached');
    expect(matchOperation(list, 'GET', '/other', null)?.operation.id).toBe('all');
  });
});

describe('handle: the gateway answer itself, or a promise when forwarded', () => {
  const catalog = catalogOf({
    apis: [api('echo-api', 'echo')],
    operations: [operation('echo-api', 'retrieve-resource', 'GET', '/resource')],
    products: [],
  });

  it('401 and 404 come back as values, the same response when awaited', async () => {
    const gateway = createGateway({ catalog, forwarder: recordingForwarder() });
    for (const url of ['https://gw.test/echo/resource', 'https://gw.test/nowhere']) {
      const direct = gateway.handle(request('GET', url));
      expect(direct).not.toBeInstanceOf(Promise);
      expect(await gateway.handle(request('GET', url))).toEqual(direct);
    }
  });

  it('a forwarded call is a promise; a throwing stage is a 500 value, never a throw', async () => {
    const open = catalogOf({ apis: [api('o', 'o', { subscriptionRequired: false })], operations: [operation('o', 'get', 'GET', '/x')] });
    const gateway = createGateway({ catalog: open, forwarder: recordingForwarder() });
    const forwarded = gateway.handle(request('GET', 'https://gw.test/o/x'));
    expect(forwarded).toBeInstanceOf(Promise);
    expect((await forwarded).status).toBe(200);

    const broken = { ...request('GET', 'https://gw.test/o/x'), headers: { get: () => { throw new Error('boom'); }, [Symbol.iterator]: [][Symbol.iterator] } };
    const failed = createGateway({ catalog, forwarder: recordingForwarder(), activityId: () => 'id' }).handle({ ...broken, url: 'https://gw.test/echo/resource' });
    expect(failed).not.toBeInstanceOf(Promise);
    expect((failed as Awaited<typeof failed>).status).toBe(500);
  });
});

describe('the cached 401 challenge follows the caller', () => {
  const catalog = catalogOf({ apis: [api('echo-api', 'echo')], operations: [operation('echo-api', 'get', 'GET', '/resource')] });
  const gateway = createGateway({ catalog, forwarder: recordingForwarder() });
  const realm = async (headers: Record<string, string>) =>
    headerValues(await gateway.handle(request('GET', 'http://10.0.0.4/echo/resource', headers)), 'www-authenticate')[0];

  it('realm changes with Host and X-Forwarded-Proto from one request to the next, and back', async () => {
    expect(await realm({ Host: 'a.test' })).toContain('realm="http://a.test/echo"');
    expect(await realm({ Host: 'b.test' })).toContain('realm="http://b.test/echo"');
    expect(await realm({ Host: 'b.test', 'X-Forwarded-Proto': 'https' })).toContain('realm="https://b.test/echo"');
    expect(await realm({ Host: 'a.test' })).toContain('realm="http://a.test/echo"');
    expect(await realm({})).toContain('realm="http://10.0.0.4/echo"');
    expect(await realm({ Host: 'a.test', 'Ocp-Apim-Subscription-Key': 'wrong' })).toContain('realm="http://a.test/echo"');
  });

  it('an origin-form URL (a plain-HTTP adapter passes the request target as received) reads as http on Host', async () => {
    const answer = await gateway.handle(request('GET', '/echo/resource?x=1', { Host: 'a.test:8080' }));
    expect(answer.status).toBe(401);
    expect(headerValues(answer, 'www-authenticate')[0]).toContain('realm="http://a.test:8080/echo"');
    const proxied = await gateway.handle(request('GET', '/echo/resource', { Host: 'a.test', 'X-Forwarded-Proto': 'https' }));
    expect(headerValues(proxied, 'www-authenticate')[0]).toContain('realm="https://a.test/echo"');
    expect((await gateway.handle(request('GET', '/nothing/here', { Host: 'a.test' }))).status).toBe(404);
  });

  it('the 401 is shared between calls and frozen: no caller can change what the next one gets', async () => {
    const first = await gateway.handle(request('GET', 'https://gw.test/echo/resource'));
    const second = await gateway.handle(request('GET', 'https://gw.test/echo/resource'));
    expect(first.headers).toBe(second.headers);
    const list = first.headers as [string, string][];
    expect(() => list.push(['X-Added', '1'])).toThrow(TypeError);
    expect(() => {
      list[0]![1] = 'text/plain';
    }).toThrow(TypeError);
    expect(() => {
      list[0] = ['Content-Type', 'text/plain'];
    }).toThrow(TypeError);
    const third = await gateway.handle(request('GET', 'https://gw.test/echo/resource'));
    expect(headerValues(third, 'content-type')).toEqual(['application/json']);
    expect(headerValues(third, 'x-added')).toEqual([]);
  });
});
