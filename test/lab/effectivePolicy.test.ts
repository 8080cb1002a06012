import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isArmError } from '../../src/apim/armErrors';
import { CatalogIndex } from '../../src/catalog/catalogIndex';
import type { PolicyRecord } from '../../src/catalog/records';
import type { CatalogRecord } from '../../src/catalog/tableCodec';
import { createLabConsole, type ConsoleStore } from '../../src/lab/console';
import { labSeed } from '../../src/lab/seed';
import { createSasToken, managementSettingsFromEnv } from '../../src/management';
import { effectivePolicyOf } from '../../src/management/effectivePolicy';

/**
 * APIM's "Calculate effective policy": the stored documents composed as the
 * gateway composes them, written back as XML with each element's scope, and the
 * lab console's `/lab/effective-policy/...` that serves it to a management token.
 */

/** APIM's default document of its built-in Starter product. */
const STARTER_DEFAULT: PolicyRecord = {
  scope: 'product',
  productId: 'starter',
  format: 'rawxml',
  value: [
    '<policies>',
    '  <inbound>',
    '    <base />',
    '    <rate-limit calls="5" renewal-period="60" />',
    '    <quota calls="100" renewal-period="604800" />',
    '  </inbound>',
    '  <backend><base /></backend>',
    '  <outbound><base /></outbound>',
    '  <on-error><base /></on-error>',
    '</policies>',
  ].join('\n'),
};

/** The lab's records with the documents of these tests instead of the lab's own. */
function labIndex(extra: PolicyRecord[] = []): CatalogIndex {
  const index = new CatalogIndex();
  const seed = labSeed({ WEBSITE_HOSTNAME: 'localhost:7071' }).filter((r) => r.kind !== 'policy');
  const records: CatalogRecord[] = [...seed, ...[STARTER_DEFAULT, ...extra].map((value): CatalogRecord => ({ kind: 'policy', value }))];
  for (const record of records) if (record.kind !== 'subscription') index.applyChange({ put: record }, 1);
  return index;
}

const DEFAULT_XML = ['<policies>', '  <inbound />', '  <backend>', '    <!-- global -->', '    <forward-request />', '  </backend>', '  <outbound />', '  <on-error />', '</policies>'].join('\n');

