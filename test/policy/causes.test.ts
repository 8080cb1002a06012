import { describe, expect, it } from 'vitest';
import { GET_HEADERS_POLICY } from '../../src/lab/instance/blankApi';
import { PRODUCTSTORE_API_POLICY, PRODUCTSTORE_OPERATION_POLICY } from '../../src/lab/instance/productStore';
import { GLOBAL_POLICY, STANDARD_POLICY } from '../../src/lab/instance/products';
import type { PolicyCallInit } from '../../src/policy/call';
import { backendSourceOf, composePolicy, type ScopeDocuments } from '../../src/policy/compose';
import { parsePolicyDocument } from '../../src/policy/document';
import { executePolicy } from '../../src/policy/execute';
import { formatTraceEntry, type Scope } from '../../src/policy/step';
import { compiled, makeCall, policies } from './fakes';

/**
 * The trace names the cause of each troubleshooting scenario in plain words, from
 * the lab's own documents compiled by the gateway's expression compiler: which
 * element, in which scope's document, at which line, and what it decided.
 */

const none: ScopeDocuments = { global: null, product: null, api: null, operation: null };
const lab = (text: string, scope: Scope) => parsePolicyDocument(text, 'rawxml', scope);
const operation = (id: string, name = id) => ({ id, name, method: 'GET', urlTemplate: '/' });
const backendAnswering = (status: number): PolicyCallInit['backend'] => async () => ({ status, headers: [], body: new Uint8Array() });

async function traceOf(documents: Partial<ScopeDocuments>, overrides: Partial<PolicyCallInit> = {}) {
  const call = makeCall(overrides);
  const response = await executePolicy(composePolicy({ ...none, ...documents }), call);
  return { response, call, lines: call.trace!.map(formatTraceEntry) };
}

describe('scenario 1: nothing forwarded', () => {
  it("says the operation's effective backend section has no forward-request, and which document's <backend> (line) cut the inheritance", async () => {
    let called = false;
    const { response, call, lines } = await traceOf(
      { global: lab(GLOBAL_POLICY, 'global'), operation: lab(GET_HEADERS_POLICY, 'operation') },
      { operation: operation('getheaders', 'GetHeaders'), backend: async () => ((called = true), { status: 200, headers: [], body: new Uint8Array() }) },
    );
    expect(called).toBe(false);
    expect(response.status).toBe(200);
    expect(response.body.length).toBe(0);
    expect(lines).toEqual([
      'choose (global, line 3): no condition is true',
      'backend (operation getheaders, line 5): nothing was forwarded to the backend: the effective backend section is empty; ' +
        'it comes from the document of operation getheaders: its <backend> at line 5 has neither <forward-request /> nor <base />, ' +
        'so the <forward-request /> of the outer scopes is not inherited. Without a forward-request the answer is 200 with an empty body',
    ]);
    expect(call.trace!.at(-1)).toMatchObject({ section: 'backend', element: 'backend', scope: 'operation', scopeName: 'getheaders', line: 5, column: 3 });
  });

  it('names the global document when every inner scope inherits a backend section without forward-request', async () => {
    const { lines } = await traceOf({
      global: compiled(policies({ inbound: '', backend: '\n<set-header name="X" exists-action="delete" />' }), 'global'),
      api: compiled(policies({ backend: '<base />' }), 'api'),
    });
    expect(lines.at(-1)).toBe(
      "backend (global, line 1): nothing was forwarded to the backend: no forward-request ran in the effective backend section; it is the global document's own: its <backend> at line 1 has no <forward-request />. Without a forward-request the answer is 200 with an empty body",
    );
  });

  it('says no forward-request ran when the section has one only in a branch that was not taken', async () => {
    const { lines } = await traceOf({
      api: compiled(policies({ backend: '<choose><when condition="@(false)"><forward-request /></when></choose>' }), 'api'),
    });
    expect(lines.at(-1)).toMatch(/^backend \(api echo-api, line 1\): nothing was forwarded to the backend: no forward-request ran in the effective backend section; it comes from the document of API echo-api: /);
  });

  it('adds nothing when the call was forwarded, or when it is not traced', async () => {
    const forwarded = await traceOf({ global: lab(GLOBAL_POLICY, 'global') }, { operation: operation('getmyip', 'GetMyIp') });
    expect(forwarded.lines).toEqual(['choose (global, line 3): no condition is true', 'forward-request (global, line 10): backend answered 200']);
    const untraced = makeCall({ trace: false });
    const response = await executePolicy(composePolicy({ ...none, operation: lab(GET_HEADERS_POLICY, 'operation') }), untraced);
    expect([response.status, untraced.trace]).toEqual([200, null]);
  });

  it('composition keeps where the effective backend section comes from', () => {
    const global = lab(GLOBAL_POLICY, 'global');
    expect(backendSourceOf(composePolicy({ ...none, global, operation: lab(GET_HEADERS_POLICY, 'operation') }))).toEqual({ scope: 'operation', position: { line: 5, column: 3 } });
    // An operation section with <base /> inherits: the section is still the global one.
    expect(backendSourceOf(composePolicy({ ...none, global, operation: lab(PRODUCTSTORE_OPERATION_POLICY, 'operation') }))).toEqual({ scope: 'global', position: { line: 9, column: 3 } });
    expect(backendSourceOf(composePolicy(none))).toEqual({ scope: 'global', position: null });
  });
});

