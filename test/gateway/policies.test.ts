import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createDebugCredentials } from '../../src/catalog/debugCredentials';
import type { Forwarder } from '../../src/gateway/forward';
import { createGateway, type GatewayOptions } from '../../src/gateway/pipeline';
import type { PolicyDocuments, PolicyRecord, PolicyScopeRef } from '../../src/gateway/policies';
import { createPolicyServices } from '../../src/gateway/policyServices';
import { Clock } from '../policy/fakes';
import { api, bodyOf, catalogOf, headerList, headerValues, operation, product, recordingForwarder, request, subscription } from './fixtures';

/**
 * The policy stage end to end through the gateway core: stored documents, the
 * effective policy per (API, operation, product), the engine on the request path,
 * and the default path left exactly as it was.
 */

const KEY = {
  starter: 's'.repeat(32),
  gold: 'g'.repeat(32),
  apiScoped: 'a'.repeat(32),
  master: 'm'.repeat(32),
  other: 'o'.repeat(32),
};

const catalog = catalogOf({
  apis: [api('echo-api', 'echo', { serviceUrl: 'http://backend.test/base' }), api('other-api', 'other')],
  operations: [
    operation('echo-api', 'retrieve-resource', 'GET', '/resource'),
    operation('echo-api', 'create-resource', 'POST', '/resource'),
    operation('echo-api', 'get-item', 'GET', '/items/{id}'),
    operation('other-api', 'get', 'GET', '/x'),
  ],
  products: [product('starter'), product('gold'), product('open', { subscriptionRequired: false })],
  links: [
    ['starter', 'echo-api'],
    ['gold', 'echo-api'],
    ['open', 'other-api'],
  ],
  subscriptions: [
    subscription('starter-sub', '/products/starter', KEY.starter),
    subscription('gold-sub', '/products/gold', KEY.gold),
    subscription('api-sub', '/apis/echo-api', KEY.apiScoped),
    subscription('master', '/', KEY.master),
    subscription('other-sub', '/apis/other-api', KEY.other),
  ],
});

/** Documents in memory, as the catalog will hold them; every write is a new version. */
class Documents implements PolicyDocuments {
  version = 1;
  reads = 0;
  private readonly records = new Map<string, PolicyRecord>();

  put(ref: PolicyScopeRef, value: string, format: 'xml' | 'rawxml' = 'rawxml'): this {
    this.records.set(JSON.stringify(ref), { ...ref, format, value } as PolicyRecord);
    this.version++;
    return this;
  }

  policyDocument(ref: PolicyScopeRef): PolicyRecord | undefined {
    this.reads++;
    return this.records.get(JSON.stringify(ref));
  }
}

const policies = (sections: Partial<Record<'inbound' | 'backend' | 'outbound' | 'on-error', string>>) =>
  `<policies>${(['inbound', 'backend', 'outbound', 'on-error'] as const).map((s) => `<${s}>${sections[s] ?? '<base />'}</${s}>`).join('')}</policies>`;

const STARTER = policies({ inbound: '<base /><rate-limit calls="5" renewal-period="60" /><quota calls="100" renewal-period="604800" />' });

function setup(documents: Documents, options: Partial<GatewayOptions> = {}) {
  const clock = new Clock(Date.UTC(2026, 0, 5));
  const forwarder = recordingForwarder();
  const services = createPolicyServices({ now: clock.now, timers: false });
  const gateway = createGateway({ catalog, forwarder, policies: documents, policyServices: services, activityId: () => 'activity-1', ...options });
  const call = (method: string, path: string, key: string | null, headers: Record<string, string> = {}, body: Uint8Array | null = null) =>
    gateway.handle(request(method, `https://gw.test${path}`, { ...(key ? { 'Ocp-Apim-Subscription-Key': key } : {}), ...headers }, body));
  return { clock, forwarder, services, gateway, call };
}

const text = async (response: Parameters<typeof bodyOf>[0]) => (await bodyOf(response)).toString('utf8');

