import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ECHO_API_ID } from '../../src/lab/seed';
import { SERVICE_ID, armError, harness, hostMode, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await harness();
  await h.call('PUT', '/products/pol-product', { body: { properties: { displayName: 'Policies' } } });
  await h.call('PUT', '/apis/pol-api', { body: { properties: { displayName: 'Policies', path: 'pol' } } });
  await h.call('PUT', '/apis/pol-api/operations/pol-op', { body: { properties: { displayName: 'Op', method: 'GET', urlTemplate: '/op' } } });
});
afterAll(() => h?.close());

const star = { 'If-Match': '*' };

/** APIM's own example document (ApiManagementCreatePolicy.json). */
const EXAMPLE = '<policies>\r\n  <inbound />\r\n  <backend>\r\n    <forward-request />\r\n  </backend>\r\n  <outbound />\r\n</policies>';
const BASE_ONLY = '<policies><inbound><base /></inbound><backend><base /></backend><outbound><base /></outbound></policies>';
/** A rawxml document: the expression is C# as written, `"`, `<` and `&&` unescaped. */
const RAWXML = '<policies><inbound><base /><set-header name="x" exists-action="override"><value>@(context.Request.Headers.GetValueOrDefault("a", "b").Length < 3 && true ? "<yes>" : "no")</value></set-header></inbound></policies>';
/** The same document as XML. */
const RAWXML_AS_XML = '<policies><inbound><base /><set-header name="x" exists-action="override"><value>@(context.Request.Headers.GetValueOrDefault("a", "b").Length &lt; 3 &amp;&amp; true ? "&lt;yes&gt;" : "no")</value></set-header></inbound></policies>';

const SCOPES = [
  { path: '', type: 'Microsoft.ApiManagement/service/policies', ref: { scope: 'global' } },
  { path: '/products/pol-product', type: 'Microsoft.ApiManagement/service/products/policies', ref: { scope: 'product', productId: 'pol-product' } },
  { path: '/apis/pol-api', type: 'Microsoft.ApiManagement/service/apis/policies', ref: { scope: 'api', apiId: 'pol-api' } },
  { path: '/apis/pol-api/operations/pol-op', type: 'Microsoft.ApiManagement/service/apis/operations/policies', ref: { scope: 'operation', apiId: 'pol-api', operationId: 'pol-op' } },
] as const;

const putPolicy = (parent: string, properties: Record<string, unknown>, headers: Record<string, string> = {}) =>
  h.call('PUT', `${parent}/policies/policy`, { body: { properties }, headers });

/** A parent with a fresh API (and operation) of its own, so tests do not share documents. */
async function freshApi(id: string): Promise<void> {
  await h.call('PUT', `/apis/${id}`, { body: { properties: { displayName: id, path: id } } });
  await h.call('PUT', `/apis/${id}/operations/op`, { body: { properties: { displayName: 'Op', method: 'GET', urlTemplate: '/op' } } });
}

