import { describe, expect, it } from 'vitest';
import { composePolicy } from '../../src/policy/compose';
import { executePolicy } from '../../src/policy/execute';
import type { PolicyCallInit } from '../../src/policy/call';
import { formatTraceEntry, type Scope } from '../../src/policy/step';
import { bodyText, compiled, fakeServices, makeCall, policies, inboundRefusal as refusal } from './fakes';

function setup(inbound: string, scope: Scope, outbound?: string) {
  const services = fakeServices();
  const document = compiled(policies({ inbound: `<base />${inbound}`, ...(outbound ? { outbound } : {}) }), scope);
  const policy = composePolicy({ global: null, product: null, api: null, operation: null, [scope]: document });
  const call = async (overrides: Partial<PolicyCallInit> = {}) => {
    const c = makeCall({ services, ...overrides });
    const response = await executePolicy(policy, c);
    return { call: c, response, trace: c.trace?.map(formatTraceEntry) ?? [] };
  };
  return { services, call };
}

describe('rate-limit', () => {
  it('allows calls up to the limit per subscription, then answers APIM 429 until the window slides', async () => {
    const { services, call } = setup('<rate-limit calls="5" renewal-period="60" />', 'product');
    for (let i = 0; i < 5; i += 1) {
      expect((await call()).response.status).toBe(200);
      services.clock.advance(3);
    }
    const refused = await call();
    expect(refused.response.status).toBe(429);
    expect(bodyText(refused.response.body)).toBe('{ "statusCode": 429, "message": "Rate limit is exceeded. Try again in 45 seconds." }');
    expect(refused.response.headers.first('Retry-After')).toBe('45');
    expect(refused.trace).toEqual(['rate-limit (product starter, line 1): 6th call in 60 s, limit 5: 429, retry in 45 s']);
    // Another subscription has its own counter.
    expect((await call({ subscription: { ...refusedSub(), id: 'sub-2' } })).response.status).toBe(200);
    services.clock.advance(46);
    expect((await call()).response.status).toBe(200);
  });

  it('does not count calls made without a subscription', async () => {
    const { call } = setup('<rate-limit calls="1" renewal-period="60" />', 'api');
    expect((await call({ subscription: null })).trace).toEqual(['rate-limit (api echo-api, line 1): no subscription: not counted', 'forward-request (global, line 1): backend answered 200']);
    expect((await call({ subscription: null })).response.status).toBe(200);
  });

  it('honours the header and variable names', async () => {
    const { call } = setup(
      '<rate-limit calls="2" renewal-period="10" retry-after-header-name="X-Retry" retry-after-variable-name="retry" remaining-calls-header-name="X-Remaining" remaining-calls-variable-name="left" total-calls-header-name="X-Total" />',
      'operation',
    );
    const first = await call();
    expect(first.response.headers.first('X-Remaining')).toBe('1');
    expect(first.response.headers.first('X-Total')).toBe('2');
    expect(first.call.variables.get('left')).toBe(1);
    await call();
    const refused = await call();
    expect(refused.response.status).toBe(429);
    expect(refused.response.headers.has('Retry-After')).toBe(false);
    expect(refused.response.headers.first('X-Retry')).toBe('10');
    expect(refused.call.variables.get('retry')).toBe(10);
  });

  it('applies separate limits of <api> and <operation> children', async () => {
    const { call } = setup(
      '<rate-limit calls="10" renewal-period="60"><api name="Echo API" calls="2" renewal-period="60"><operation id="retrieve-resource" calls="1" renewal-period="60" /></api></rate-limit>',
      'product',
    );
    expect((await call()).response.status).toBe(200);
    expect((await call()).response.status).toBe(429);
    const other = { id: 'create-resource', name: 'Create', method: 'POST', urlTemplate: '/resource' };
    expect((await call({ operation: other })).response.status).toBe(200);
    expect((await call({ operation: other })).response.status).toBe(429);
  });

  it.each([
    ['<rate-limit calls="5" renewal-period="301" />', /from 1 to 300/],
    ['<rate-limit calls="0" renewal-period="60" />', /'calls' must be a whole number/],
    ['<rate-limit renewal-period="60" />', /'calls' is required/],
    ['<rate-limit calls="5" renewal-period="60" counter-key="x" />', /not allowed on 'rate-limit'/],
    ['<rate-limit calls="5" renewal-period="60"><api calls="1" renewal-period="1" /></rate-limit>', /'name' or an 'id'/],
    ['<rate-limit calls="5" renewal-period="60" retry-after-header-name="bad header" />', /must be a header name/],
  ])('refuses %s', (element, message) => {
    const error = refusal(element, 'product');
    expect(error.message).toMatch(message);
    expect(error.detail).toMatch(/line 1, column \d+/);
  });
});