describe('policies in the gateway: the default path', () => {
  it('forwards exactly as without the policy engine when every scope is at its default', async () => {
    const documents = new Documents().put({ scope: 'api', apiId: 'other-api' }, policies({ inbound: '<base /><set-header name="x" exists-action="override"><value>1</value></set-header>' }));
    const withPolicies = setup(documents);
    const plainForwarder = recordingForwarder();
    const without = createGateway({ catalog, forwarder: plainForwarder, activityId: () => 'activity-1' });
    for (const [method, path] of [['GET', '/echo/resource?param1=sample&subscription-key=x'], ['POST', '/echo/resource']] as const) {
      const headers = { 'Ocp-Apim-Subscription-Key': KEY.starter, 'X-Custom': 'v', Connection: 'keep-alive' };
      const a = await withPolicies.gateway.handle(request(method, `https://gw.test${path}`, headers, new Uint8Array([1, 2])));
      const b = await without.handle(request(method, `https://gw.test${path}`, headers, new Uint8Array([1, 2])));
      expect({ status: a.status, headers: headerList(a), body: await bodyOf(a) }).toEqual({ status: b.status, headers: headerList(b), body: await bodyOf(b) });
    }
    // The backend call is built by the same stage as before: same origin, path, headers, body.
    expect(withPolicies.forwarder.calls).toEqual(plainForwarder.calls);
    expect(withPolicies.forwarder.calls[0]).toMatchObject({ origin: 'http://backend.test', path: '/base/resource?param1=sample&subscription-key=x' });
    expect(withPolicies.forwarder.calls[0]!.timeoutMs).toBeUndefined();
  });

  it('computes effective policies once per documents version, never per request', async () => {
    const documents = new Documents().put({ scope: 'api', apiId: 'echo-api' }, policies({}));
    const { call } = setup(documents);
    for (let i = 0; i < 20; i++) expect((await call('GET', '/echo/resource', KEY.apiScoped)).status).toBe(200);
    const reads = documents.reads;
    expect(reads).toBeLessThanOrEqual(4);
    for (let i = 0; i < 20; i++) await call('GET', '/echo/resource', KEY.apiScoped);
    expect(documents.reads).toBe(reads);
    documents.put({ scope: 'operation', apiId: 'echo-api', operationId: 'retrieve-resource' }, policies({ backend: '' }));
    const after = await call('GET', '/echo/resource', KEY.apiScoped);
    expect(after.status).toBe(200);
    expect(await text(after)).toBe('');
    expect(documents.reads).toBeGreaterThan(reads);
  });

  it('answers 500 (APIM shape) rather than run a call without a stored document that does not compile', async () => {
    const documents = new Documents().put({ scope: 'product', productId: 'starter' }, '<policies><inbound><no-such-policy /></inbound></policies>');
    const logged: string[] = [];
    const original = console.error;
    console.error = (message: string) => logged.push(message);
    try {
      const { call, forwarder } = setup(documents);
      const response = await call('GET', '/echo/resource', KEY.starter);
      expect(response.status).toBe(500);
      expect(JSON.parse(await text(response))).toMatchObject({ statusCode: 500, message: 'Internal server error', activityId: 'activity-1' });
      expect(forwarder.calls).toHaveLength(0);
      // Other products are not concerned.
      expect((await call('GET', '/echo/resource', KEY.gold)).status).toBe(200);
    } finally {
      console.error = original;
    }
    expect(logged.join('\n')).toContain("product 'starter'");
  });
});

