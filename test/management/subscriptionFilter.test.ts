import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_ID, harness, targets, type Harness } from './harness';

/** `$filter` on subscription lists, over a catalog of its own: the lab's subscriptions and three more. */

describe('subscription $filter', () => {
  let f: Harness;
  beforeAll(async () => {
    f = await harness();
    const make = (sid: string, properties: Record<string, unknown>) => f.call('PUT', `/subscriptions/${sid}`, { body: { properties } });
    await make('f1', { scope: '/products/starter', displayName: "O'Brien", state: 'active', ownerId: '/users/alice' });
    await make('f2', { scope: '/products/starter', displayName: 'Second', state: 'suspended', ownerId: '/users/bob' });
    await make('f3', { scope: '/apis/echo-api', displayName: 'Third', state: 'active', ownerId: '/users/alice' });
    const comment = await f.call('PATCH', '/subscriptions/f2', { headers: { 'If-Match': '*' }, body: { properties: { stateComment: 'Paused for review' } } });
    expect(comment.status).toBeLessThan(300);
  });
  afterAll(() => f?.close());

  const names = async (filter: string, path = '/subscriptions') => {
    const result = await f.call('GET', path, { query: `$filter=${encodeURIComponent(filter)}` });
    expect(result.status).toBe(200);
    return result.json.value.map((s: { name: string }) => s.name).sort();
  };

  it.each([
    ["name eq 'f2'", ['f2']],
    ["displayName eq 'O''Brien'", ['f1']],
    ["state eq 'suspended'", ['f2']],
    ["scope eq '/apis/echo-api'", ['f3']],
    [`scope eq '${SERVICE_ID}/apis/echo-api'`, ['f3']],
    [`scope eq '${SERVICE_ID}/'`, ['master']],
    ["ownerId eq '/users/bob'", ['f2']],
    [`ownerId eq '${SERVICE_ID}/users/alice'`, ['f1', 'f3']],
    ["productId eq 'starter'", ['f1', 'f2', 'starter-admin']],
    ["productId eq 'starter' and state eq 'active'", ['f1', 'starter-admin']],
    ["ownerId eq '/users/alice' AND state eq 'active' and scope eq '/apis/echo-api'", ['f3']],
    ["NAME Eq 'F2'", ['f2']],
    // Comparisons other than eq (APIM: ge, le, eq, ne, gt, lt), case-insensitive like eq.
    ["name ne 'f1' and startswith(name, 'f')", ['f2', 'f3']],
    ["name gt 'f2' and name lt 'g'", ['f3']],
    ["name ge 'F2' and name le 'f3'", ['f2', 'f3']],
    ["displayName ne 'second'", ['f1', 'f3', 'master', 'starter-admin', 'unlimited-admin']],
    ["displayName gt 'a'", ['f1', 'f2', 'f3', 'master']],
    // The functions (APIM: substringof, contains, startswith, endswith).
    ["contains(displayName, 'ECON')", ['f2']],
    ["substringof('ir', displayName)", ['f3']],
    ["startswith(name, 'f')", ['f1', 'f2', 'f3']],
    ["endswith(name, '-admin')", ['starter-admin', 'unlimited-admin']],
    ["startsWith( name , 'f' ) and contains(displayName, 'o''b')", ['f1']],
    ["contains(stateComment, 'review')", ['f2']],
    ["stateComment ne 'Paused for review'", ['f1', 'f3', 'master', 'starter-admin', 'unlimited-admin']],
    // scope and ownerId: eq/ne take relative or full ids; the rest reads the full ids the resource shows.
    ["scope ne '/products/starter'", ['f3', 'master', 'unlimited-admin']],
    ["contains(scope, '/products/')", ['f1', 'f2', 'starter-admin', 'unlimited-admin']],
    ["endswith(scope, '/apis/echo-api')", ['f3']],
    ["startswith(scope, '/products')", []],
    [`startswith(scope, '${SERVICE_ID}/products/')`, ['f1', 'f2', 'starter-admin', 'unlimited-admin']],
    ["ownerId ne '/users/1'", ['f1', 'f2', 'f3']],
    ["contains(ownerId, 'ALICE')", ['f1', 'f3']],
    ["userId eq 'alice'", ['f1', 'f3']],
    ["startswith(userId, 'b')", ['f2']],
    // productId: the product of a product scope; other scopes have none, and none differs from every value.
    ["productId ne 'starter'", ['f3', 'master', 'unlimited-admin']],
    ["startswith(productId, 'unl')", ['unlimited-admin']],
  ])('%s', async (filter, expected) => {
    expect(await names(filter)).toEqual(expected);
  });

  it('filters the subscriptions of a product too', async () => {
    expect(await names("state eq 'suspended'", '/products/starter/subscriptions')).toEqual(['f2']);
  });

  it('counts and pages what the filter selects', async () => {
    const result = await f.call('GET', '/subscriptions', { query: `$filter=${encodeURIComponent("productId eq 'starter'")}&$top=2` });
    expect(result.json.count).toBe(3);
    expect(result.json.value).toHaveLength(2);
    expect(result.json.nextLink).toContain('$filter=');
  });

  it.each([
    "state ne 'active'",
    "contains(state, 'act')",
    "substringof(displayName, 'x')",
    "indexof(displayName, 'x') eq 1",
    "contains(displayName)",
    "contains(displayName, 'x'",
    "not contains(displayName, 'x')",
    "name eq 'f1' and",
    "name eq 1",
    "scope ne '/groups/x'",
    "state eq 'active' or name eq 'f1'",
    "primaryKey eq 'abc'",
    "name eq 'unterminated",
    "name eq f1",
    "(name eq 'f1')",
    "state eq 'paused'",
    "scope eq '/groups/x'",
    "ownerId eq '/products/starter'",
    '',
  ])('refuses %j with 400 naming $filter', async (filter) => {
    const result = await f.call('GET', '/subscriptions', { query: `$filter=${encodeURIComponent(filter)}` });
    expect(result.status).toBe(400);
    expect(targets(result)).toEqual(['$filter']);
  });
});
