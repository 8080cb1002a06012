import { describe, expect, it } from 'vitest';
import { apiResource, operationResource, productResource } from '../../src/apim/armContracts';
import type { ArmService } from '../../src/apim/armResources';
import { initialRows, keyHeaderOf, mask, resolveAdminKey, shown, type ManagementReader } from '../../src/lab/console/client/keys';
import { REPRESENTATION_SOURCE, requestBodies, withContentType } from '../../src/lab/console/client/body';
import { buildRequest } from '../../src/lab/console/client/request';
import { calculatorRecords } from '../../src/lab/instance/calculator';
import type { Operation } from '../../src/catalog/records';
import type { HeaderRow, KeyChoice, OperationResource } from '../../src/lab/console/client/types';
import { ADMIN_USER, echoApi, echoOperations, HARD_CODED_KEY, labProducts } from '../../src/lab/seed';

/**
 * The console's key-choosing rules and request building, without a browser: fed
 * the management API's own contracts for the lab's records. The browser test
 * shows the same rules end to end.
 */

const SERVICE: ArmService = { subscriptionId: '00000000-0000-0000-0000-000000000000', resourceGroup: 'apim-lab', serviceName: 'apim-lab' };
const api = apiResource(SERVICE, echoApi({}));
const operation = (id: string): OperationResource => operationResource(SERVICE, echoOperations().find((o) => o.id === id)!);
const productNamed = (id: string) => productResource(SERVICE, labProducts().find((p) => p.id === id)!);
const [starter, unlimited] = [productNamed('starter'), productNamed('unlimited')];
const ADMIN_KEY: KeyChoice = { value: 'admin-primary-key', kind: 'adminkey', source: "administrator's key for product Starter", detail: 'subscription starter-admin, primary key', products: [starter!] };
const NO_KEY: KeyChoice = { value: '', kind: 'nokey', source: 'no product contains this API: no key', products: [] };

/** A management API that answers from a table of paths, and records what was asked. */
function reader(answers: Record<string, unknown>): ManagementReader & { asked: string[] } {
  const asked: string[] = [];
  const answer = (path: string) => {
    asked.push(path);
    if (!(path in answers)) throw new Error(`unexpected ${path}`);
    return answers[path];
  };
  return {
    asked,
    listAll: async <T>(path: string) => answer(path) as T[],
    manage: async <T>(method: string, path: string) => answer(`${method} ${path}`) as T,
  };
}

const filterPath = (productId: string) =>
  `/subscriptions?$filter=${encodeURIComponent(`ownerId eq '${ADMIN_USER}' and state eq 'active' and productId eq '${productId}'`)}`;

describe("the console's key-choosing rules", () => {
  it('sends the hard-coded key of a definition, and then never the administrator key', () => {
    const rows = initialRows(operation('retrieve-resource'), api, ADMIN_KEY);
    expect(rows).toEqual([{ name: 'Ocp-Apim-Subscription-Key', value: HARD_CODED_KEY, kind: 'hardcoded', source: "from the operation's definition: hard-coded" }]);
  });

  it("sends the administrator's key only when the definition has no key header", () => {
    expect(initialRows(operation('modify-resource'), api, ADMIN_KEY)).toEqual([
      { name: 'Ocp-Apim-Subscription-Key', value: 'admin-primary-key', kind: 'adminkey', source: ADMIN_KEY.source, detail: ADMIN_KEY.detail },
    ]);
    expect(initialRows(operation('modify-resource'), api, NO_KEY)).toEqual([
      { name: 'Ocp-Apim-Subscription-Key', value: '', kind: 'nokey', source: NO_KEY.source, detail: undefined },
    ]);
  });

  it("keeps the definition's other headers and an empty key header, matching names case-insensitively, under the API's own header name", () => {
    const custom = { ...api, properties: { ...api.properties, subscriptionKeyParameterNames: { header: 'X-Key', query: 'key' } } };
    const op = operation('modify-resource');
    op.properties.request.headers = [
      { name: 'x-key', defaultValue: null },
      { name: 'X-Trace', defaultValue: 'on' },
      { name: 'X-Empty' },
    ];
    expect(keyHeaderOf(custom)).toBe('X-Key');
    expect(initialRows(op, custom, ADMIN_KEY).map((r) => [r.name, r.value, r.kind, r.source])).toEqual([
      ['x-key', '', 'nokey', "from the operation's definition, without a value: the administrator's key is not used"],
      ['X-Trace', 'on', 'definition', "from the operation's definition (default value)"],
      ['X-Empty', '', 'definition', "from the operation's definition"],
    ]);
    expect(keyHeaderOf(null)).toBe('Ocp-Apim-Subscription-Key');
  });

  it("finds the administrator's key: the first product of the API with an active administrator subscription, its primary key", async () => {
    const management = reader({
      '/apis/echo-api/products': [starter, unlimited],
      [filterPath('starter')]: [],
      [filterPath('unlimited')]: [{ name: 'unlimited-admin' }],
      'POST /subscriptions/unlimited-admin/listSecrets': { primaryKey: 'primary', secondaryKey: 'secondary' },
    });
    expect(await resolveAdminKey(management, api, ADMIN_USER)).toEqual({
      value: 'primary',
      kind: 'adminkey',
      source: "administrator's key for product Unlimited",
      detail: 'subscription unlimited-admin, primary key',
      products: [starter, unlimited],
    });
    expect(management.asked).toEqual(['/apis/echo-api/products', filterPath('starter'), filterPath('unlimited'), 'POST /subscriptions/unlimited-admin/listSecrets']);
  });

  it('finds no key when no product contains the API, or the administrator is subscribed to none of them', async () => {
    expect(await resolveAdminKey(reader({ '/apis/echo-api/products': [] }), api, ADMIN_USER)).toEqual(NO_KEY);
    const none = await resolveAdminKey(
      reader({ '/apis/echo-api/products': [starter, unlimited], [filterPath('starter')]: [], [filterPath('unlimited')]: [] }),
      api,
      ADMIN_USER,
    );
    expect(none).toEqual({ value: '', kind: 'nokey', source: 'the administrator has no active subscription to Starter, Unlimited: no key', products: [starter, unlimited] });
  });

  it('shows a key as its first 4 characters and dots until revealed', () => {
    const row: HeaderRow = { name: 'ocp-apim-subscription-key', value: HARD_CODED_KEY, kind: 'hardcoded', source: '' };
    expect(mask(HARD_CODED_KEY)).toBe(`68d3${'\u2022'.repeat(28)}`);
    expect(mask('abcdef')).toBe(`abcd${'\u2022'.repeat(4)}`);
    expect(shown(row, api, false)).toBe(mask(HARD_CODED_KEY));
    expect(shown(row, api, true)).toBe(HARD_CODED_KEY);
    expect(shown({ ...row, name: 'X-Other' }, api, false)).toBe(HARD_CODED_KEY);
  });
});

