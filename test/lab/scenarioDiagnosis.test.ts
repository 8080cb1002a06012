import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CatalogStore } from '../../src/catalog/catalogStore';
import type { PolicyRecord } from '../../src/catalog/records';
import { diagnoseScenarios, labStateOf, type Finding, type Fix, type ScenarioState } from '../../src/lab/diagnosis';
import { labSeed } from '../../src/lab/seed';
import { testStore } from '../helpers/catalog';
import { memoryHarness, type Harness } from '../management/harness';

/**
 * The lab's diagnosis of the five scenarios: each scenario broken in the seed,
 * one finding per fault naming its cause, and each finding's fix, sent as it is
 * through the management API (its validation and ETags included), taking the
 * scenario to `partly fixed` and then `fixed`.
 */

const env = { WEBSITE_HOSTNAME: 'localhost:7071' };

let h: Harness;
let store: CatalogStore;

beforeEach(async () => {
  store = testStore({ seed: () => labSeed(env) });
  h = await memoryHarness({ store });
});

afterEach(async () => {
  await h.close();
});

const scenario = (n: number): ScenarioState => diagnoseScenarios(store.index)[n - 1]!;
const codes = (state: ScenarioState) => state.findings.map((f) => f.code);
const findingOf = (n: number, code: string): Finding => {
  const found = scenario(n).findings.find((f) => f.code === code);
  expect(found, `scenario ${n} has no ${code}: ${JSON.stringify(scenario(n).findings)}`).toBeDefined();
  return found!;
};

/** Sends a fix's requests as the console does; each must succeed. */
async function apply(fix: Fix | undefined): Promise<void> {
  expect(fix).toBeDefined();
  for (const request of fix!.requests) {
    const response = await h.call(request.method, request.path, {
      ...(request.body === undefined ? {} : { body: request.body }),
      headers: request.ifMatch ? { 'If-Match': request.ifMatch } : {},
    });
    expect([200, 201, 204], `${request.method} ${request.path}: ${response.body}`).toContain(response.status);
  }
}

async function putPolicy(record: PolicyRecord): Promise<void> {
  await store.mutate(() => ({ changes: [{ put: { kind: 'policy', value: record } }], value: 0 }));
}

describe('the lab state', () => {
  it('has scenario 3 at the top, as before, and all five scenarios broken in the seed', () => {
    const state = labStateOf(store.index);
    expect(state.status).toBe('broken');
    expect(state.findings.map((f) => f.code)).toEqual(['apiInNoProduct', 'hardCodedKeyHeader', 'hardCodedKeyHeader']);
    expect(state.usableProducts).toEqual([]);
    expect(state.scenarios.map((s) => [s.number, s.status])).toEqual([
      [1, 'broken'],
      [2, 'broken'],
      [3, 'broken'],
      [4, 'broken'],
      [5, 'broken'],
    ]);
    expect(state.scenarios[2]!.findings).toEqual(state.findings);
    for (const s of state.scenarios) {
      expect(s.title).not.toBe('');
      expect(s.whenFixed).not.toBe('');
      // Every fault carries a fix the console can apply; only informational findings may have none.
      for (const finding of s.findings) if (!finding.informational) expect(finding.fix, finding.message).toBeDefined();
    }
    // Plain data: what /lab/state answers is the same after a JSON round trip.
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });

  it('says an API or operation is missing, and that a reset brings it back', async () => {
    await store.mutate(() => ({
      changes: [{ delete: { kind: 'policy', scope: 'operation', apiId: 'blank-api', operationId: 'getheaders' } }, { delete: { kind: 'operation', apiId: 'blank-api', id: 'getheaders' } }],
      value: 0,
    }));
    expect(scenario(1).status).toBe('missing');
    expect(scenario(1).findings[0]!.message).toContain('getheaders');
    expect(scenario(1).findings[0]!.message).toContain('reset scenario 1');
  });
});

