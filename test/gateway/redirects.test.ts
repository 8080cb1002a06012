import { afterEach, describe, expect, it } from 'vitest';
import type { PolicyDocuments, PolicyRecord, PolicyScopeRef } from '../../src/gateway/policies';
import { createGateway, type Gateway } from '../../src/gateway/pipeline';
import { MAX_REDIRECTS } from '../../src/gateway/redirects';
import { startBackend, type Handler, type Received, type TestBackend } from './backendServer';
import { api, bodyOf, catalogOf, headerValues, operation, request, subscription } from './fixtures';

/**
 * `forward-request follow-redirects` against real HTTP backends: "true" follows as
 * fetch does (method and body rules, a bounded chain, no key or credentials to
 * another origin), "false" and the default pass the 3xx to the caller.
 */

const INTERNAL_ERROR = /^\{ "statusCode": 500, "message": "Internal server error", "activityId": "[0-9a-f-]{36}" \}$/;
const KEY = 'k'.repeat(32);

let backends: TestBackend[] = [];
let gateway: Gateway | undefined;
afterEach(async () => {
  await gateway?.close();
  await Promise.all(backends.map((b) => b.close()));
  backends = [];
  gateway = undefined;
});

async function backend(handler: Handler): Promise<TestBackend> {
  const started = await startBackend(handler);
  backends.push(started);
  return started;
}

/** One document at API scope, or none. */
class Documents implements PolicyDocuments {
  version = 1;
  constructor(private readonly value: string | null) {}
  policyDocument(ref: PolicyScopeRef): PolicyRecord | undefined {
    return ref.scope === 'api' && this.value !== null ? ({ ...ref, format: 'rawxml', value: this.value } as PolicyRecord) : undefined;
  }
}

const forwardPolicy = (forward: string, onError = '<base />') => `<policies><inbound><base /></inbound><backend>${forward}</backend><outbound><base /></outbound><on-error>${onError}</on-error></policies>`;

/** API `echo` (key `KEY`) at `serviceUrl`, every method on every path, with an API-scope document. */
function gatewayTo(serviceUrl: string, document: string | null): Gateway {
  const methods = ['GET', 'POST', 'PUT', 'HEAD', 'DELETE'];
  const catalog = catalogOf({
    apis: [api('echo', 'echo', { serviceUrl })],
    operations: methods.map((m) => operation('echo', m.toLowerCase(), m, '/*')),
    subscriptions: [subscription('echo-sub', '/apis/echo', KEY)],
  });
  gateway = createGateway({ catalog, policies: new Documents(document) });
  return gateway;
}

const FOLLOW = forwardPolicy('<forward-request follow-redirects="true" />');

/** Redirects `/start` (and `/start/...`) with `status` to `location`; anything else answers 200 with what it got. */
const redirecting =
  (status: number, location: string | null): Handler =>
  (req, res, body) => {
    if (req.url?.startsWith('/base/start')) {
      res.writeHead(status, location === null ? {} : { location });
      res.end('moved');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`${req.method} ${req.url} ${body.toString('utf8')}`);
  };

const echoing: Handler = (req, res, body) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end(`${req.method} ${req.url} ${body.toString('utf8')}`);
};

const headerOf = (received: Received, name: string) => received.rawHeaders.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);

async function send(g: Gateway, method: string, path: string, headers: Record<string, string> = {}, body: string | null = null) {
  const response = await g.handle(request(method, `https://gw.test${path}`, { 'Ocp-Apim-Subscription-Key': KEY, ...headers }, body === null ? null : Buffer.from(body)));
  return { status: response.status, response, text: (await bodyOf(response)).toString('utf8') };
}

