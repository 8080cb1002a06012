import { describe, expect, it } from 'vitest';
import { composePolicy } from '../../src/policy/compose';
import { executePolicy } from '../../src/policy/execute';
import type { PolicyCallInit } from '../../src/policy/call';
import { PolicyError } from '../../src/policy/context';
import { bodyText, compiled, fakeServices, makeCall, policies } from './fakes';

function setup(lookup: string, store = '<cache-store duration="60" />') {
  const services = fakeServices();
  let backendCalls = 0;
  const backend: PolicyCallInit['backend'] = async (c) => {
    backendCalls += 1;
    return { status: c.query.first('status') === '404' ? 404 : 200, headers: [['X-N', String(backendCalls)]], body: Buffer.from(`answer ${backendCalls}`) };
  };
  const policy = composePolicy({ global: null, product: null, operation: null, api: compiled(policies({ inbound: `<base />${lookup}`, outbound: `<base />${store}` }), 'api') });
  const call = (overrides: Partial<PolicyCallInit> = {}) => executePolicy(policy, makeCall({ services, backend, ...overrides }));
  return { services, call, backendCalls: () => backendCalls };
}

const PLAIN = '<cache-lookup vary-by-developer="false" vary-by-developer-groups="false" />';

describe('cache-lookup and cache-store', () => {
  it('answers a repeated GET from the cache until the duration passes', async () => {
    const { services, call, backendCalls } = setup(PLAIN);
    expect(bodyText((await call()).body)).toBe('answer 1');
    const hit = await call();
    expect([hit.status, bodyText(hit.body), hit.headers.first('X-N')]).toEqual([200, 'answer 1', '1']);
    expect(backendCalls()).toBe(1);
    services.clock.advance(61);
    expect(bodyText((await call()).body)).toBe('answer 2');
  });

  it('never stores other methods or other statuses', async () => {
    const { call, backendCalls } = setup(PLAIN);
    await call({ method: 'POST' });
    await call({ method: 'POST' });
    const notFound = { scheme: 'https', host: 'gw', port: 443, path: '/echo/resource', query: [['status', '404']] as [string, string][] };
    await call({ url: notFound });
    await call({ url: notFound });
    expect(backendCalls()).toBe(4);
  });

  it('varies by the listed query parameters and headers only', async () => {
    const { call, backendCalls } = setup(
      '<cache-lookup vary-by-developer="false" vary-by-developer-groups="false"><vary-by-query-parameter>param1</vary-by-query-parameter><vary-by-header>Accept</vary-by-header></cache-lookup>',
    );
    const url = (query: [string, string][]) => ({ scheme: 'https', host: 'gw', port: 443, path: '/echo/resource', query });
    await call({ url: url([['param1', 'a'], ['other', '1']]) });
    await call({ url: url([['param1', 'a'], ['other', '2']]) });
    expect(backendCalls()).toBe(1);
    await call({ url: url([['param1', 'b']]) });
    expect(backendCalls()).toBe(2);
    await call({ url: url([['param1', 'a']]), headers: [['Accept', 'text/xml']] });
    expect(backendCalls()).toBe(3);
  });

  it('varies by developer when asked', async () => {
    const { call, backendCalls } = setup('<cache-lookup vary-by-developer="true" vary-by-developer-groups="false" />');
    await call();
    await call({ subscription: { id: 'sub-9', name: 'other', ownerId: 'user-9', createdDate: new Date(0), startDate: null, endDate: null } });
    expect(backendCalls()).toBe(2);
    await call();
    expect(backendCalls()).toBe(2);
  });

  it('refuses what it does not implement and requires the vary-by-developer attributes', () => {
    const refuse = (lookup: string) => {
      try {
        compiled(policies({ inbound: lookup }), 'api');
      } catch (error) {
        if (error instanceof PolicyError) return error.message;
      }
      return 'accepted';
    };
    expect(refuse('<cache-lookup vary-by-developer="false" />')).toBe("The attribute 'vary-by-developer-groups' is required.");
    expect(refuse('<cache-lookup vary-by-developer="false" vary-by-developer-groups="false" caching-type="external" />')).toMatch(/'internal', 'prefer-external'/);
    expect(refuse('<cache-lookup vary-by-developer="false" vary-by-developer-groups="false" downstream-caching-type="public" />')).toMatch(/'none'/);
    expect(refuse('<cache-lookup vary-by-developer="false" vary-by-developer-groups="false"><vary-by-header /></cache-lookup>')).toMatch(/needs a name/);
    expect(refuse('<cache-store />')).toMatch(/not allowed in the 'inbound' section/);
  });
});