describe('rate-limit-by-key', () => {
  it('counts per key value, shared between scopes using the same value', async () => {
    const element = '<rate-limit-by-key calls="2" renewal-period="60" counter-key="@(context.Request.IpAddress)" />';
    const api = setup(element, 'api');
    const operation = compiled(policies({ inbound: element }), 'operation');
    const policy = composePolicy({ global: null, product: null, api: null, operation });
    expect((await api.call()).response.status).toBe(200);
    expect((await executePolicy(policy, makeCall({ services: api.services }))).status).toBe(200);
    expect((await api.call()).response.status).toBe(429);
    expect((await api.call({ ipAddress: '10.9.9.9' })).response.status).toBe(200);
  });

  it('counts only when increment-condition holds on the response, with increment-count', async () => {
    const { services, call } = setup(
      '<rate-limit-by-key calls="3" renewal-period="60" counter-key="k" increment-condition="@(context.Response.StatusCode == 200)" increment-count="2" />',
      'api',
    );
    const failing = async () => ({ status: 500, headers: [], body: new Uint8Array() });
    expect((await call({ backend: failing })).response.status).toBe(500);
    expect(services.rateLimiter.peek('rate-limit-by-key|k', 3, 60).count).toBe(0);
    expect((await call()).response.status).toBe(200);
    expect(services.rateLimiter.peek('rate-limit-by-key|k', 3, 60).count).toBe(2);
    expect((await call()).response.status).toBe(200);
    expect((await call()).response.status).toBe(429);
  });

  it('refuses a missing counter-key and a long period', () => {
    expect(refusal('<rate-limit-by-key calls="1" renewal-period="60" />', 'global').message).toBe("The attribute 'counter-key' is required.");
    expect(refusal('<rate-limit-by-key calls="1" renewal-period="600" counter-key="k" />', 'global').message).toMatch(/from 1 to 300/);
  });
});

const refusedSub = () => ({ id: 'sub-1', name: 's', ownerId: null, createdDate: new Date('2024-01-01T00:00:00Z'), startDate: null, endDate: null });

describe('quota', () => {
  it('counts calls per subscription in fixed periods from its start, then answers APIM 403', async () => {
    const { services, call } = setup('<quota calls="2" renewal-period="3600" />', 'product');
    services.clock.ms = Date.parse('2024-01-01T00:10:00Z');
    expect((await call()).response.status).toBe(200);
    expect((await call()).response.status).toBe(200);
    const refused = await call();
    expect(refused.response.status).toBe(403);
    expect(bodyText(refused.response.body)).toBe('{ "statusCode": 403, "message": "Out of call volume quota. Quota will be replenished in 00:50:00." }');
    expect(refused.response.headers.first('Retry-After')).toBe('3000');
    expect(refused.trace[0]).toBe('quota (product starter, line 1): 3rd call of 2 (period 3600 s): 403 (calls), renews in 3000 s');
    services.clock.ms = Date.parse('2024-01-01T01:00:00Z');
    expect((await call()).response.status).toBe(200);
  });

  it('counts bandwidth in kilobytes, request and response bodies', async () => {
    const { call } = setup('<quota bandwidth="1" renewal-period="0" />', 'product');
    const big = async () => ({ status: 200, headers: [], body: new Uint8Array(600) });
    expect((await call({ backend: big, body: new Uint8Array(500) })).response.status).toBe(200);
    const refused = await call();
    expect(refused.response.status).toBe(403);
    expect(bodyText(refused.response.body)).toMatch(/^\{ "statusCode": 403, "message": "Out of bandwidth quota\. Quota will be replenished in /);
  });

  it('refuses quota outside product scope and without calls or bandwidth', () => {
    expect(refusal('<quota calls="1" renewal-period="60" />', 'operation').message).toBe("'quota' is not allowed at operation scope (allowed at: product).");
    expect(refusal('<quota renewal-period="60" />', 'product').message).toMatch(/'calls' or 'bandwidth'/);
  });
});

describe('quota-by-key', () => {
  it('counts per key value from first-period-start, only when increment-condition holds', async () => {
    const { services, call } = setup(
      '<quota-by-key calls="1" renewal-period="300" counter-key="@(context.Request.IpAddress)" first-period-start="2024-01-01T00:00:00Z" increment-condition="@(context.Response.StatusCode == 200)" />',
      'api',
    );
    services.clock.ms = Date.parse('2024-01-01T00:04:00Z');
    expect((await call({ backend: async () => ({ status: 404, headers: [], body: new Uint8Array() }) })).response.status).toBe(404);
    expect((await call()).response.status).toBe(200);
    const refused = await call();
    expect(bodyText(refused.response.body)).toMatch(/Quota will be replenished in 00:01:00\./);
    services.clock.advance(60);
    expect((await call()).response.status).toBe(200);
  });

  it('refuses a renewal period under 300 seconds (0 means never renews) and a bad date', () => {
    expect(refusal('<quota-by-key calls="1" renewal-period="299" counter-key="k" />', 'api').message).toMatch(/0 \(never renews\) or at least 300/);
    expect(() => compiled(policies({ inbound: '<quota-by-key calls="1" renewal-period="0" counter-key="k" />' }), 'api')).not.toThrow();
    expect(refusal('<quota-by-key calls="1" renewal-period="300" counter-key="k" first-period-start="yesterday" />', 'api').message).toMatch(/ISO 8601/);
  });
});