describe('forward-request follow-redirects="true"', () => {
  it('follows a relative Location on the same backend; the caller gets the final answer', async () => {
    const a = await backend(redirecting(302, '/base/final?x=1'));
    const result = await send(gatewayTo(`${a.url}/base`, FOLLOW), 'GET', '/echo/start');
    expect(result.status).toBe(200);
    expect(result.text).toBe('GET /base/final?x=1 ');
    expect(a.received.map((r) => r.url)).toEqual(['/base/start', '/base/final?x=1']);
    // Same origin: the key header goes on, as on the first call.
    expect(headerOf(a.received[1]!, 'ocp-apim-subscription-key')).toEqual([KEY]);
  });

  it.each([
    [303, 'POST', 'GET', ''],
    [303, 'PUT', 'GET', ''],
    [301, 'POST', 'GET', ''],
    [302, 'POST', 'GET', ''],
    [302, 'PUT', 'PUT', 'payload'],
    [307, 'POST', 'POST', 'payload'],
    [308, 'PUT', 'PUT', 'payload'],
  ])('%i after %s: goes on as %s (body %j)', async (status, method, expectedMethod, expectedBody) => {
    const a = await backend(redirecting(status, '/base/final'));
    const result = await send(gatewayTo(`${a.url}/base`, FOLLOW), method, '/echo/start', { 'Content-Type': 'application/json', 'X-Custom': 'kept' }, 'payload');
    expect(result.status).toBe(200);
    expect(result.text).toBe(`${expectedMethod} /base/final ${expectedBody}`);
    const second = a.received[1]!;
    expect(second.body.toString('utf8')).toBe(expectedBody);
    expect(headerOf(second, 'content-type')).toEqual(expectedBody === '' ? [] : ['application/json']);
    expect(headerOf(second, 'content-length')).toEqual(expectedBody === '' ? [] : ['7']);
    expect(headerOf(second, 'x-custom')).toEqual(['kept']);
  });

  it('a 303 after HEAD stays a HEAD', async () => {
    const a = await backend(redirecting(303, '/base/final'));
    const result = await send(gatewayTo(`${a.url}/base`, FOLLOW), 'HEAD', '/echo/start');
    expect(result.status).toBe(200);
    expect(a.received.map((r) => r.method)).toEqual(['HEAD', 'HEAD']);
  });

  it('never sends the subscription key, Apim/Ocp-Apim headers or credentials to another origin', async () => {
    const b = await backend(echoing);
    const a = await backend(redirecting(307, `${b.url}/elsewhere?subscription-key=${KEY}&x=1&subscription-key=again`));
    const result = await send(gatewayTo(`${a.url}/base`, FOLLOW), 'GET', `/echo/start?subscription-key=${KEY}`, {
      Authorization: 'Bearer secret',
      Cookie: 'session=1',
      'Ocp-Apim-Trace': 'true',
      'Apim-Debug-Something': 'x',
      'X-Custom': 'kept',
    });
    expect(result.status).toBe(200);
    expect(result.text).toBe('GET /elsewhere?x=1 ');
    // The first backend got the call as on any forward (key included, as APIM does).
    expect(headerOf(a.received[0]!, 'ocp-apim-subscription-key')).toEqual([KEY]);
    expect(a.received[0]!.url).toBe(`/base/start?subscription-key=${KEY}`);
    const other = b.received[0]!;
    for (const name of ['ocp-apim-subscription-key', 'authorization', 'cookie', 'ocp-apim-trace', 'apim-debug-something', 'apim-debug-authorization']) {
      expect(headerOf(other, name), name).toEqual([]);
    }
    expect(headerOf(other, 'x-custom')).toEqual(['kept']);
    expect(headerOf(other, 'host')).toEqual([new URL(b.url).host]);
    expect(JSON.stringify(other)).not.toContain(KEY);
  });

  it("an API's own key header name stays behind too, and a chain back to the first origin does not bring it back", async () => {
    let bUrl = '';
    const a = await backend((req, res) => {
      if (req.url === '/base/start') {
        res.writeHead(302, { location: `${bUrl}/hop` });
        res.end();
        return;
      }
      res.writeHead(200);
      res.end(`back ${req.url}`);
    });
    const b = await backend((_req, res) => {
      res.writeHead(302, { location: `${a.url}/back` });
      res.end();
    });
    bUrl = b.url;
    const catalog = catalogOf({
      apis: [api('echo', 'echo', { serviceUrl: `${a.url}/base`, subscriptionKeyParameterNames: { header: 'X-My-Key', query: 'my-key' } })],
      operations: [operation('echo', 'get', 'GET', '/*')],
      subscriptions: [subscription('echo-sub', '/apis/echo', KEY)],
    });
    gateway = createGateway({ catalog, policies: new Documents(FOLLOW) });
    const response = await gateway.handle(request('GET', 'https://gw.test/echo/start', { 'X-My-Key': KEY }));
    expect(response.status).toBe(200);
    expect((await bodyOf(response)).toString('utf8')).toBe('back /back');
    expect(headerOf(a.received[0]!, 'x-my-key')).toEqual([KEY]);
    expect(headerOf(b.received[0]!, 'x-my-key')).toEqual([]);
    expect(headerOf(a.received[1]!, 'x-my-key')).toEqual([]);
  });

  it(`follows ${MAX_REDIRECTS} redirects; one more is a failed backend call: on-error, else APIM's 500`, async () => {
    const hops = (limit: number): Handler => (req, res) => {
      const n = Number(/\/hop(\d+)$/.exec(req.url ?? '')?.[1] ?? 0);
      if (n < limit) {
        res.writeHead(302, { location: `/base/hop${n + 1}` });
        res.end();
        return;
      }
      res.writeHead(200);
      res.end(`arrived after ${n}`);
    };
    const enough = await backend(hops(MAX_REDIRECTS));
    expect((await send(gatewayTo(`${enough.url}/base`, FOLLOW), 'GET', '/echo/start')).text).toBe(`arrived after ${MAX_REDIRECTS}`);
    expect(enough.received).toHaveLength(MAX_REDIRECTS + 1);
    await gateway!.close();

    const tooMany = await backend(hops(MAX_REDIRECTS + 1));
    const failed = await send(gatewayTo(`${tooMany.url}/base`, FOLLOW), 'GET', '/echo/start');
    expect(failed.status).toBe(500);
    expect(failed.text).toMatch(INTERNAL_ERROR);
    expect(tooMany.received).toHaveLength(MAX_REDIRECTS + 1);
    await gateway!.close();

    const handled = forwardPolicy(
      '<forward-request follow-redirects="true" />',
      '<return-response><set-status code="502" /><set-body>@(context.LastError.Source + ": " + context.LastError.Message)</set-body></return-response>',
    );
    const onError = await send(gatewayTo(`${tooMany.url}/base`, handled), 'GET', '/echo/start');
    expect(onError.status).toBe(502);
    expect(onError.text).toBe(`forward-request: The backend redirected more than ${MAX_REDIRECTS} times.`);
  });

  it('a Location that is no http(s) URL is a failed backend call', async () => {
    const a = await backend(redirecting(302, 'ftp://files.example/x'));
    const result = await send(gatewayTo(`${a.url}/base`, FOLLOW), 'GET', '/echo/start');
    expect(result.status).toBe(500);
    expect(result.text).toMatch(INTERNAL_ERROR);
  });

  it('a 3xx without Location is the answer', async () => {
    const a = await backend(redirecting(302, null));
    const result = await send(gatewayTo(`${a.url}/base`, FOLLOW), 'GET', '/echo/start');
    expect(result.status).toBe(302);
    expect(result.text).toBe('moved');
    expect(a.received).toHaveLength(1);
  });

  it('the timeout bounds the whole chain, not each hop', async () => {
    // Each hop answers well within the second; the third starts with little or nothing of it left, and no fourth is sent.
    const slow: Handler = (req, res) => {
      setTimeout(() => {
        const n = Number(/\/hop(\d+)$/.exec(req.url ?? '')?.[1] ?? 0);
        res.writeHead(302, { location: `/base/hop${n + 1}` });
        res.end();
      }, 400);
    };
    const a = await backend(slow);
    const result = await send(gatewayTo(`${a.url}/base`, forwardPolicy('<forward-request timeout="1" follow-redirects="true" />')), 'GET', '/echo/start');
    expect(result.status).toBe(500);
    expect(result.text).toMatch(INTERNAL_ERROR);
    // Without a deadline over the chain, every hop would have its own second: 11 calls, then "too many redirects".
    expect(a.received.map((r) => r.url)).toEqual(['/base/start', '/base/hop1', '/base/hop2'].slice(0, a.received.length));
    expect(a.received.length).toBeGreaterThanOrEqual(2);
    expect(a.received.length).toBeLessThanOrEqual(3);
  });
});

describe('forward-request without follow-redirects="true"', () => {
  it.each([
    ['the default path (no documents)', null],
    ['follow-redirects="false"', forwardPolicy('<forward-request follow-redirects="false" />')],
    ['a forward-request with other attributes', forwardPolicy('<forward-request timeout="30" />')],
  ])('%s passes the 3xx to the caller as the backend sent it', async (_, document) => {
    const a = await backend(redirecting(302, '/base/final'));
    const result = await send(gatewayTo(`${a.url}/base`, document), 'GET', '/echo/start');
    expect(result.status).toBe(302);
    expect(headerValues(result.response, 'location')).toEqual(['/base/final']);
    expect(result.text).toBe('moved');
    expect(a.received).toHaveLength(1);
  });
});
