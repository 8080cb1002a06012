import { describe, expect, it } from 'vitest';
import type { PolicyCallInit, PolicyResponse } from '../../src/policy/call';
import { composePolicy } from '../../src/policy/compose';
import { executePolicy } from '../../src/policy/execute';
import type { Scope } from '../../src/policy/step';
import { compiled, fakeServices, makeCall, policies, SUBSCRIPTION, inboundRefusal as refusal } from './fakes';

/**
 * Our extension `ietf-headers="true"` on rate-limit, rate-limit-by-key, quota and
 * quota-by-key: RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset on the
 * response the caller gets, allowed or refused, from the most restrictive limit.
 */

type Documents = Partial<Record<'product' | 'api' | 'operation', string>>;

function setup(inbound: Documents) {
  const services = fakeServices();
  const document = (scope: Scope) => (inbound[scope as keyof Documents] === undefined ? null : compiled(policies({ inbound: `<base />${inbound[scope as keyof Documents]}` }), scope));
  const policy = composePolicy({ global: null, product: document('product'), api: document('api'), operation: document('operation') });
  const call = async (overrides: Partial<PolicyCallInit> = {}) => executePolicy(policy, makeCall({ services, ...overrides }));
  return { services, call };
}

/** The three headers as [Limit, Remaining, Reset]; undefined for a header that is absent. */
const ietf = (response: PolicyResponse) => ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'].map((name) => response.headers.get(name)?.join(' | '));

const NONE = [undefined, undefined, undefined];

describe('IETF RateLimit headers: off unless asked for', () => {
  it.each([
    ['rate-limit', '<rate-limit calls="1" renewal-period="60" />', 'product'],
    ['rate-limit-by-key', '<rate-limit-by-key calls="1" renewal-period="60" counter-key="k" />', 'api'],
    ['quota', '<quota calls="1" renewal-period="3600" />', 'product'],
    ['quota-by-key', '<quota-by-key calls="1" renewal-period="3600" counter-key="k" />', 'api'],
  ] as const)('%s without the attribute (or with "false") adds none, allowed or refused', async (_, element, scope) => {
    for (const written of [element, element.replace(' />', ' ietf-headers="false" />')]) {
      const { call } = setup({ [scope]: written });
      const allowed = await call();
      expect(allowed.status).toBe(200);
      expect(allowed.headers.toList()).toEqual([['Content-Type', 'text/plain']]);
      const refused = await call();
      expect(refused.status).toBeGreaterThanOrEqual(403);
      expect(ietf(refused)).toEqual(NONE);
      expect(refused.headers.names.map((name) => name.toLowerCase())).not.toContain('ratelimit-limit');
    }
  });
});

describe('IETF RateLimit headers: rate-limit', () => {
  it('allowed: the limit, the calls left after this one, the seconds until the window frees a call; refused: 0 left and Reset = Retry-After', async () => {
    const { services, call } = setup({ product: '<rate-limit calls="3" renewal-period="60" ietf-headers="true" remaining-calls-header-name="X-Remaining" />' });
    expect(ietf(await call())).toEqual(['3', '2', '60']);
    services.clock.advance(10);
    const second = await call();
    expect(ietf(second)).toEqual(['3', '1', '50']);
    // APIM's own header says the same.
    expect(second.headers.first('X-Remaining')).toBe('1');
    services.clock.advance(5);
    expect(ietf(await call())).toEqual(['3', '0', '45']);
    services.clock.advance(0.5);
    const refused = await call();
    expect(refused.status).toBe(429);
    expect(ietf(refused)).toEqual(['3', '0', '45']);
    expect(refused.headers.first('Retry-After')).toBe('45');
    // Once the oldest call has left, one call fits again.
    services.clock.advance(45);
    expect(ietf(await call())).toEqual(['3', '0', '10']);
  });

  it('a call without a subscription is not counted and gets no headers', async () => {
    const { call } = setup({ api: '<rate-limit calls="1" renewal-period="60" ietf-headers="true" />' });
    expect(ietf(await call({ subscription: null }))).toEqual(NONE);
  });

  it('<api>/<operation> limits: the one with the fewest calls left speaks; the one that refuses speaks on the 429', async () => {
    const { services, call } = setup({
      product: '<rate-limit calls="10" renewal-period="60" ietf-headers="true"><api name="Echo API" calls="2" renewal-period="30" /></rate-limit>',
    });
    expect(ietf(await call())).toEqual(['2', '1', '30']);
    services.clock.advance(1);
    expect(ietf(await call())).toEqual(['2', '0', '29']);
    const refused = await call();
    expect(refused.status).toBe(429);
    expect(ietf(refused)).toEqual(['2', '0', refused.headers.first('Retry-After')]);
    // Another API: only the product-wide limit applies (2 calls counted of 10).
    const other = { ...makeCall().api, id: 'other-api', name: 'Other' };
    expect(ietf(await call({ api: other }))).toEqual(['10', '7', '59']);
  });

  it('refuses a value other than true/false at write time, at the attribute', () => {
    const error = refusal('<rate-limit calls="5" renewal-period="60"\n    ietf-headers="yes" />', 'product');
    expect(error.element).toBe('rate-limit');
    expect(error.message).toBe("The attribute 'ietf-headers' must be 'true' or 'false'; got 'yes'.");
    expect(error.detail).toMatch(/^Error in element 'rate-limit' on line 2, column 5: /);
  });

  it('is not an attribute of <api>/<operation> children', () => {
    expect(refusal('<rate-limit calls="5" renewal-period="60"><api name="x" calls="1" renewal-period="60" ietf-headers="true" /></rate-limit>', 'product').message).toMatch(
      /'ietf-headers' is not allowed on 'api'/,
    );
  });
});