describe('policies in the gateway: enforcement', () => {
  it('scenario 1: an operation whose backend section has no forward-request answers 200 with an empty body, without calling the backend', async () => {
    const documents = new Documents().put({ scope: 'operation', apiId: 'echo-api', operationId: 'retrieve-resource' }, '<policies><inbound><base /></inbound><backend></backend><outbound><base /></outbound><on-error><base /></on-error></policies>');
    const { call, forwarder } = setup(documents);
    const response = await call('GET', '/echo/resource', KEY.apiScoped);
    expect(response.status).toBe(200);
    expect(await bodyOf(response)).toEqual(Buffer.alloc(0));
    expect(headerValues(response, 'content-length')).toEqual(['0']);
    expect(forwarder.calls).toHaveLength(0);
  });

  it("rate-limit: the 6th call in 60 s gets APIM's 429 body and Retry-After; the window slides on", async () => {
    const { call, clock, forwarder } = setup(new Documents().put({ scope: 'product', productId: 'starter' }, STARTER));
    for (let i = 0; i < 5; i++) expect((await call('GET', '/echo/resource', KEY.starter)).status).toBe(200);
    clock.advance(20);
    const refused = await call('GET', '/echo/resource', KEY.starter);
    expect(refused.status).toBe(429);
    const retryAfter = Number(headerValues(refused, 'retry-after')[0]);
    expect(retryAfter).toBeGreaterThanOrEqual(40);
    expect(retryAfter).toBeLessThanOrEqual(43);
    expect(await text(refused)).toBe(`{ "statusCode": 429, "message": "Rate limit is exceeded. Try again in ${retryAfter} seconds." }`);
    expect(headerValues(refused, 'content-type')).toEqual(['application/json']);
    expect(forwarder.calls).toHaveLength(5);
    clock.advance(retryAfter);
    expect((await call('GET', '/echo/resource', KEY.starter)).status).toBe(200);
  });

  it('rate-limit: the remaining-calls header counts the calls left after this one (5, then 4, 3, 2, 1, 0 left)', async () => {
    const element = '<rate-limit calls="5" renewal-period="60" remaining-calls-header-name="X-Remaining" total-calls-header-name="X-Total" />';
    const { call } = setup(new Documents().put({ scope: 'product', productId: 'starter' }, policies({ inbound: `<base />${element}` })));
    const remaining: string[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await call('GET', '/echo/resource', KEY.starter);
      expect(response.status).toBe(200);
      expect(headerValues(response, 'X-Total')).toEqual(['5']);
      remaining.push(...headerValues(response, 'X-Remaining'));
    }
    expect(remaining).toEqual(['4', '3', '2', '1', '0']);
    const refused = await call('GET', '/echo/resource', KEY.starter);
    expect(refused.status).toBe(429);
    expect(headerValues(refused, 'X-Remaining')).toEqual(['0']);
  });

  it('ietf-headers: RateLimit-Limit, -Remaining and -Reset from the real counters on the 200s and the 429; none without the attribute', async () => {
    const element = '<rate-limit calls="2" renewal-period="60" ietf-headers="true" /><quota calls="100" renewal-period="604800" ietf-headers="true" />';
    const documents = new Documents()
      .put({ scope: 'product', productId: 'starter' }, policies({ inbound: `<base />${element}` }))
      .put({ scope: 'product', productId: 'gold' }, policies({ inbound: '<base /><rate-limit calls="1" renewal-period="60" /><quota calls="100" renewal-period="604800" />' }));
    const { call, clock } = setup(documents);
    const ietf = (response: Awaited<ReturnType<typeof call>>) => ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'].map((name) => headerValues(response, name).join());
    const first = await call('GET', '/echo/resource', KEY.starter);
    expect(first.status).toBe(200);
    expect(ietf(first)).toEqual(['2', '1', '60']);
    clock.advance(20.5);
    expect(ietf(await call('GET', '/echo/resource', KEY.starter))).toEqual(['2', '0', '40']);
    clock.advance(5);
    const refused = await call('GET', '/echo/resource', KEY.starter);
    expect(refused.status).toBe(429);
    expect(ietf(refused)).toEqual(['2', '0', '35']);
    expect(headerValues(refused, 'retry-after')).toEqual(['35']);
    expect(await text(refused)).toBe('{ "statusCode": 429, "message": "Rate limit is exceeded. Try again in 35 seconds." }');
    // Without the attribute: the 200 and the 429 carry none of them.
    for (const status of [200, 429]) {
      const response = await call('GET', '/echo/resource', KEY.gold);
      expect(response.status).toBe(status);
      expect(headerList(response).filter(([name]) => name.toLowerCase().startsWith('ratelimit'))).toEqual([]);
    }
  });

  it('quota: the call past the quota gets 403 with the time to renewal', async () => {
    const { call } = setup(new Documents().put({ scope: 'product', productId: 'gold' }, policies({ inbound: '<base /><quota calls="2" renewal-period="3600" />' })));
    expect((await call('GET', '/echo/resource', KEY.gold)).status).toBe(200);
    expect((await call('GET', '/echo/resource', KEY.gold)).status).toBe(200);
    const refused = await call('GET', '/echo/resource', KEY.gold);
    expect(refused.status).toBe(403);
    expect(await text(refused)).toMatch(/^\{ "statusCode": 403, "message": "Out of call volume quota\. Quota will be replenished in \d\d:\d\d:\d\d\." \}$/);
    expect(headerValues(refused, 'retry-after')).toHaveLength(1);
  });

  it('ip-filter: a caller outside the allowed addresses gets 403 Forbidden; the address is the last X-Forwarded-For hop', async () => {
    const { call, forwarder } = setup(new Documents().put({ scope: 'api', apiId: 'echo-api' }, policies({ inbound: '<base /><ip-filter action="allow"><address>203.0.113.7</address></ip-filter>' })));
    const allowed = await call('GET', '/echo/resource', KEY.apiScoped, { 'X-Forwarded-For': '10.0.0.1, 203.0.113.7:50312' });
    expect(allowed.status).toBe(200);
    // A caller writing the allowed address first does not get through.
    const spoofed = await call('GET', '/echo/resource', KEY.apiScoped, { 'X-Forwarded-For': '203.0.113.7, 198.51.100.2' });
    expect(spoofed.status).toBe(403);
    expect(await text(spoofed)).toBe('{ "statusCode": 403, "message": "Forbidden" }');
    expect(forwarder.calls).toHaveLength(1);
  });

  it('return-response in outbound replaces the backend answer', async () => {
    const { call, forwarder } = setup(
      new Documents().put({ scope: 'api', apiId: 'echo-api' }, policies({ outbound: '<base /><return-response><set-status code="202" reason="Accepted" /><set-header name="X-Replaced" exists-action="override"><value>yes</value></set-header><set-body>replaced</set-body></return-response>' })),
    );
    const response = await call('GET', '/echo/resource', KEY.apiScoped);
    expect(forwarder.calls).toHaveLength(1);
    expect(response.status).toBe(202);
    expect(await text(response)).toBe('replaced');
    expect(headerValues(response, 'x-replaced')).toEqual(['yes']);
    expect(headerValues(response, 'content-length')).toEqual(['8']);
  });

  it('set-header, rewrite-uri and set-backend-service change the backend call; the query goes on as received when untouched', async () => {
    const { call, forwarder } = setup(
      new Documents().put(
        { scope: 'operation', apiId: 'echo-api', operationId: 'get-item' },
        policies({
          inbound:
            '<base /><set-header name="X-Added" exists-action="override"><value>added</value></set-header><set-header name="X-Remove" exists-action="delete" /><rewrite-uri template="/v2/things/{id}" /><set-backend-service base-url="https://other.test/root/" />',
        }),
      ),
    );
    const response = await call('GET', '/echo/items/42?a=%2F&b=1', KEY.apiScoped, { 'X-Remove': 'gone', 'X-Kept': 'kept' });
    expect(response.status).toBe(200);
    const sent = forwarder.calls[0]!;
    expect(sent.origin).toBe('https://other.test');
    expect(sent.path).toBe('/root/v2/things/42?a=%2F&b=1');
    expect(sent.headers).toContainEqual(['host', 'other.test']);
    expect(sent.headers).toContainEqual(['x-added', 'added']);
    expect(sent.headers).toContainEqual(['x-kept', 'kept']);
    expect(sent.headers.map(([n]) => n)).not.toContain('x-remove');
    expect(sent.timeoutMs).toBe(300_000);
  });

  it("the caller's Connection header removes neither X-Forwarded-* nor a header a policy set; the debug token stays here", async () => {
    const credentials = createDebugCredentials(randomBytes(32));
    const clockDate = new Date('2026-01-05T10:00:00Z');
    const { gateway, forwarder } = setup(
      new Documents().put(
        { scope: 'api', apiId: 'echo-api' },
        policies({ inbound: '<base /><set-header name="X-Backend-Secret" exists-action="override"><value>from-the-policy</value></set-header>' }),
      ),
      { debug: credentials, now: () => clockDate },
    );
    const token = credentials.issue('echo-api', new Date(clockDate.getTime() + 60_000));
    const response = await gateway.handle({
      ...request('GET', 'https://gw.test/echo/resource', {
        'Ocp-Apim-Subscription-Key': KEY.apiScoped,
        Connection: 'keep-alive, X-Forwarded-For, x-forwarded-proto, X-Backend-Secret, X-Hop',
        'X-Forwarded-For': '203.0.113.7:50312',
        'X-Forwarded-Proto': 'https',
        'X-Backend-Secret': 'from-the-caller',
        'X-Hop': 'dropped because Connection names it',
        'Apim-Debug-Authorization': token,
      }),
      remoteAddress: '198.51.100.4',
    });
    expect(response.status).toBe(200);
    expect(headerValues(response, 'apim-trace-id')).toHaveLength(1);
    const sent = forwarder.calls[0]!.headers;
    expect(sent.filter(([n]) => n === 'x-forwarded-for')).toEqual([['x-forwarded-for', '203.0.113.7:50312, 198.51.100.4']]);
    expect(sent).toContainEqual(['x-forwarded-proto', 'https']);
    expect(sent.filter(([n]) => n === 'x-backend-secret')).toEqual([['x-backend-secret', 'from-the-policy']]);
    expect(sent.map(([n]) => n)).not.toContain('x-hop');
    expect(sent.map(([n]) => n)).not.toContain('apim-debug-authorization');
  });

  it('ip-filter: the peer address the adapter saw wins over any X-Forwarded-For the caller wrote', async () => {
    const { gateway } = setup(new Documents().put({ scope: 'api', apiId: 'echo-api' }, policies({ inbound: '<base /><ip-filter action="allow"><address>198.51.100.4</address></ip-filter>' })));
    const from = (remoteAddress: string) =>
      gateway.handle({ ...request('GET', 'https://gw.test/echo/resource', { 'Ocp-Apim-Subscription-Key': KEY.apiScoped, 'X-Forwarded-For': '198.51.100.4' }), remoteAddress });
    expect((await from('198.51.100.4')).status).toBe(200);
    expect((await from('203.0.113.9')).status).toBe(403);
  });

  it('forward-request timeout becomes the backend call timeout', async () => {
    const { call, forwarder } = setup(new Documents().put({ scope: 'api', apiId: 'echo-api' }, policies({ backend: '<forward-request timeout="5" />' })));
    expect((await call('GET', '/echo/resource', KEY.apiScoped)).status).toBe(200);
    expect(forwarder.calls[0]!.timeoutMs).toBe(5000);
  });

  it('cache: a hit answers without a backend call; a caller who failed the key check never gets the cached answer', async () => {
    const { call, forwarder, clock } = setup(
      new Documents().put({ scope: 'api', apiId: 'echo-api' }, policies({ inbound: '<base /><cache-lookup vary-by-developer="false" vary-by-developer-groups="false" />', outbound: '<base /><cache-store duration="60" />' })),
    );
    const first = await call('GET', '/echo/resource', KEY.apiScoped);
    expect(await text(first)).toBe('backend');
    const hit = await call('GET', '/echo/resource', KEY.gold);
    expect(hit.status).toBe(200);
    expect(await text(hit)).toBe('backend');
    expect(forwarder.calls).toHaveLength(1);
    // The policy stage runs only after authorization: no key, a wrong key, a key of another API: 401, never the cached 200.
    expect((await call('GET', '/echo/resource', null)).status).toBe(401);
    expect((await call('GET', '/echo/resource', 'w'.repeat(32))).status).toBe(401);
    expect((await call('GET', '/echo/resource', KEY.other)).status).toBe(401);
    clock.advance(61);
    await call('GET', '/echo/resource', KEY.apiScoped);
    expect(forwarder.calls).toHaveLength(2);
  });

  it('product scope applies only to calls with a subscription of that product', async () => {
    const { call } = setup(new Documents().put({ scope: 'product', productId: 'starter' }, policies({ inbound: '<base /><rate-limit calls="1" renewal-period="60" />' })));
    expect((await call('GET', '/echo/resource', KEY.starter)).status).toBe(200);
    expect((await call('GET', '/echo/resource', KEY.starter)).status).toBe(429);
    // An API-scoped, the all-access and another product's subscription: the starter document is not theirs.
    for (const key of [KEY.apiScoped, KEY.master, KEY.gold]) {
      for (let i = 0; i < 3; i++) expect((await call('GET', '/echo/resource', key)).status).toBe(200);
    }
  });

  it('no product scope for keyless calls through an open product', async () => {
    const { call, forwarder } = setup(new Documents().put({ scope: 'product', productId: 'open' }, policies({ backend: '' })));
    expect((await call('GET', '/other/x', null)).status).toBe(200);
    expect(forwarder.calls).toHaveLength(1);
  });

  it("a failing backend runs on-error; unhandled, the caller gets APIM's 500 shape", async () => {
    const failing: Forwarder = { forward: async () => ({ rejected: 'backendUnreachable', backendError: 'ECONNREFUSED' }), close: async () => undefined };
    const plain = setup(new Documents().put({ scope: 'api', apiId: 'echo-api' }, policies({ inbound: '<base /><set-header name="x" exists-action="override"><value>1</value></set-header>' })), { forwarder: failing });
    const unhandled = await plain.call('GET', '/echo/resource', KEY.apiScoped);
    expect(unhandled.status).toBe(500);
    expect(JSON.parse(await text(unhandled))).toEqual({ statusCode: 500, message: 'Internal server error', activityId: 'activity-1' });

    const handled = setup(
      new Documents().put({ scope: 'api', apiId: 'echo-api' }, policies({ 'on-error': '<base /><return-response><set-status code="503" reason="Down" /><set-body>backend down</set-body></return-response>' })),
      { forwarder: failing },
    );
    const answer = await handled.call('GET', '/echo/resource', KEY.apiScoped);
    expect(answer.status).toBe(503);
    expect(await text(answer)).toBe('backend down');
  });

  it('a streamed backend answer passes through as a stream when no outbound policy reads it', async () => {
    const chunks = [new Uint8Array(20_000).fill(97), new Uint8Array(10).fill(98)];
    const streaming: Forwarder = {
      forward: async () => ({
        status: 200,
        headers: [['content-type', 'application/octet-stream'], ['content-length', '20010']],
        body: new ReadableStream({
          start(controller) {
            for (const chunk of chunks) controller.enqueue(chunk);
            controller.close();
          },
        }),
      }),
      close: async () => undefined,
    };
    const { call } = setup(new Documents().put({ scope: 'api', apiId: 'echo-api' }, policies({ inbound: '<base /><rate-limit calls="10" renewal-period="60" />' })), { forwarder: streaming });
    const response = await call('GET', '/echo/resource', KEY.apiScoped);
    expect(response.body).toBeInstanceOf(ReadableStream);
    expect(headerValues(response, 'content-length')).toEqual(['20010']);
    expect((await bodyOf(response)).length).toBe(20_010);
  });
});