describe('effectivePolicyOf', () => {
  it('an operation without documents has the default policy: forward-request from global scope', () => {
    const view = effectivePolicyOf(labIndex(), 'echo-api', 'retrieve-resource', null);
    expect(view).toMatchObject({ apiId: 'echo-api', operationId: 'retrieve-resource', productId: null, isDefault: true });
    expect(view.xml).toBe(DEFAULT_XML);
    expect(view.elements).toEqual([{ section: 'backend', element: 'forward-request', scope: 'global', scopeId: null, line: 1, column: 31 }]);
  });

  it("with Starter: Starter's rate-limit and quota in inbound, each marked with its product", () => {
    const view = effectivePolicyOf(labIndex(), 'echo-api', 'retrieve-resource', 'starter');
    expect(view.isDefault).toBe(false);
    expect(view.xml).toBe(
      [
        '<policies>',
        '  <inbound>',
        '    <!-- product starter -->',
        '    <rate-limit calls="5" renewal-period="60" />',
        '    <quota calls="100" renewal-period="604800" />',
        '  </inbound>',
        '  <backend>',
        '    <!-- global -->',
        '    <forward-request />',
        '  </backend>',
        '  <outbound />',
        '  <on-error />',
        '</policies>',
      ].join('\n'),
    );
    expect(view.elements.slice(0, 2)).toEqual([
      { section: 'inbound', element: 'rate-limit', scope: 'product', scopeId: 'starter', line: 4, column: 5 },
      { section: 'inbound', element: 'quota', scope: 'product', scopeId: 'starter', line: 5, column: 5 },
    ]);
    expect(view.summary).toContain('inbound: rate-limit (product, line 4, column 5)');
    // Unlimited has no document: the default again.
    expect(effectivePolicyOf(labIndex(), 'echo-api', 'retrieve-resource', 'unlimited').xml).toBe(DEFAULT_XML);
  });

  it('nests every scope by <base />; a section without it drops what the outer scopes put there; expressions come back escaped', () => {
    const api = `<policies>
  <inbound>
    <base />
    <choose>
      <when condition="@(context.Request.Headers.GetValueOrDefault("x", "") == "a&b")">
        <set-header name="x-api" exists-action="override"><value>api</value></set-header>
      </when>
    </choose>
  </inbound>
  <outbound><base /><set-body>done &amp; dusted</set-body></outbound>
</policies>`;
    const operation = '<policies><inbound><set-header name="x-op" exists-action="override"><value>op</value></set-header><base /></inbound><backend><base /></backend><outbound><base /></outbound></policies>';
    const index = labIndex([
      { scope: 'api', apiId: 'echo-api', format: 'rawxml', value: api },
      { scope: 'operation', apiId: 'echo-api', operationId: 'retrieve-resource', format: 'xml', value: operation },
      { scope: 'operation', apiId: 'echo-api', operationId: 'create-resource', format: 'xml', value: '<policies><inbound><set-header name="only" exists-action="delete" /></inbound></policies>' },
    ]);
    const view = effectivePolicyOf(index, 'echo-api', 'retrieve-resource', 'starter');
    expect(view.xml).toContain(
      [
        '  <inbound>',
        '    <!-- operation retrieve-resource -->',
        '    <set-header name="x-op" exists-action="override">',
        '      <value>op</value>',
        '    </set-header>',
        '    <!-- product starter -->',
        '    <rate-limit calls="5" renewal-period="60" />',
        '    <quota calls="100" renewal-period="604800" />',
        '    <!-- api echo-api -->',
        '    <choose>',
        '      <when condition="@(context.Request.Headers.GetValueOrDefault(&quot;x&quot;, &quot;&quot;) == &quot;a&amp;b&quot;)">',
        '        <set-header name="x-api" exists-action="override">',
        '          <value>api</value>',
        '        </set-header>',
        '      </when>',
        '    </choose>',
        '  </inbound>',
      ].join('\n'),
    );
    expect(view.xml).toContain(['  <outbound>', '    <!-- api echo-api -->', '    <set-body>done &amp; dusted</set-body>', '  </outbound>'].join('\n'));
    // No <base /> in the operation's inbound: the product's limits and the API's choose are gone.
    const create = effectivePolicyOf(index, 'echo-api', 'create-resource', 'starter');
    expect(create.xml).toContain(['  <inbound>', '    <!-- operation create-resource -->', '    <set-header name="only" exists-action="delete" />', '  </inbound>'].join('\n'));
    expect(create.xml).not.toContain('rate-limit');
  });

  it('an unknown API, operation or product is 404 in APIM words', () => {
    for (const [api, operation, product, what] of [
      ['nope', 'retrieve-resource', null, 'Api'],
      ['echo-api', 'nope', null, 'Operation'],
      ['echo-api', 'retrieve-resource', 'nope', 'Product'],
    ] as const) {
      let thrown: unknown;
      try {
        effectivePolicyOf(labIndex(), api, operation, product);
      } catch (error) {
        thrown = error;
      }
      expect(isArmError(thrown) && thrown.status === 404 && thrown.message).toBe(`${what} not found.`);
    }
  });
});

describe('GET /lab/effective-policy/{apiId}/{operationId}[/{productId}]', () => {
  const primary = randomBytes(64).toString('base64');
  const settings = managementSettingsFromEnv({ MANAGEMENT_PRIMARY_KEY: primary, MANAGEMENT_SECONDARY_KEY: randomBytes(64).toString('base64') });
  const store: ConsoleStore = { index: labIndex(), catchUp: async () => {} };
  const console = createLabConsole({ store, settings });
  const authorization = `SharedAccessSignature ${createSasToken({ identifier: 'integration', key: primary, expiry: new Date(Date.now() + 3_600_000) })}`;
  const get = (path: string, auth: string | null = authorization) =>
    console.handle({ method: 'GET', path, headers: new Headers(auth === null ? {} : { Authorization: auth }) });

  it('answers the effective policy as JSON to a management token', async () => {
    const response = await get('effective-policy/echo-api/retrieve-resource/starter');
    expect(response.status).toBe(200);
    expect(response.headers['Content-Type']).toBe('application/json; charset=utf-8');
    expect(response.headers['Cache-Control']).toBe('no-store');
    expect(JSON.parse(response.body)).toEqual(effectivePolicyOf(store.index, 'echo-api', 'retrieve-resource', 'starter'));
    expect(JSON.parse((await get('effective-policy/echo-api/retrieve-resource')).body).xml).toBe(DEFAULT_XML);
  });

  it('refuses without a token, answers 404 for what does not exist and for other shapes', async () => {
    const anonymous = await get('effective-policy/echo-api/retrieve-resource', null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).not.toContain('policies');
    const missing = await get('effective-policy/echo-api/retrieve-resource/nope');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body).error).toMatchObject({ code: 'ResourceNotFound', message: 'Product not found.' });
    for (const path of ['effective-policy', 'effective-policy/echo-api', 'effective-policy/a/b/c/d', 'effective-policy/echo-api/a%3Fb']) {
      expect((await get(path)).status).toBe(404);
    }
  });
});