describe('IETF RateLimit headers: rate-limit-by-key', () => {
  it('counts increment-count calls off what is left', async () => {
    const { call } = setup({ api: '<rate-limit-by-key calls="5" renewal-period="20" counter-key="@(context.Request.IpAddress)" increment-count="2" ietf-headers="true" />' });
    expect(ietf(await call())).toEqual(['5', '3', '20']);
    expect(ietf(await call())).toEqual(['5', '1', '20']);
    // 4 counted: one more call fits (and counts 2), then none.
    const third = await call();
    expect(third.status).toBe(200);
    expect(ietf(third)).toEqual(['5', '0', '20']);
    const next = await call();
    expect(next.status).toBe(429);
    expect(ietf(next)).toEqual(['5', '0', '20']);
  });

  it('with increment-condition: the call is counted once the response is known; Reset is the period while nothing is counted', async () => {
    const { call, services } = setup({
      api: '<rate-limit-by-key calls="2" renewal-period="60" counter-key="k" increment-condition="@(context.Response.StatusCode == 200)" ietf-headers="true" />',
    });
    expect(ietf(await call())).toEqual(['2', '1', '60']);
    services.clock.advance(15);
    expect(ietf(await call())).toEqual(['2', '0', '45']);
    expect((await call()).status).toBe(429);
  });

  it('refuses a bad value at write time', () => {
    const error = refusal('<rate-limit-by-key calls="5" renewal-period="60" counter-key="k" ietf-headers="1" />', 'api');
    expect(error.element).toBe('rate-limit-by-key');
    expect(error.message).toMatch(/'ietf-headers' must be 'true' or 'false'/);
  });
});

describe('IETF RateLimit headers: quota', () => {
  it('calls: what is left of the period once this call is counted, and the seconds until it renews; the 403 says 0', async () => {
    const { services, call } = setup({ product: '<quota calls="2" renewal-period="3600" ietf-headers="true" />' });
    expect(ietf(await call())).toEqual(['2', '1', '3600']);
    services.clock.advance(599.5);
    expect(ietf(await call())).toEqual(['2', '0', '3001']);
    const refused = await call();
    expect(refused.status).toBe(403);
    expect(ietf(refused)).toEqual(['2', '0', '3001']);
    services.clock.advance(3001);
    expect(ietf(await call())).toEqual(['2', '1', '3600']);
  });

  it('bandwidth alone: in kilobytes; a spent bandwidth says 0 of its kilobytes on the 403', async () => {
    const backend = async () => ({ status: 200, headers: [] as [string, string][], body: new Uint8Array(1536) });
    const { call } = setup({ product: '<quota bandwidth="2" renewal-period="3600" ietf-headers="true" />' });
    expect(ietf(await call({ backend }))).toEqual(['2', '2', '3600']);
    expect(ietf(await call({ backend }))).toEqual(['2', '1', '3600']);
    const refused = await call({ backend });
    expect(refused.status).toBe(403);
    expect(ietf(refused)).toEqual(['2', '0', '3600']);
  });

  it('calls and bandwidth: the calls speak until the bandwidth is spent', async () => {
    const backend = async () => ({ status: 200, headers: [] as [string, string][], body: new Uint8Array(2048) });
    const { call } = setup({ product: '<quota calls="10" bandwidth="1" renewal-period="3600" ietf-headers="true" />' });
    expect(ietf(await call({ backend }))).toEqual(['10', '9', '3600']);
    const refused = await call({ backend });
    expect(refused.status).toBe(403);
    expect(ietf(refused)).toEqual(['1', '0', '3600']);
  });

  it('a quota that never renews (renewal-period 0) says nothing: Reset cannot say "never"', async () => {
    const { call } = setup({ product: '<quota calls="1" renewal-period="0" ietf-headers="true" />' });
    expect(ietf(await call())).toEqual(NONE);
    const refused = await call();
    expect(refused.status).toBe(403);
    expect(ietf(refused)).toEqual(NONE);
  });

  it('<api> limits take part; the refusing one speaks on the 403', async () => {
    const { call } = setup({ product: '<quota calls="100" renewal-period="3600" ietf-headers="true"><api id="echo-api" calls="1" renewal-period="600" /></quota>' });
    expect(ietf(await call())).toEqual(['1', '0', '600']);
    const refused = await call();
    expect(refused.status).toBe(403);
    expect(ietf(refused)).toEqual(['1', '0', '600']);
  });

  it('refuses a bad value at write time', () => {
    expect(refusal('<quota calls="5" renewal-period="600" ietf-headers="" />', 'product').message).toMatch(/'ietf-headers' must be 'true' or 'false'; got ''/);
  });
});