describe('policy documents', () => {
  it.each(SCOPES)('PUT creates $type with 201, GET and the list answer it, PUT again replaces with 200', async ({ path, type, ref }) => {
    const created = await putPolicy(path, { format: 'xml', value: EXAMPLE }, star);
    expect(created.status).toBe(201);
    expect(created.headers.ETag).toMatch(/^"\d+"$/);
    const envelope = { id: `${SERVICE_ID}${path}/policies/policy`, type, name: 'policy', properties: { format: 'xml', value: EXAMPLE } };
    expect(created.json).toEqual(envelope);
    const got = await h.call('GET', `${path}/policies/policy`);
    expect(got.status).toBe(200);
    expect(got.json).toEqual(envelope);
    expect(got.headers.ETag).toBe(created.headers.ETag);
    const head = await h.call('HEAD', `${path}/policies/policy`);
    expect(head.status).toBe(200);
    expect(head.headers.ETag).toBe(created.headers.ETag);
    expect((await h.call('GET', `${path}/policies`)).json).toEqual({ value: [envelope], count: 1, nextLink: null });
    // The catalog view the gateway reads holds it as written.
    expect(h.store.view.policyDocument(ref)).toEqual({ ...ref, format: 'xml', value: EXAMPLE });

    const replaced = await putPolicy(path, { value: BASE_ONLY });
    expect(replaced.status).toBe(200);
    expect(replaced.json.properties).toEqual({ format: 'xml', value: BASE_ONLY });
    expect(replaced.headers.ETag).not.toBe(created.headers.ETag);

    const deleted = await h.call('DELETE', `${path}/policies/policy`, { headers: { 'If-Match': replaced.headers.ETag! } });
    expect(deleted.status).toBe(200);
    expect(h.store.view.policyDocument(ref)).toBeUndefined();
    expect(armError(await h.call('GET', `${path}/policies/policy`))).toEqual({ code: 'ResourceNotFound', message: 'Policy not found.', details: null });
    expect((await h.call('GET', `${path}/policies`)).json).toEqual({ value: [], count: 0, nextLink: null });
    expect((await h.call('DELETE', `${path}/policies/policy`, { headers: star })).status).toBe(204);
  });

  it('format defaults to xml; rawxml is stored as written and converted by GET ?format=', async () => {
    const created = await putPolicy('/apis/pol-api', { format: 'rawxml', value: RAWXML });
    expect(created.status).toBe(201);
    expect(created.json.properties).toEqual({ format: 'rawxml', value: RAWXML });
    expect((await h.call('GET', '/apis/pol-api/policies/policy')).json.properties).toEqual({ format: 'rawxml', value: RAWXML });
    expect((await h.call('GET', '/apis/pol-api/policies/policy', { query: 'format=xml' })).json.properties).toEqual({ format: 'xml', value: RAWXML_AS_XML });
    expect((await h.call('GET', '/apis/pol-api/policies/policy', { query: 'format=rawxml' })).json.properties).toEqual({ format: 'rawxml', value: RAWXML });
    expect((await h.call('GET', '/apis/pol-api/policies', { query: 'format=xml' })).json.value[0].properties.value).toBe(RAWXML_AS_XML);

    // Written as XML, read back as rawxml.
    await putPolicy('/apis/pol-api', { format: 'xml', value: RAWXML_AS_XML });
    expect((await h.call('GET', '/apis/pol-api/policies/policy', { query: 'format=rawxml' })).json.properties).toEqual({ format: 'rawxml', value: RAWXML });
    expect((await h.call('GET', '/apis/pol-api/policies/policy')).json.properties).toEqual({ format: 'xml', value: RAWXML_AS_XML });

    const bad = await h.call('GET', '/apis/pol-api/policies/policy', { query: 'format=xml-link' });
    expect(bad.status).toBe(400);
    expect(armError(bad).details?.[0]?.target).toBe('format');
    await h.call('DELETE', '/apis/pol-api/policies/policy', { headers: star });
  });

  it("APIM's rawxml example (ApiManagementCreateApiPolicyNonXmlEncoded.json) is accepted with If-Match: *", async () => {
    const value = '<policies>\r\n     <inbound>\r\n     <base />\r\n  <set-header name="newvalue" exists-action="override">\r\n   <value>"@(context.Request.Headers.FirstOrDefault(h => h.Ke=="Via"))" </value>\r\n    </set-header>\r\n  </inbound>\r\n      </policies>';
    const created = await putPolicy('/apis/pol-api/operations/pol-op', { value, format: 'rawxml' }, star);
    expect(created.status).toBe(201);
    expect(created.json.type).toBe('Microsoft.ApiManagement/service/apis/operations/policies');
    // The value is quoted text, not an expression: its XML form is the same text, and valid XML.
    const asXml = await h.call('GET', '/apis/pol-api/operations/pol-op/policies/policy', { query: 'format=xml' });
    expect(asXml.json.properties).toEqual({ format: 'xml', value });
    expect((await putPolicy('/apis/pol-api/operations/pol-op', asXml.json.properties)).status).toBe(200);
    await h.call('DELETE', '/apis/pol-api/operations/pol-op/policies/policy', { headers: star });
  });

  it.each([
    ['malformed XML', '<policies>\n  <inbound>\n</policies>', 'api', /^Error in element 'policies' on line 3, column 11: The document is not well-formed XML: unexpected close tag/],
    ['an unknown section', '<policies>\n  <inbound />\n  <middle />\n</policies>', 'api', /^Error in element 'middle' on line 3, column 3: /],
    ['an element outside its scopes', '<policies>\n  <inbound>\n    <quota calls="5" renewal-period="60" />\n  </inbound>\n</policies>', 'api', /^Error in element 'quota' on line 3, column 5: 'quota' is not allowed at api scope/],
    ['an element the gateway does not implement', '<policies>\n  <inbound>\n     <json-to-xml apply="always" />\n  </inbound>\n</policies>', 'product', /^Error in element 'json-to-xml' on line 3, column 6: .*not supported by this gateway/],
    ['a bad attribute', '<policies><inbound><rate-limit calls="x" renewal-period="60" /></inbound></policies>', 'product', /^Error in element 'rate-limit' on line 1, column \d+: /],
    ['an unknown expression member', '<policies><inbound><set-header name="x"><value>@(context.Nope)</value></set-header></inbound></policies>', 'global', /^Error in element 'set-header' on line 1, column 58: /],
    ['a DTD', '<!DOCTYPE policies [<!ENTITY a "b">]><policies />', 'global', /^Error in element '[^']+' on line 1, column \d+: /],
    ['not a policies document', '<policy />', 'global', /^Error in element 'policy' on line 1, column 1: /],
    ['an empty value', '', 'global', /^Error in element '[^']+' on line 1, column \d+: /],
  ] as const)('refuses %s with 400 ValidationError naming element, line and column; nothing written', async (_, value, scope, message) => {
    const path = SCOPES.find((s) => s.ref.scope === scope)!.path;
    await putPolicy(path, { value: BASE_ONLY.replace('<base /></inbound>', '<base /><set-variable name="keep" value="1" /></inbound>') }, star);
    const before = h.snapshot();
    const stored = (await h.call('GET', `${path}/policies/policy`)).json;
    const refused = await putPolicy(path, { format: 'xml', value });
    expect(refused.status).toBe(400);
    const error = armError(refused);
    expect(error.code).toBe('ValidationError');
    expect(error.message).toBe('One or more fields contain incorrect values:');
    expect(error.details).toHaveLength(1);
    expect(error.details![0]!.code).toBe('ValidationError');
    expect(error.details![0]!.target).toBe('representation');
    expect(error.details![0]!.message).toMatch(message);
    expect(h.snapshot()).toBe(before);
    expect((await h.call('GET', `${path}/policies/policy`)).json).toEqual(stored);
    await h.call('DELETE', `${path}/policies/policy`, { headers: star });
  });

  it('refuses the -link formats with a clear 400, and other formats and a missing value', async () => {
    for (const format of ['xml-link', 'rawxml-link']) {
      const refused = await putPolicy('', { format, value: 'https://example.com/policy.xml' });
      expect(refused.status).toBe(400);
      const error = armError(refused);
      expect(error.code).toBe('ValidationError');
      expect(error.details).toEqual([{ code: 'ValidationError', target: 'properties.format', message: expect.stringContaining(`'${format}' (a document fetched from a URL) is not supported`) }]);
    }
    const other = await putPolicy('', { format: 'json', value: EXAMPLE });
    expect(other.status).toBe(400);
    expect(armError(other).details?.[0]?.target).toBe('properties.format');
    const missing = await putPolicy('', { format: 'xml' });
    expect(missing.status).toBe(400);
    expect(armError(missing).details?.[0]?.target).toBe('properties.value');
    expect(h.store.view.policyDocument({ scope: 'global' })).toBeUndefined();
  });

  it('If-Match: * creates and replaces; an entity tag must match; DELETE requires If-Match', async () => {
    const path = '/products/pol-product/policies/policy';
    const missingTag = await h.call('PUT', path, { body: { properties: { value: BASE_ONLY } }, headers: { 'If-Match': '"1"' } });
    expect(missingTag.status).toBe(412);
    const created = await h.call('PUT', path, { body: { properties: { value: BASE_ONLY } }, headers: star });
    expect(created.status).toBe(201);
    const stale = await h.call('PUT', path, { body: { properties: { value: EXAMPLE } }, headers: { 'If-Match': '"1"' } });
    expect(stale.status).toBe(412);
    expect(armError(stale).code).toBe('PreconditionFailed');
    const matching = await h.call('PUT', path, { body: { properties: { value: EXAMPLE } }, headers: { 'If-Match': created.headers.ETag! } });
    expect(matching.status).toBe(200);
    const anyTag = await h.call('PUT', path, { body: { properties: { value: BASE_ONLY } }, headers: star });
    expect(anyTag.status).toBe(200);

    const noIfMatch = await h.call('DELETE', path);
    expect(noIfMatch.status).toBe(400);
    expect(armError(noIfMatch).details?.[0]?.target).toBe('If-Match');
    expect((await h.call('DELETE', path, { headers: { 'If-Match': created.headers.ETag! } })).status).toBe(412);
    expect(h.store.view.policyDocument({ scope: 'product', productId: 'pol-product' })?.value).toBe(BASE_ONLY);
    expect((await h.call('DELETE', path, { headers: { 'If-Match': anyTag.headers.ETag! } })).status).toBe(200);
  });

  it('the parent must exist: 404 in its own words, nothing written', async () => {
    const before = h.snapshot();
    for (const [path, message] of [
      ['/products/no-such/policies/policy', 'Product not found.'],
      ['/apis/no-such/policies/policy', 'Api not found.'],
      ['/apis/no-such/operations/op/policies/policy', 'Api not found.'],
      ['/apis/pol-api/operations/no-such/policies/policy', 'Operation not found.'],
    ] as const) {
      const put = await h.call('PUT', path, { body: { properties: { value: BASE_ONLY } }, headers: star });
      expect(put.status).toBe(404);
      expect(armError(put).message).toBe(message);
      expect(armError(await h.call('GET', path)).message).toBe(message);
      expect(armError(await h.call('GET', path.replace(/\/policy$/, ''))).message).toBe(message);
    }
    expect(h.snapshot()).toBe(before);
    // Only `policy` names a policy document.
    expect((await h.call('GET', '/policies/other')).status).toBe(404);
  });

  it('deleting an operation, an API or a product deletes its documents in the same change', async () => {
    await freshApi('doomed');
    await putPolicy('/apis/doomed', { value: BASE_ONLY });
    await putPolicy('/apis/doomed/operations/op', { value: BASE_ONLY });
    await h.call('PUT', '/apis/doomed/operations/op2', { body: { properties: { displayName: 'Op2', method: 'POST', urlTemplate: '/op' } } });
    await putPolicy('/apis/doomed/operations/op2', { value: BASE_ONLY });
    await h.call('PUT', '/products/doomed', { body: { properties: { displayName: 'Doomed' } } });
    await putPolicy('/products/doomed', { value: BASE_ONLY });
    await putPolicy('/apis/pol-api', { value: BASE_ONLY });
    const versionBefore = h.store.index.version;

    expect((await h.call('DELETE', '/apis/doomed/operations/op2', { headers: star })).status).toBe(200);
    expect(h.store.index.version).toBe(versionBefore + 1);
    expect(h.store.view.policyDocument({ scope: 'operation', apiId: 'doomed', operationId: 'op2' })).toBeUndefined();
    expect(h.store.view.policyDocument({ scope: 'operation', apiId: 'doomed', operationId: 'op' })).toBeDefined();
    expect(h.store.index.revisions.get('policy|operation|doomed|op2')).toBeUndefined();

    expect((await h.call('DELETE', '/apis/doomed', { headers: star })).status).toBe(200);
    expect(h.store.index.version).toBe(versionBefore + 2);
    expect(h.store.view.policyDocument({ scope: 'api', apiId: 'doomed' })).toBeUndefined();
    expect(h.store.view.policyDocument({ scope: 'operation', apiId: 'doomed', operationId: 'op' })).toBeUndefined();
    expect(h.store.index.revisions.get('policy|api|doomed')).toBeUndefined();

    expect((await h.call('DELETE', '/products/doomed', { headers: star })).status).toBe(200);
    expect(h.store.view.policyDocument({ scope: 'product', productId: 'doomed' })).toBeUndefined();
    expect(h.store.index.revisions.get('policy|product|doomed')).toBeUndefined();
    // Another API's document stays.
    expect(h.store.view.policyDocument({ scope: 'api', apiId: 'pol-api' })?.value).toBe(BASE_ONLY);

    // Re-created, the parents start with no document.
    await freshApi('doomed');
    expect((await h.call('GET', '/apis/doomed/policies')).json.count).toBe(0);
    expect((await h.call('GET', '/apis/doomed/operations/op/policies')).json.count).toBe(0);
    await h.call('DELETE', '/apis/pol-api/policies/policy', { headers: star });
  });

  it('a document of 256 KiB is stored and read back as written; one byte more is refused', async () => {
    const head = '<policies>\n<inbound><base /></inbound>\n<!--';
    const tail = '--></policies>';
    let value = head + '"\n\u{1F600}'.repeat(Math.floor((262_144 - head.length - tail.length) / 6)) + tail;
    value = value.replace('<!--', `<!--${' '.repeat(262_144 - Buffer.byteLength(value, 'utf8'))}`);
    expect(Buffer.byteLength(value, 'utf8')).toBe(262_144);
    const created = await putPolicy(`/apis/${ECHO_API_ID}`, { value }, star);
    expect(created.status).toBe(201);
    const got = await h.call('GET', `/apis/${ECHO_API_ID}/policies/policy`);
    expect(got.json.properties.value === value).toBe(true);
    expect(h.store.view.policyDocument({ scope: 'api', apiId: ECHO_API_ID })?.value === value).toBe(true);

    const tooLarge = await putPolicy(`/apis/${ECHO_API_ID}`, { value: value.replace('<!--', '<!-- ') });
    expect(tooLarge.status).toBe(400);
    expect(armError(tooLarge).details?.[0]).toMatchObject({ target: 'representation', message: expect.stringMatching(/^Error in element 'policies' on line 1, column 1: .*262144 bytes \(256 KiB\)/) });
    expect((await h.call('DELETE', `/apis/${ECHO_API_ID}/policies/policy`, { headers: star })).status).toBe(200);
  });
});