describe('scenario 4: a return-response inherited from the API scope', () => {
  const productStore = { global: lab(GLOBAL_POLICY, 'global'), api: lab(PRODUCTSTORE_API_POLICY, 'api') };
  const productStoreApi = { ...makeCall().api, id: 'productstore', name: 'ProductStore' };

  it("says it replaced the backend's answer, with which status and reason, and that it was inherited from the API's document", async () => {
    const { response, lines } = await traceOf(productStore, {
      api: productStoreApi,
      operation: operation('Products_PutProduct', 'Products_PutProduct'),
      backend: backendAnswering(204),
    });
    expect([response.status, response.reason]).toEqual([429, 'Too many requests']);
    expect(lines).toEqual([
      'choose (global, line 3): no condition is true',
      'forward-request (global, line 10): backend answered 204',
      "return-response (api productstore, line 10): replaced the backend's 204 answer with 429 Too many requests; inherited from the API scope (the document of API productstore) by operation Products_PutProduct",
    ]);
  });

  it('is not run for an operation whose own outbound section has no <base />', async () => {
    const { response, lines } = await traceOf(
      { ...productStore, operation: lab(PRODUCTSTORE_OPERATION_POLICY, 'operation') },
      { api: productStoreApi, operation: operation('Products_GetProduct'), backend: backendAnswering(200) },
    );
    expect(response.status).toBe(200);
    expect(lines.join('\n')).not.toContain('return-response');
  });

  it("an operation's own return-response, or one in inbound, says so without inheritance", async () => {
    const own = await traceOf({ operation: compiled(policies({ outbound: '<return-response><set-status code="202" reason="Later" /></return-response>' }), 'operation') });
    expect(own.lines.at(-1)).toBe("return-response (operation retrieve-resource, line 1): replaced the backend's 200 answer with 202 Later");
    const inbound = await traceOf({ global: compiled(policies({ inbound: '<return-response><set-status code="503" /></return-response>' }), 'global') });
    expect(inbound.lines).toEqual(['return-response (global, line 1): answered 503 Service Unavailable without calling the backend; inherited from the global scope (the global document) by operation retrieve-resource']);
  });
});

describe("scenario 5: the product's ip-filter and the global rate-limit-by-key", () => {
  const standardProduct = { ...makeCall().product!, id: 'standard', name: 'Standard' };
  const resources = (name: string, ipAddress: string) => ({ operation: operation(name.toLowerCase(), name), product: standardProduct, ipAddress });
  const documents = { global: lab(GLOBAL_POLICY, 'global'), product: lab(STANDARD_POLICY, 'product') };

  it("says the ip-filter of product standard forbade the caller's address, and by which range", async () => {
    const { response, lines } = await traceOf(documents, resources('GetPosts', '127.0.0.1'));
    expect(response.status).toBe(403);
    expect(lines.at(-1)).toBe("ip-filter (product standard, line 6): the caller's address 127.0.0.1 is in the forbidden range 0.0.0.0-255.255.255.255: 403 Forbidden");
  });

  it('says an address outside the ranges passes (an IPv6 caller is not in an IPv4 range)', async () => {
    const { response, lines } = await traceOf(documents, resources('GetPosts', '::1'));
    expect(response.status).toBe(200);
    expect(lines).toContain("ip-filter (product standard, line 6): the caller's address ::1 is in no forbidden address or range: allowed");
  });

  it('allow lists: a single address in words', async () => {
    const filter = (ip: string) =>
      traceOf({ api: compiled(policies({ inbound: '<ip-filter action="allow"><address>10.0.0.5</address><address-range from="10.1.0.0" to="10.1.255.255" /></ip-filter>' }), 'api') }, { ipAddress: ip });
    expect((await filter('10.0.0.5')).lines[0]).toBe("ip-filter (api echo-api, line 1): the caller's address 10.0.0.5 is the allowed address 10.0.0.5: allowed");
    expect((await filter('10.1.2.3')).lines[0]).toBe("ip-filter (api echo-api, line 1): the caller's address 10.1.2.3 is in the allowed range 10.1.0.0-10.1.255.255: allowed");
    expect((await filter('192.0.2.1')).lines[0]).toBe("ip-filter (api echo-api, line 1): the caller's address 192.0.2.1 is in no allowed address or range: 403 Forbidden");
  });

  it("says the global rate-limit-by-key counted GetComments by the caller's IP address", async () => {
    const call = (ip: string) => ({ ...resources('GetComments', ip), services: shared });
    const shared = makeCall().services;
    const first = await traceOf(documents, call('127.0.0.1'));
    expect(first.response.status).toBe(200);
    expect(first.lines[0]).toBe('choose (global, line 3): when on line 4 is true');
    expect(first.lines[1]).toBe("rate-limit-by-key (global, line 5): counter key 127.0.0.1 (the caller's IP address): 1st call in 10 s, limit 1: allowed, 0 left");
    const second = await traceOf(documents, call('127.0.0.1'));
    expect(second.response.status).toBe(429);
    expect(second.lines).toEqual([
      'choose (global, line 3): when on line 4 is true',
      "rate-limit-by-key (global, line 5): counter key 127.0.0.1 (the caller's IP address): 2nd call in 10 s, limit 1: 429, retry in 10 s",
    ]);
    // Another address has a counter of its own.
    expect((await traceOf(documents, call('127.0.0.2'))).response.status).toBe(200);
  });

  it('never shows a counter key that is not the caller address (it may be made of a secret)', async () => {
    const { lines } = await traceOf(
      { api: compiled(policies({ inbound: '<rate-limit-by-key calls="5" renewal-period="60" counter-key="@(context.Request.Headers.GetValueOrDefault(&quot;X-Secret&quot;, &quot;&quot;))" />' }), 'api') },
      { headers: [['X-Secret', 'do-not-show']] },
    );
    expect(lines[0]).toBe('rate-limit-by-key (api echo-api, line 1): counter key from counter-key (its value is not traced): 1st call in 60 s, limit 5: allowed, 4 left');
    expect(lines.join('\n')).not.toContain('do-not-show');
  });
});