describe('scenario 1: a blank response', () => {
  it("names GetHeaders' backend section without forward-request, and its fix adds <base /> there", async () => {
    expect(scenario(1).status).toBe('broken');
    const finding = findingOf(1, 'noForwardRequest');
    expect(finding.operationId).toBe('getheaders');
    expect(finding.message).toContain('GetHeaders answers 200 with an empty body');
    expect(finding.message).toContain('effective backend section has no forward-request');
    expect(finding.message).toContain('operation getheaders of API blank-api, line 5');
    expect(scenario(1).findings).toHaveLength(1); // GetMyIp inherits the global forward-request

    await apply(finding.fix);
    expect(scenario(1)).toMatchObject({ status: 'fixed', findings: [] });
    // The document keeps its layout; only <base /> was added to its backend section.
    const doc = store.index.policyDocument({ scope: 'operation', apiId: 'blank-api', operationId: 'getheaders' })!;
    expect(doc.format).toBe('rawxml');
    expect(doc.value).toContain('<backend>\n    <base />\n  </backend>');
    expect(doc.value).toContain('<inbound>\n    <base />\n  </inbound>');
  });

  it('is fixed as well when the operation has no document any more', async () => {
    await store.mutate(() => ({ changes: [{ delete: { kind: 'policy', scope: 'operation', apiId: 'blank-api', operationId: 'getheaders' } }], value: 0 }));
    expect(scenario(1).status).toBe('fixed');
  });

  it('names the global document when its backend section forwards nothing, and adds <forward-request /> there', async () => {
    await store.mutate(() => ({ changes: [{ delete: { kind: 'policy', scope: 'operation', apiId: 'blank-api', operationId: 'getheaders' } }], value: 0 }));
    const global = store.index.policyDocument({ scope: 'global' })!;
    await putPolicy({ ...global, value: global.value.replace('<forward-request />', '') });
    const findings = scenario(1).findings;
    expect(findings.map((f) => f.operationId)).toEqual(['getheaders', 'getmyip']);
    expect(findings[0]!.message).toContain('the global policy, line');
    expect(findings[0]!.fix!.label).toBe('Add <forward-request /> to the backend section of the global policy');
    await apply(findings[0]!.fix);
    expect(scenario(1).status).toBe('fixed');
    // The rest of the global document is as it was: scenario 5's rate limit is still there.
    expect(scenario(5).findings.map((f) => f.code)).toContain('rateLimit');
  });
});

describe('scenario 2: a SOAP API answers 404 and 500', () => {
  it("names Multiply's missing SOAPAction default and Divide's division by zero; each fix, then both", async () => {
    expect(scenario(2).status).toBe('broken');
    expect(codes(scenario(2))).toEqual(['soapActionMissing', 'divideByZero']);
    const multiply = findingOf(2, 'soapActionMissing');
    expect(multiply.operationId).toBe('multiply');
    expect(multiply.message).toContain('Multiply answers 404 "Resource not found"');
    expect(multiply.message).toContain('no SOAPAction header default');
    const divide = findingOf(2, 'divideByZero');
    expect(divide.operationId).toBe('divide');
    expect(divide.message).toContain('intB = 0');

    await apply(multiply.fix);
    expect(scenario(2)).toMatchObject({ status: 'partly fixed', findings: [{ code: 'divideByZero' }] });
    expect(store.index.getOperation('calculator', 'multiply')!.request.headers).toEqual([
      expect.objectContaining({ name: 'SOAPAction', defaultValue: 'http://tempuri.org/Multiply' }),
    ]);
    // Only the headers changed: the sample body is still there.
    expect(JSON.stringify(store.index.getOperation('calculator', 'multiply')!.request.representations)).toContain('<intA>10</intA>');

    await apply(findingOf(2, 'divideByZero').fix);
    expect(scenario(2)).toMatchObject({ status: 'fixed', findings: [] });
    const example = JSON.stringify(store.index.getOperation('calculator', 'divide')!.request.representations);
    expect(example).toContain('<intB>1</intB>');
    expect(example).toContain('application/soap+xml');
  });

  it('sees a SOAPAction default that names another operation, and a SOAP 1.2 action in the content type as a fix', async () => {
    const add = store.index.getOperation('calculator', 'add')!;
    await store.mutate(() => ({
      changes: [{ put: { kind: 'operation', value: { ...add, request: { ...add.request, headers: [{ ...add.request.headers[0]!, defaultValue: 'http://tempuri.org/Subtract' }] } } } }],
      value: 0,
    }));
    const wrong = scenario(2).findings.find((f) => f.operationId === 'add')!;
    expect(wrong.message).toContain('http://tempuri.org/Subtract, not http://tempuri.org/Add');
    await apply(wrong.fix);
    expect(scenario(2).findings.map((f) => f.operationId)).toEqual(['multiply', 'divide']);

    const multiply = store.index.getOperation('calculator', 'multiply')!;
    const [representation] = multiply.request.representations as Record<string, unknown>[];
    await store.mutate(() => ({
      changes: [
        {
          put: {
            kind: 'operation',
            value: { ...multiply, request: { ...multiply.request, representations: [{ ...representation, contentType: 'application/soap+xml; action="http://tempuri.org/Multiply"' }] } },
          },
        },
      ],
      value: 0,
    }));
    expect(codes(scenario(2))).toEqual(['divideByZero']);
  });
});

