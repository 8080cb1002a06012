import { describe, expect, it, vi } from 'vitest';
import { createGateway } from '../../src/gateway/pipeline';
import { matchApi } from '../../src/gateway/matchApi';
import { api, bodyOf, catalogOf, headerValues, operation, recordingForwarder, request } from './fixtures';

const NOT_FOUND = '{ "statusCode": 404, "message": "Resource not found" }';

function echoGateway() {
  const catalog = catalogOf({
    apis: [api('echo-api', 'echo')],
    operations: [
      operation('echo-api', 'create-resource', 'POST', '/resource'),
      operation('echo-api', 'retrieve-resource', 'GET', '/resource'),
      operation('echo-api', 'retrieve-header-only', 'HEAD', '/resource'),
    ],
  });
  const forwarder = recordingForwarder();
  return { gateway: createGateway({ catalog, forwarder }), forwarder };
}

async function expectNotFound(response: Awaited<ReturnType<ReturnType<typeof createGateway>['handle']>>) {
  expect(response.status).toBe(404);
  expect((await bodyOf(response)).toString()).toBe(NOT_FOUND);
  expect(headerValues(response, 'content-length')).toEqual(['54']);
  expect(headerValues(response, 'content-type')).toEqual(['application/json']);
  expect(headerValues(response, 'www-authenticate')).toEqual([]);
}

describe('404 before any key check (docs/apim-behaviour.md#api-matching, #operation-matching-and-404)', () => {
  it('unknown path: 404 even without a key, backend not called', async () => {
    const { gateway, forwarder } = echoGateway();
    const r = await gateway.handle(request('GET', 'https://gw.test/nothing/here'));
    await expectNotFound(r);
    expect(r.trace.outcome).toBe('apiNotFound');
    expect(forwarder.calls).toHaveLength(0);
  });

  it('/echoes is not /echo: API paths match on segment boundaries', async () => {
    const { gateway } = echoGateway();
    const r = await gateway.handle(request('GET', 'https://gw.test/echoes/resource'));
    await expectNotFound(r);
    expect(r.trace.apiId).toBeNull();
  });

  it('wrong method: 404, never 405', async () => {
    const { gateway } = echoGateway();
    const r = await gateway.handle(request('PATCH', 'https://gw.test/echo/resource'));
    await expectNotFound(r);
    expect(r.trace).toMatchObject({ apiId: 'echo-api', operationId: null, outcome: 'operationNotFound' });
  });

  it('no operation for the path: 404, even with an invalid key', async () => {
    const { gateway } = echoGateway();
    const r = await gateway.handle(
      request('GET', 'https://gw.test/echo/unknown', { 'Ocp-Apim-Subscription-Key': 'not-a-key' }),
    );
    await expectNotFound(r);
    expect(r.trace.keySource).toBeNull();
  });

  it('HEAD does not fall back to a GET operation', async () => {
    const catalog = catalogOf({ apis: [api('a', 'a', { subscriptionRequired: false })], operations: [operation('a', 'get', 'GET', '/x')] });
    const r = await createGateway({ catalog, forwarder: recordingForwarder() }).handle(request('HEAD', 'https://gw.test/a/x'));
    expect(r.status).toBe(404);
  });

  it('an unparseable URL is a 404, not a crash', async () => {
    const { gateway } = echoGateway();
    expect((await gateway.handle(request('GET', 'not a url'))).status).toBe(404);
  });

  it('dot segments are resolved before matching: /echo/../resource is not the echo API', async () => {
    const { gateway } = echoGateway();
    await expectNotFound(await gateway.handle(request('GET', 'https://gw.test/echo/../resource')));
    await expectNotFound(await gateway.handle(request('GET', 'https://gw.test/echo/%2e%2E/resource')));
    const kept = await gateway.handle(request('GET', 'https://gw.test/echo/x/../resource'));
    expect(kept.trace.operationId).toBe('retrieve-resource');
  });
});

