import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, targets, type Harness } from './harness';

/**
 * `$filter` on the API, product and operation lists and on the product <-> API
 * lists (APIM's fields, operators and functions), over a catalog of its own on top
 * of the lab's (the Echo API and the Starter and Unlimited products).
 */

let f: Harness;
beforeAll(async () => {
  f = await harness();
  const put = async (path: string, properties?: Record<string, unknown>) => {
    const result = await f.call('PUT', path, properties ? { body: { properties } } : {});
    expect(result.status, `${path}: ${result.body}`).toBeLessThan(300);
  };
  await put('/apis/orders', { displayName: 'Orders', path: 'shop/orders', serviceUrl: 'https://orders.example.net/v1', description: 'Order book' });
  await put('/apis/users', { displayName: 'Users', path: 'users' });
  await put('/products/gold', { displayName: 'Gold', terms: 'No refunds', state: 'published' });
  await put('/products/silver', { displayName: 'Silver', description: 'Second tier' });
  await put('/apis/orders/operations/list-orders', { displayName: 'List orders', method: 'GET', urlTemplate: '/orders' });
  await put('/apis/orders/operations/create-order', { displayName: 'Create order', method: 'POST', urlTemplate: '/orders', description: 'Places an order' });
  await put('/apis/orders/operations/get-order', {
    displayName: 'Get order',
    method: 'GET',
    urlTemplate: '/orders/{id}',
    templateParameters: [{ name: 'id', type: 'string', required: true }],
  });
  await put('/products/gold/apis/orders');
  await put('/products/gold/apis/users');
  await put('/products/silver/apis/orders');
});
afterAll(() => f?.close());

const names = async (path: string, filter: string) => {
  const result = await f.call('GET', path, { query: `$filter=${encodeURIComponent(filter)}` });
  expect(result.status).toBe(200);
  return result.json.value.map((item: { name: string }) => item.name).sort();
};

describe('API list $filter (name, displayName, description, serviceUrl, path, isCurrent)', () => {
  it.each([
    ["name eq 'orders'", ['orders']],
    ["startswith(path, 'shop/')", ['orders']],
    ["contains(serviceUrl, 'EXAMPLE.net')", ['orders']],
    ["displayName ne 'echo api'", ['orders', 'users']],
    ["description eq 'order book'", ['orders']],
    ["displayName gt 'P' and displayName lt 'V'", ['users']],
    ['isCurrent eq true', ['echo-api', 'orders', 'users']],
    ['isCurrent ne true', []],
    ["IsCurrent Eq TRUE and endswith(name, 's')", ['orders', 'users']],
  ])('%s', async (filter, expected) => {
    expect(await names('/apis', filter)).toEqual(expected);
  });

  it('applies to the APIs of a product too', async () => {
    expect(await names('/products/gold/apis', "startswith(displayName, 'u')")).toEqual(['users']);
    expect(await names('/products/silver/apis', "path eq 'users'")).toEqual([]);
  });

  it('counts and pages what the filter selects', async () => {
    const result = await f.call('GET', '/apis', { query: `$filter=${encodeURIComponent('isCurrent eq true')}&$top=1` });
    expect(result.json.count).toBe(3);
    expect(result.json.value).toHaveLength(1);
    expect(result.json.nextLink).toContain('$filter=');
  });
});

describe('product list $filter (name, displayName, description, terms, state eq)', () => {
  it.each([
    ["state eq 'published'", ['gold', 'starter', 'unlimited']],
    ["state eq 'notPublished'", ['silver']],
    ["contains(terms, 'refund')", ['gold']],
    ["substringof('tier', description)", ['silver']],
    ["name ge 'silver'", ['silver', 'starter', 'unlimited']],
    ["terms ne 'No refunds' and state eq 'published'", ['starter', 'unlimited']],
  ])('%s', async (filter, expected) => {
    expect(await names('/products', filter)).toEqual(expected);
  });

  it('applies to the products of an API too', async () => {
    expect(await names('/apis/orders/products', "state eq 'published'")).toEqual(['gold']);
  });
});

describe('operation list $filter (name, displayName, method, description, urlTemplate)', () => {
  it.each([
    ["method eq 'get'", ['get-order', 'list-orders']],
    ["method ne 'GET'", ['create-order']],
    ["urlTemplate eq '/orders'", ['create-order', 'list-orders']],
    ["contains(urlTemplate, '{id}')", ['get-order']],
    ["endswith(displayName, 'order') and method eq 'GET'", ['get-order']],
    ["contains(description, 'places')", ['create-order']],
  ])('%s', async (filter, expected) => {
    expect(await names('/apis/orders/operations', filter)).toEqual(expected);
  });
});

describe('a filter the list does not support is a 400 naming $filter, never ignored', () => {
  it.each([
    ['/apis', "serviceurl eq 'x' or name eq 'y'"],
    ['/apis', "state eq 'published'"],
    ['/apis', "isCurrent eq 'true'"],
    ['/apis', 'isCurrent gt false'],
    ['/apis', "contains(isCurrent, 'tr')"],
    ['/apis', 'name eq true'],
    ['/products', "state ne 'published'"],
    ['/products', "startswith(state, 'pub')"],
    ['/products', "path eq 'echo'"],
    ['/apis/orders/operations', "urlTemplate eq '/orders' or method eq 'GET'"],
    ['/apis/orders/operations', "path eq '/orders'"],
    ['/products/gold/apis', "terms eq 'x'"],
    ['/apis/orders/products', "serviceUrl eq 'x'"],
  ])('%s %j', async (path, filter) => {
    const result = await f.call('GET', path, { query: `$filter=${encodeURIComponent(filter)}` });
    expect(result.status).toBe(400);
    expect(targets(result)).toEqual(['$filter']);
  });
});