describe('scenario 3: 401s', () => {
  it('fixes with the fixes of its findings, through the management API', async () => {
    for (const finding of scenario(3).findings.filter((f) => f.code === 'hardCodedKeyHeader')) await apply(finding.fix);
    expect(scenario(3).status).toBe('partly fixed');
    expect(store.index.getOperation('echo-api', 'retrieve-resource')!.request.queryParameters.map((p) => p.name)).toEqual(['param1', 'param2']);
    await apply(findingOf(3, 'apiInNoProduct').fix);
    expect(labStateOf(store.index)).toMatchObject({ status: 'fixed', findings: [], usableProducts: ['starter'] });
  });

  it("activates the administrator's suspended subscription", async () => {
    await apply(findingOf(3, 'apiInNoProduct').fix);
    const response = await h.call('PATCH', '/subscriptions/starter-admin', { body: { properties: { state: 'suspended' } }, headers: { 'If-Match': '*' } });
    expect(response.status).toBe(200);
    const finding = findingOf(3, 'noActiveAdminSubscription');
    expect(finding.fix!.label).toBe("Activate the administrator's subscription starter-admin");
    await apply(finding.fix);
    expect(store.index.getSubscription('starter-admin')!.state).toBe('active');
    expect(codes(scenario(3))).toEqual(['hardCodedKeyHeader', 'hardCodedKeyHeader']);
  });
});

describe('scenario 4: slow, failing, and a fake 429', () => {
  it('names the missing cache and the return-response PutProduct inherits; the failing backend is told, not counted', async () => {
    expect(scenario(4).status).toBe('broken');
    expect(codes(scenario(4))).toEqual(['noResponseCache', 'fakeResponse', 'backendFails']);
    const cache = findingOf(4, 'noResponseCache');
    expect(cache.operationId).toBe('Products_GetAllProducts');
    expect(cache.message).toContain('no cache-lookup and cache-store');
    const fake = findingOf(4, 'fakeResponse');
    expect(fake.operationId).toBe('Products_PutProduct');
    expect(fake.message).toContain('Products_PutProduct answers 429 "Too many requests"');
    expect(fake.message).toContain('(API productstore, line 10)');
    const failing = findingOf(4, 'backendFails');
    expect(failing).toMatchObject({ operationId: 'Products_DeleteProduct', informational: true });
    expect(failing.fix).toBeUndefined();

    await apply(cache.fix);
    expect(scenario(4).status).toBe('partly fixed');
    const doc = store.index.policyDocument({ scope: 'operation', apiId: 'productstore', operationId: 'Products_GetAllProducts' })!.value;
    expect(doc).toContain('<base />\n    <cache-lookup vary-by-developer="false" vary-by-developer-groups="false" />\n  </inbound>');
    // The operation's outbound section still leaves <base /> out: it does not inherit the fake 429.
    expect(doc).toContain('<outbound>\n    <cache-store duration="60" />\n  </outbound>');

    await apply(findingOf(4, 'fakeResponse').fix);
    expect(scenario(4).status).toBe('fixed');
    expect(codes(scenario(4))).toEqual(['backendFails']);
    expect(store.index.policyDocument({ scope: 'api', apiId: 'productstore' })!.value).not.toContain('return-response');
  });

  it('names every operation that inherits the return-response once an operation takes <base /> back', async () => {
    const ref = { scope: 'operation', apiId: 'productstore', operationId: 'Products_GetProduct' } as const;
    const own = store.index.policyDocument(ref)!;
    await putPolicy({ ...own, value: own.value.replace('<outbound>\n  </outbound>', '<outbound>\n    <base />\n  </outbound>') });
    const fakes = scenario(4).findings.filter((f) => f.code === 'fakeResponse');
    expect(fakes).toHaveLength(1);
    expect(fakes[0]!.message).toContain('Products_GetProduct and Products_PutProduct answer 429');
  });
});