describe('API matching', () => {
  const open = { subscriptionRequired: false };
  const catalog = catalogOf({
    apis: [api('root', '', open), api('a', 'a', open), api('ab', 'a/b', open), api('spaced', 'my api', open)],
    operations: [
      operation('root', 'any', 'GET', '/*'),
      operation('a', 'any', 'GET', '/*'),
      operation('ab', 'any', 'GET', '/*'),
      operation('spaced', 'any', 'GET', '/*'),
    ],
  });

  it.each([
    ['/a/b/c', 'ab', '/c'],
    ['/a/b', 'ab', ''],
    ['/a/b/', 'ab', '/'],
    ['/a/bc', 'a', '/bc'],
    ['/A/B/x', 'ab', '/x'],
    ['/a', 'a', ''],
    ['/ab', 'root', '/ab'],
    ['/', 'root', '/'],
    ['/my%20api/x', 'spaced', '/x'],
    ['/a%2Fb/x', 'ab', '/x'],
  ])('%s -> API %s, rest %s', (path, apiId, rest) => {
    const match = matchApi(catalog, path);
    expect(match?.api.id).toBe(apiId);
    expect(match?.rest).toBe(rest);
  });

  it('without an empty-path API, an unmatched path has no API', () => {
    const c = catalogOf({ apis: [api('a', 'a')] });
    expect(matchApi(c, '/b/c')).toBeUndefined();
    expect(matchApi(c, '/')).toBeUndefined();
  });

  it('asks the catalog for at most maxApiPathSegments + 1 exact paths, never scanning', () => {
    const c = catalogOf({ apis: [api('deep', 'x/y/z'), ...Array.from({ length: 50 }, (_, i) => api(`api${i}`, `p${i}`))] });
    const spy = vi.spyOn(c, 'apiByPath');
    expect(matchApi(c, '/q/w/e/r/t/y/u/i/o/p')).toBeUndefined();
    expect(spy.mock.calls.map(([p]) => p)).toEqual(['q/w/e', 'q/w', 'q', '']);
  });

  it('the gateway forwards the rest of the path for the longest API', async () => {
    const forwarder = recordingForwarder();
    const r = await createGateway({ catalog, forwarder }).handle(request('GET', 'https://gw.test/a/b/c?x=1'));
    expect(r.status).toBe(200);
    expect(r.trace.apiId).toBe('ab');
    expect(forwarder.calls[0]?.path).toBe('/c?x=1');
  });
});

describe('operation matching by method and URL template', () => {
  const ops = [
    operation('api', 'get-user', 'GET', '/users/{id}'),
    operation('api', 'get-me', 'GET', '/users/me'),
    operation('api', 'get-order', 'GET', '/users/{id}/orders/{orderId}'),
    operation('api', 'get-file', 'GET', '/files/{name}.json'),
    operation('api', 'soap-a', 'POST', '/?soapAction=urn:A'),
    operation('api', 'soap-b', 'POST', '/?soapAction=urn:B'),
    operation('api', 'search', 'GET', '/search?q={q}'),
    operation('api', 'root', 'GET', '/'),
    operation('api', 'everything', 'GET', '/static/*'),
    operation('api', 'delete-user', 'DELETE', '/users/{id}'),
  ];
  const catalog = catalogOf({ apis: [api('api', 'svc', { subscriptionRequired: false })], operations: ops });
  const gateway = createGateway({ catalog, forwarder: recordingForwarder() });
  const matched = async (method: string, pathAndQuery: string) =>
    (await gateway.handle(request(method, `https://gw.test/svc${pathAndQuery}`))).trace.operationId;

  it.each([
    ['GET', '/users/42', 'get-user'],
    ['GET', '/users/me', 'get-me'],
    ['GET', '/USERS/ME', 'get-me'],
    ['GET', '/Users/42/Orders/7', 'get-order'],
    ['GET', '/users/42/', 'get-user'],
    ['GET', '/users/', null],
    ['GET', '/users/42/extra', null],
    ['DELETE', '/users/42', 'delete-user'],
    ['get', '/users/42', 'get-user'],
    ['GET', '/files/report.json', 'get-file'],
    ['GET', '/files/report.JSON', 'get-file'],
    ['GET', '/files/report.xml', null],
    ['POST', '/?soapAction=urn:A', 'soap-a'],
    ['POST', '?soapAction=urn:B', 'soap-b'],
    ['POST', '/?other=1&SOAPACTION=urn:b', 'soap-b'],
    ['POST', '/?soapAction=urn:C', null],
    ['POST', '/', null],
    ['GET', '/search?q=apim', 'search'],
    ['GET', '/search?q=', null],
    ['GET', '/search', null],
    ['GET', '', 'root'],
    ['GET', '/', 'root'],
    ['GET', '/static/css/site.css', 'everything'],
    ['GET', '/static', 'everything'],
    ['PUT', '/users/42', null],
  ])('%s %s -> %s', async (method, path, operationId) => {
    expect(await matched(method, path)).toBe(operationId);
  });

  it('binds template parameters (decoded) in declaration-independent order', async () => {
    const { matchOperation } = await import('../../src/gateway/matchOperation');
    const list = catalog.operationsOf('api');
    expect(matchOperation(list, 'GET', '/users/a%20b/orders/9', null)?.params).toEqual({ id: 'a b', orderId: '9' });
    expect(matchOperation([...list].reverse(), 'GET', '/users/me', null)?.operation.id).toBe('get-me');
    expect(matchOperation(list, 'GET', '/search', new URLSearchParams('q=x%2By'))?.params).toEqual({ q: 'x+y' });
  });

  it('a replaced operation takes effect (compiled templates are cached per record)', async () => {
    const c = catalogOf({ apis: [api('api', 'svc', { subscriptionRequired: false })], operations: [operation('api', 'op', 'GET', '/old')] });
    const g = createGateway({ catalog: c, forwarder: recordingForwarder() });
    expect((await g.handle(request('GET', 'https://gw.test/svc/old'))).status).toBe(200);
    c.putOperation(operation('api', 'op', 'GET', '/new'));
    expect((await g.handle(request('GET', 'https://gw.test/svc/old'))).status).toBe(404);
    expect((await g.handle(request('GET', 'https://gw.test/svc/new'))).status).toBe(200);
  });
});