const SEEDS = [
  '<policies><inbound><base /><rate-limit calls="5" renewal-period="60" /><quota calls="100" renewal-period="604800" /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>',
  '<policies>\n  <inbound>\n    <choose>\n      <when condition="@(context.Request.Method == &quot;GET&quot;)">\n        <return-response><set-status code="403" reason="No" /><set-body>x</set-body></return-response>\n      </when>\n    </choose>\n    <set-header name="a" exists-action="append"><value>@(context.Request.IpAddress)</value></set-header>\n  </inbound>\n  <backend><forward-request timeout="10" /></backend>\n</policies>',
  RAWXML,
];
const PIECES = ['<', '>', '/>', '</', '"', "'", '&', '&amp;', '&bogus;', '<!DOCTYPE x>', '<?pi?>', '<![CDATA[', '<!--', '@(', ')', '@{', '}', '=', ' ', '\n', '<base />', '<inbound>', '</inbound>', 'calls="-1"', '\u0000', '<x>', '<quota calls="1" renewal-period="300" />'];

const mutated = fc
  .record({
    seed: fc.constantFrom(...SEEDS),
    edits: fc.array(fc.record({ at: fc.nat(), remove: fc.nat({ max: 6 }), insert: fc.constantFrom(...PIECES) }), { minLength: 1, maxLength: 5 }),
  })
  .map(({ seed, edits }) =>
    edits.reduce((text, { at, remove, insert }) => {
      const i = at % (text.length + 1);
      return text.slice(0, i) + insert + text.slice(i + remove);
    }, seed),
  );

describe('fuzzed policy documents through PUT', () => {
  it('only ever answer 200, 201 or 400 (never 5xx), and a refused one leaves the stored document intact', async () => {
    const scopes = ['', '/products/pol-product', '/apis/pol-api', '/apis/pol-api/operations/pol-op'];
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(mutated, fc.string({ maxLength: 120 })),
        fc.constantFrom('xml', 'rawxml', undefined),
        fc.constantFrom(...scopes),
        async (value, format, path) => {
          const before = await h.call('GET', `${path}/policies/policy`);
          const result = await putPolicy(path, format === undefined ? { value } : { format, value });
          expect([200, 201, 400]).toContain(result.status);
          if (result.status === 400) {
            expect(armError(result).details?.[0]?.target).toBe('representation');
            expect(armError(result).details?.[0]?.message).toMatch(/^Error in element '.*' on line \d+, column \d+: /s);
            const after = await h.call('GET', `${path}/policies/policy`);
            expect(after.status).toBe(before.status);
            expect(after.body).toBe(before.body);
          } else {
            expect(result.json.properties.value).toBe(value);
          }
        },
      ),
      { numRuns: hostMode ? 60 : 250 },
    );
  });
});