describe('policies in the trace', () => {
  it('lists every policy step that ran, in order, with its scope and decision', async () => {
    const credentials = createDebugCredentials(randomBytes(32));
    const clockDate = new Date('2026-01-05T10:00:00Z');
    const documents = new Documents()
      .put({ scope: 'product', productId: 'starter' }, policies({ inbound: '<base /><rate-limit calls="1" renewal-period="60" />' }))
      .put({ scope: 'api', apiId: 'echo-api' }, policies({ inbound: '<base /><set-header name="X-A" exists-action="override"><value>1</value></set-header>', outbound: '<base /><set-header name="X-B" exists-action="override"><value>2</value></set-header>' }));
    const { call } = setup(documents, { debug: credentials, now: () => clockDate });
    const token = credentials.issue('echo-api', new Date(clockDate.getTime() + 60_000));
    const traceOf = async (response: ReturnType<typeof call>) => {
      const id = headerValues(await response, 'apim-trace-id')[0]!;
      return credentials.openTrace(id, clockDate) as { traceEntries: Record<'inbound' | 'backend' | 'outbound', { source: string; data: Record<string, unknown> }[]> };
    };
    const first = await traceOf(call('GET', '/echo/resource', KEY.starter, { 'Apim-Debug-Authorization': token }));
    expect(first.traceEntries.inbound.map((e) => e.source)).toEqual(['api-inspector', 'api-matching', 'subscription-key', 'authorization', 'rate-limit', 'set-header']);
    expect(first.traceEntries.inbound[4]!.data).toMatchObject({ scope: 'product', scopeName: 'starter' });
    expect(String(first.traceEntries.inbound[4]!.data.message)).toMatch(/^rate-limit \(product starter, line 1\): 1st call in 60 s, limit 1: allowed/);
    expect(first.traceEntries.inbound[5]!.data).toMatchObject({ scope: 'api', scopeName: 'echo-api' });
    expect(first.traceEntries.backend.map((e) => e.source)).toEqual(['forward-request']);
    expect(first.traceEntries.backend[0]!.data).toMatchObject({ scope: 'global', decision: 'backend answered 200' });
    expect(first.traceEntries.outbound.map((e) => e.source)).toEqual(['set-header', 'gateway']);
    expect(first.traceEntries.outbound[1]!.data).toMatchObject({ status: 200, outcome: 'forwarded' });

    const second = await traceOf(call('GET', '/echo/resource', KEY.starter, { 'Apim-Debug-Authorization': token }));
    expect(second.traceEntries.inbound.map((e) => e.source).slice(4)).toEqual(['rate-limit']);
    expect(String(second.traceEntries.inbound[4]!.data.message)).toMatch(/^rate-limit \(product starter, line 1\): 2nd call in 60 s, limit 1: 429, retry in \d+ s$/);
    expect(second.traceEntries.backend).toEqual([]);
    expect(second.traceEntries.outbound.at(-1)!.data).toMatchObject({ status: 429, outcome: 'policyAnswered' });
    // Never a key in the trace.
    expect(JSON.stringify(second)).not.toContain(KEY.starter);
  });
});