describe("the console's request", () => {
  it("fills in the URL from the API path, the operation's template and the parameters, and sends only what a page may send", () => {
    const op = operation('retrieve-resource');
    op.properties.urlTemplate = '/items/{id}/{*rest}?fixed=a b&mode={mode}';
    const rows: HeaderRow[] = [
      { name: ' X-One ', value: '1', kind: 'user', source: '' },
      { name: 'X-Empty', value: '', kind: 'user', source: '' },
      { name: '', value: 'x', kind: 'user', source: '' },
      { name: 'Cookie', value: 'c', kind: 'user', source: '' },
      { name: 'Sec-Fetch-Mode', value: 'cors', kind: 'user', source: '' },
    ];
    const request = buildRequest({
      api,
      operation: op,
      templateValues: { id: 'a/b', rest: 'x y/z', mode: 'fast' },
      queryValues: { param1: 'sample', param2: '' },
      rows,
      origin: 'http://localhost:7071',
    });
    expect(request).toEqual({
      method: 'GET',
      target: '/echo/items/a%2Fb/x%20y/z?fixed=a%20b&mode=fast&param1=sample',
      url: 'http://localhost:7071/echo/items/a%2Fb/x%20y/z?fixed=a%20b&mode=fast&param1=sample',
      headers: [rows[0]],
    });
  });
});

describe("the console's request body", () => {
  const calculator = (id: string): OperationResource =>
    operationResource(SERVICE, calculatorRecords({}).flatMap((r) => (r.kind === 'operation' && r.value.id === id ? [r.value as Operation] : []))[0]!);

  it("fills in the example of the operation's representation and sends it with the representation's content type", () => {
    const bodies = requestBodies(calculator('divide'));
    expect(bodies).toHaveLength(1);
    expect(bodies[0]!.contentType).toBe('application/soap+xml');
    expect(bodies[0]!.example).toContain('<Divide xmlns="http://tempuri.org/">');
    expect(bodies[0]!.example).toContain('<intB>0</intB>');
    const rows = withContentType(initialRows(calculator('divide'), api, ADMIN_KEY), bodies[0]);
    expect(rows.map((r) => [r.name, r.value, r.source])).toEqual([
      ['SOAPAction', 'http://tempuri.org/Divide', "from the operation's definition (default value)"],
      ['Ocp-Apim-Subscription-Key', 'admin-primary-key', ADMIN_KEY.source],
      ['Content-Type', 'application/soap+xml', REPRESENTATION_SOURCE],
    ]);
  });

  it('reads older definitions (sample), JSON examples, and none', () => {
    const op = operation('create-resource');
    op.properties.request.representations = [
      { contentType: 'application/xml', sample: '<a />' },
      { contentType: 'application/json', examples: { default: { value: { a: 1 } } } },
      { typeName: 'nothing' },
    ];
    expect(requestBodies(op)).toEqual([
      { contentType: 'application/xml', example: '<a />' },
      { contentType: 'application/json', example: '{\n  "a": 1\n}' },
    ]);
    expect(requestBodies(operation('modify-resource'))).toEqual([]);
  });

  it("replaces the previous representation's content type, and never a Content-Type of the definition or typed by the learner", () => {
    const rows: HeaderRow[] = [{ name: 'X-One', value: '1', kind: 'user', source: '' }];
    const xml = withContentType(rows, { contentType: 'application/xml', example: '' });
    expect(withContentType(xml, { contentType: 'application/json', example: '' }).map((r) => `${r.name}: ${r.value}`)).toEqual(['X-One: 1', 'Content-Type: application/json']);
    expect(withContentType(xml, undefined).map((r) => r.name)).toEqual(['X-One']);
    const own: HeaderRow[] = [{ name: 'content-type', value: 'text/plain', kind: 'user', source: 'edited by you' }];
    expect(withContentType(own, { contentType: 'application/json', example: '' })).toEqual(own);
  });
});