describe('IETF RateLimit headers: quota-by-key', () => {
  it('counts per key value from first-period-start', async () => {
    const start = new Date(SUBSCRIPTION.createdDate.getTime() - 100_000).toISOString();
    const { call } = setup({ api: `<quota-by-key calls="3" renewal-period="300" counter-key="k" first-period-start="${start}" ietf-headers="true" />` });
    expect(ietf(await call())).toEqual(['3', '2', '200']);
    await call();
    expect(ietf(await call())).toEqual(['3', '0', '200']);
    const refused = await call();
    expect(refused.status).toBe(403);
    expect(ietf(refused)).toEqual(['3', '0', '200']);
  });

  it('refuses a bad value at write time', () => {
    const error = refusal('<quota-by-key calls="5" renewal-period="600" counter-key="k" ietf-headers="TRUE!" />', 'api');
    expect(error.element).toBe('quota-by-key');
    expect(error.detail).toMatch(/^Error in element 'quota-by-key' on line 1, column \d+: The attribute 'ietf-headers'/);
  });
});

describe('IETF RateLimit headers: several limits on one call', () => {
  it('the fewest calls left speaks, across elements and scopes', async () => {
    const { services, call } = setup({
      product: '<rate-limit calls="5" renewal-period="60" ietf-headers="true" /><quota calls="3" renewal-period="3600" ietf-headers="true" />',
    });
    expect(ietf(await call())).toEqual(['3', '2', '3600']);
    services.clock.advance(1);
    expect(ietf(await call())).toEqual(['3', '1', '3599']);
  });

  it('a spent limit speaks first; among spent ones the longest wait', async () => {
    const { services, call } = setup({
      product: '<rate-limit calls="2" renewal-period="60" ietf-headers="true" />',
      api: '<rate-limit-by-key calls="1" renewal-period="10" counter-key="k" ietf-headers="true" />',
    });
    // The key's limit is spent by this call (0 left, frees in 10 s); the product's has 1 left.
    expect(ietf(await call())).toEqual(['1', '0', '10']);
    services.clock.advance(10);
    // Both spent by this call: the product's frees later.
    expect(ietf(await call())).toEqual(['2', '0', '50']);
    services.clock.advance(10);
    // The product's refuses; the key's had room.
    const refused = await call();
    expect(refused.status).toBe(429);
    expect(ietf(refused)).toEqual(['2', '0', '40']);
  });

  it('a limit on calls speaks before one on kilobytes with room', async () => {
    const { call } = setup({
      product: '<quota bandwidth="1000" renewal-period="3600" ietf-headers="true" />',
      api: '<rate-limit-by-key calls="50" renewal-period="60" counter-key="k" ietf-headers="true" />',
    });
    expect(ietf(await call())).toEqual(['50', '49', '60']);
  });

  it('only elements that ask for the headers take part', async () => {
    const { call } = setup({ product: '<quota calls="100" renewal-period="3600" ietf-headers="true" /><rate-limit calls="1" renewal-period="60" />' });
    expect(ietf(await call())).toEqual(['100', '99', '3600']);
    const refused = await call();
    expect(refused.status).toBe(429);
    // The rate limit refused without asking for the headers: the quota, which ran before it, speaks.
    expect(ietf(refused)).toEqual(['100', '98', '3600']);
  });

  it("replace the backend's own RateLimit headers, once each", async () => {
    const backend = async () => ({
      status: 200,
      headers: [
        ['ratelimit-limit', '999'],
        ['RateLimit-Remaining', '998'],
        ['RateLimit-Remaining', '997'],
      ] as [string, string][],
      body: new Uint8Array(0),
    });
    const { call } = setup({ api: '<rate-limit-by-key calls="4" renewal-period="60" counter-key="k" ietf-headers="true" />' });
    const response = await call({ backend });
    expect(response.headers.toList()).toEqual([
      ['RateLimit-Limit', '4'],
      ['RateLimit-Remaining', '3'],
      ['RateLimit-Reset', '60'],
    ]);
  });

  it('also go on an answer made after the limits (on-error, return-response)', async () => {
    const services = fakeServices();
    const document = compiled(
      policies({ inbound: '<base /><rate-limit-by-key calls="4" renewal-period="60" counter-key="k" ietf-headers="true" /><return-response><set-status code="418" /></return-response>' }),
      'api',
    );
    const policy = composePolicy({ global: null, product: null, api: document, operation: null });
    const response = await executePolicy(policy, makeCall({ services }));
    expect(response.status).toBe(418);
    expect(ietf(response)).toEqual(['4', '3', '60']);
  });
});