describe('scenario 5: 403 and 429', () => {
  it("names Standard's ip-filter on GetPosts and the global rate limit on GetComments; each fix, then both", async () => {
    expect(scenario(5).status).toBe('broken');
    const ip = findingOf(5, 'ipFilter');
    expect(ip.operationId).toBe('getposts');
    expect(ip.message).toBe('GetPosts answers 403 "Forbidden": the ip-filter (product standard, line 6) forbids 0.0.0.0-255.255.255.255, that is every caller.');
    const rate = findingOf(5, 'rateLimit');
    expect(rate.operationId).toBe('getcomments');
    expect(rate.message).toContain('GetComments answers 429');
    expect(rate.message).toContain('allows 1 call per 10 s');
    expect(rate.message).toContain('the global policy, line 5');
    // Only the operations the choose conditions name: GetPhotos and GetUsers are fine.
    expect(scenario(5).findings).toHaveLength(2);

    await apply(ip.fix);
    expect(scenario(5)).toMatchObject({ status: 'partly fixed', findings: [{ code: 'rateLimit' }] });
    // The choose that held only the ip-filter went with it.
    const standard = store.index.policyDocument({ scope: 'product', productId: 'standard' })!.value;
    expect(standard).not.toContain('choose');
    expect(standard).toContain('<inbound>\n    <base />\n  </inbound>');

    await apply(findingOf(5, 'rateLimit').fix);
    expect(scenario(5)).toMatchObject({ status: 'fixed', findings: [] });
    const global = store.index.policyDocument({ scope: 'global' })!.value;
    expect(global).not.toContain('rate-limit');
    expect(global).toContain('<forward-request />');
    // Scenario 1's GetMyIp still forwards: the global backend section was left alone.
    expect(scenario(1).findings.map((f) => f.operationId)).toEqual(['getheaders']);
  });

  it('accepts a narrowed filter and a looser limit as fixes', async () => {
    const standard = store.index.policyDocument({ scope: 'product', productId: 'standard' })!;
    await putPolicy({ ...standard, value: standard.value.replace('from="0.0.0.0" to="255.255.255.255"', 'from="10.1.0.0" to="10.1.255.255"') });
    const global = store.index.policyDocument({ scope: 'global' })!;
    await putPolicy({ ...global, value: global.value.replace('calls="1" renewal-period="10"', 'calls="100" renewal-period="60"') });
    expect(scenario(5).status).toBe('fixed');
  });

  it('counts a branch whose condition reads the request as one that may apply', async () => {
    const standard = store.index.policyDocument({ scope: 'product', productId: 'standard' })!;
    await putPolicy({ ...standard, value: standard.value.replace('@(context.Operation.Name.Equals("GetPosts"))', '@(context.Request.Headers.ContainsKey("X-Any"))') });
    const ip = findingOf(5, 'ipFilter');
    expect(ip.message).toContain('GetComments, GetPhotos, GetPosts and GetUsers answer 403');
  });

  it('refuses a fix computed from a document that changed since (412): the state is read again', async () => {
    const fix = findingOf(5, 'ipFilter').fix!;
    const standard = store.index.policyDocument({ scope: 'product', productId: 'standard' })!;
    const changed = await h.call('PUT', '/products/standard/policies/policy', { body: { properties: { format: 'rawxml', value: standard.value } }, headers: { 'If-Match': '*' } });
    expect(changed.status).toBe(200);
    const [request] = fix.requests;
    const stale = await h.call(request!.method, request!.path, { body: request!.body, headers: { 'If-Match': request!.ifMatch! } });
    expect(stale.status).toBe(412);
    await apply(findingOf(5, 'ipFilter').fix);
    expect(codes(scenario(5))).toEqual(['rateLimit']);
  });
});
