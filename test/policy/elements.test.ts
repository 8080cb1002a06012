import { describe, expect, it } from 'vitest';
import { PolicyError } from '../../src/policy/context';
import { composePolicy } from '../../src/policy/compose';
import { executePolicy } from '../../src/policy/execute';
import { parseIpAddress } from '../../src/policy/ipAddress';
import type { Scope } from '../../src/policy/step';
import { bodyText, compiled, makeCall, policies } from './fakes';

type Sections = Parameters<typeof policies>[0];

async function run(sections: Sections, overrides: Parameters<typeof makeCall>[0] = {}, scope: Scope = 'api') {
  const call = makeCall(overrides);
  const policy = composePolicy({ global: null, product: null, api: null, operation: null, [scope]: compiled(policies(sections), scope) });
  const response = await executePolicy(policy, call);
  return { call, response };
}

const refusal = (sections: Sections, scope: Scope = 'api'): PolicyError => {
  try {
    compiled(policies(sections), scope);
  } catch (error) {
    if (error instanceof PolicyError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
};

describe('forward-request', () => {
  it('passes its options to the backend', async () => {
    let options: unknown;
    await run({ backend: '<forward-request timeout="20" follow-redirects="true" buffer-request-body="true" />' }, {
      backend: async (_c, o) => ((options = o), { status: 200, headers: [], body: new Uint8Array() }),
    });
    expect(options).toEqual({ timeoutSeconds: 20, followRedirects: true, bufferRequestBody: true });
  });

  it.each([
    ['timeout="0"', /whole number from 1 to 3600/],
    ['timeout="abc"', /whole number/],
    ['follow-redirects="yes"', /'true' or 'false'/],
    ['fail-on-error-status-code="true"', /not allowed on 'forward-request'/],
  ])('refuses %s', (attribute, message) => {
    expect(refusal({ backend: `<forward-request ${attribute} />` }).message).toMatch(message);
  });
});

describe('set-header', () => {
  const headers = async (inbound: string) => (await run({ inbound, backend: '' })).call.headers.toList();

  it('overrides, skips, appends and deletes request headers, names without case', async () => {
    expect(await headers('<set-header name="accept"><value>text/xml</value></set-header>')).toEqual([['accept', 'text/xml']]);
    expect(await headers('<set-header name="ACCEPT" exists-action="skip"><value>x</value></set-header>')).toEqual([['Accept', 'application/json']]);
    expect(await headers('<set-header name="X-New" exists-action="skip"><value>x</value></set-header>')).toEqual([['Accept', 'application/json'], ['X-New', 'x']]);
    expect(await headers('<set-header name="Accept" exists-action="append"><value>a</value><value>b</value></set-header>')).toEqual([
      ['Accept', 'application/json'],
      ['Accept', 'a'],
      ['Accept', 'b'],
    ]);
    expect(await headers('<set-header name="accept" exists-action="delete" />')).toEqual([]);
  });

  it('evaluates expression values', async () => {
    expect(await headers('<set-header name="X-Ip"><value>@(context.Request.IpAddress)</value></set-header>')).toContainEqual(['X-Ip', '10.0.0.5']);
  });

  it('sets response headers in outbound', async () => {
    const { response } = await run({ outbound: '<set-header name="Content-Type"><value>application/xml</value></set-header>' });
    expect(response.headers.get('content-type')).toEqual(['application/xml']);
  });

  it('refuses a missing name, a bad exists-action, no value, and other children', () => {
    expect(refusal({ inbound: '<set-header><value>1</value></set-header>' }).message).toBe("The attribute 'name' is required.");
    expect(refusal({ inbound: '<set-header name="a" exists-action="replace"><value>1</value></set-header>' }).message).toMatch(/one of 'override', 'skip', 'append', 'delete'/);
    expect(refusal({ inbound: '<set-header name="a" />' }).message).toMatch(/at least one <value>/);
    expect(refusal({ inbound: '<set-header name="a"><val>1</val></set-header>' }).detail).toMatch(/^Error in element 'val' on line 1, column \d+: The element 'val' is not allowed in 'set-header'/);
  });
});

describe('set-query-parameter', () => {
  it('changes the backend query', async () => {
    const { call } = await run({ inbound: '<set-query-parameter name="param1" exists-action="append"><value>two</value></set-query-parameter><set-query-parameter name="n"><value>1</value></set-query-parameter>' });
    expect(call.backendRequestUrl()).toBe('https://backend.example/api/resource?param1=sample&param1=two&n=1');
  });
});

describe('set-body and set-status', () => {
  it('replaces the request body and drops a stale Content-Length', async () => {
    const { call } = await run({ inbound: '<set-body>new body</set-body>', backend: '' }, { headers: [['Content-Length', '3']], body: Buffer.from('old') });
    expect(bodyText(call.body!)).toBe('new body');
    expect(call.headers.has('content-length')).toBe(false);
  });

  it('replaces the response body and status in outbound', async () => {
    const { response } = await run({ outbound: '<set-status code="203" /><set-body>@(context.Request.Method)</set-body>' });
    expect([response.status, response.reason, bodyText(response.body)]).toEqual([203, 'Non-Authoritative Information', 'GET']);
  });

  it('refuses bad codes and child elements in set-body', () => {
    expect(refusal({ outbound: '<set-status code="99" />' }).message).toMatch(/from 100 to 599/);
    expect(refusal({ outbound: '<set-body><b>x</b></set-body>' }).message).toMatch(/takes text only/);
    expect(refusal({ outbound: '<set-body template="liquid">x</set-body>' }).message).toMatch(/not allowed on 'set-body'/);
  });
});

describe('return-response', () => {
  it('refuses children other than set-status, set-header, set-body, and two set-status', () => {
    expect(refusal({ inbound: '<return-response><forward-request /></return-response>' }).message).toMatch(/not allowed in 'return-response'/);
    expect(refusal({ inbound: '<return-response><set-status code="200" /><set-status code="201" /></return-response>' }).message).toMatch(/only once/);
  });
});

describe('rewrite-uri and set-backend-service', () => {
  const operation = { id: 'get-item', name: 'Get item', method: 'GET', urlTemplate: '/items/{id}' };

  it('rewrites the backend path from matched parameters, copying unmatched query parameters', async () => {
    const { call } = await run({ inbound: '<rewrite-uri template="/v2/things/{id}?view=full" />', backend: '' }, {
      operation,
      matchedParameters: { id: 'a b' },
      url: { scheme: 'https', host: 'gw', port: 443, path: '/echo/items/a%20b', query: [['extra', '1'], ['id', 'x']] },
    });
    expect(call.backendRequestUrl()).toBe('https://backend.example/api/v2/things/a%20b?view=full&extra=1');
  });

  it('drops the query when copy-unmatched-params is false', async () => {
    const { call } = await run({ inbound: '<rewrite-uri template="/flat" copy-unmatched-params="false" />', backend: '' });
    expect(call.backendRequestUrl()).toBe('https://backend.example/api/flat');
  });

  it('refuses broken templates', () => {
    expect(refusal({ inbound: '<rewrite-uri template="/a/{id" />' }).message).toMatch(/never closed/);
    expect(refusal({ inbound: '<rewrite-uri template="/a/{}" />' }).message).toMatch(/empty placeholder/);
  });

  it('sets the backend base URL, refusing anything but http(s)', async () => {
    const { call } = await run({ inbound: '<set-backend-service base-url="http://other.example:8080/base" />', backend: '' });
    expect(call.backendRequestUrl()).toBe('http://other.example:8080/base/resource?param1=sample');
    expect(refusal({ inbound: '<set-backend-service base-url="ftp://x" />' }).message).toMatch(/absolute http or https URL/);
    expect(refusal({ inbound: '<set-backend-service backend-id="b" />' }).message).toMatch(/not allowed on 'set-backend-service'/);
  });
});

describe('choose', () => {
  const branches = '<choose><when condition="@(context.Request.Method == 1)"><set-variable name="b" value="no" /></when>'
    + '<when condition="@(context.Response.StatusCode == 200)"><set-variable name="b" value="second" /></when>'
    + '<otherwise><set-variable name="b" value="otherwise" /></otherwise></choose>';

  it('runs the first true when, else otherwise', async () => {
    const { call } = await run({ inbound: '<choose><when condition="@(false)"><set-variable name="b" value="1" /></when><otherwise><set-variable name="b" value="2" /></otherwise></choose>', backend: '' });
    expect(call.variables.get('b')).toBe('2');
    const second = await run({ outbound: branches.replace('context.Request.Method == 1', 'false') });
    expect(second.call.variables.get('b')).toBe('second');
    expect(second.call.trace?.map((t) => `${t.element}: ${t.decision}`)).toContain('choose: when on line 1 is true');
  });

  it('refuses a choose without when, otherwise before when, and a when without condition', () => {
    expect(refusal({ inbound: '<choose><otherwise /></choose>' }).message).toMatch(/at least one 'when'/);
    expect(refusal({ inbound: '<choose><otherwise /><when condition="@(true)" /></choose>' }).message).toMatch(/must come after/);
    expect(refusal({ inbound: '<choose><when /></choose>' }).message).toBe("The attribute 'condition' is required.");
    expect(refusal({ inbound: '<choose><when condition="maybe" /></choose>' }).message).toMatch(/must be an expression/);
  });

  it('checks the placement of the elements it holds', () => {
    expect(refusal({ outbound: '<choose><when condition="@(true)"><rewrite-uri template="/x" /></when></choose>' }).message).toMatch(/not allowed in the 'outbound' section/);
  });
});

describe('ip-filter', () => {
  const filter = (action: string) =>
    `<ip-filter action="${action}"><address>10.0.0.5</address><address-range from="192.168.1.0" to="192.168.1.255" /><address>2001:db8::1</address></ip-filter>`;

  it.each([
    ['allow', '10.0.0.5', 200],
    ['allow', '::ffff:10.0.0.5', 200],
    ['allow', '192.168.1.77', 200],
    ['allow', '2001:0db8:0000::1', 200],
    ['allow', '10.0.0.6', 403],
    ['allow', 'not-an-ip', 403],
    ['forbid', '10.0.0.5', 403],
    ['forbid', '192.168.2.1', 200],
    ['forbid', '2001:db8::2', 200],
  ])('%s list, caller %s -> %i', async (action, ip, status) => {
    const { response } = await run({ inbound: filter(action), backend: '' }, { ipAddress: ip });
    expect(response.status).toBe(status);
    if (status === 403) {
      expect(bodyText(response.body)).toBe('{ "statusCode": 403, "message": "Forbidden" }');
      expect(response.headers.toList()).toEqual([['Content-Type', 'application/json'], ['Content-Length', '45']]);
    }
  });

  it('refuses bad addresses and ranges where they are written', () => {
    expect(refusal({ inbound: '<ip-filter action="allow">\n<address>10.0.0.300</address></ip-filter>' }).detail).toBe(
      "Error in element 'address' on line 2, column 1: '10.0.0.300' is not an IPv4 or IPv6 address.",
    );
    expect(refusal({ inbound: '<ip-filter action="allow"><address-range from="10.0.0.9" to="10.0.0.1" /></ip-filter>' }).message).toMatch(/must not be above/);
    expect(refusal({ inbound: '<ip-filter action="allow"><address-range from="10.0.0.1" to="::1" /></ip-filter>' }).message).toMatch(/same IP version/);
    expect(refusal({ inbound: '<ip-filter action="deny"><address>1.1.1.1</address></ip-filter>' }).message).toMatch(/'allow', 'forbid'/);
    expect(refusal({ inbound: '<ip-filter action="allow" />' }).message).toMatch(/at least one/);
  });

  it('parses IPv6 forms', () => {
    expect(parseIpAddress('::1')).toEqual({ version: 6, value: 1n });
    expect(parseIpAddress('[fe80::1%eth0]')).toEqual({ version: 6, value: (0xfe80n << 112n) | 1n });
    expect(parseIpAddress('::ffff:1.2.3.4')).toEqual({ version: 4, value: 0x01020304n });
    expect(parseIpAddress('64:ff9b::1.2.3.4')?.value).toBe((0x64n << 112n) | (0xff9bn << 96n) | 0x01020304n);
    expect(parseIpAddress('1.2.3')).toBeNull();
  });
});

describe('check-header', () => {
  const check = '<check-header name="X-Tenant" failed-check-httpcode="401" failed-check-error-message="Tenant missing" ignore-case="true"><value>Alpha</value><value>beta</value></check-header>';

  it.each([
    [[['X-Tenant', 'alpha']], 200],
    [[['x-tenant', 'BETA']], 200],
    [[['X-Tenant', 'gamma']], 401],
    [[], 401],
  ] as [[string, string][], number][])('headers %j -> %i', async (headers, status) => {
    const { response } = await run({ inbound: check, backend: '' }, { headers });
    expect(response.status).toBe(status);
    if (status === 401) expect(bodyText(response.body)).toBe('{ "statusCode": 401, "message": "Tenant missing" }');
  });

  it('compares with case when ignore-case is false', async () => {
    const { response } = await run({ inbound: check.replace('ignore-case="true"', 'ignore-case="false"'), backend: '' }, { headers: [['X-Tenant', 'alpha']] });
    expect(response.status).toBe(401);
  });

  it('refuses a missing ignore-case', () => {
    expect(refusal({ inbound: '<check-header name="a" failed-check-httpcode="401" failed-check-error-message="m" />' }).message).toBe("The attribute 'ignore-case' is required.");
  });
});

describe('set-variable', () => {
  it('stores plain values and expression results', async () => {
    const { call } = await run({ inbound: '<set-variable name="a" value="text" /><set-variable name="b" value="@(7)" /><set-variable name="c" value="@(context.Variables[&quot;b&quot;])" />', backend: '' });
    expect([...call.variables]).toEqual([['a', 'text'], ['b', 7], ['c', 7]]);
  });
});
