import { describe, expect, it } from 'vitest';
import { delayFromEnv, ProductStore } from '../../../src/lab/backends/productStore';

const text = (body: unknown) => (body ? Buffer.from(body as Uint8Array).toString('utf8') : '');
const header = (headers: unknown, name: string) => (headers as [string, string][]).find(([n]) => n === name)?.[1];

function request(method: string, path: string, body?: unknown) {
  return {
    method,
    url: `http://lab.test/backend/productstore/${path}`,
    headers: new Headers(body === undefined ? {} : { 'content-type': 'application/json' }),
    body: body === undefined ? null : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
  };
}

const call = (store: ProductStore, method: string, path: string, body?: unknown) => store.handle(request(method, path, body), path);

const SEED = '[{"Id":1,"Name":"Tomato Soup","Category":"Groceries","Price":1.0},{"Id":2,"Name":"Yo-yo","Category":"Toys","Price":3.75},{"Id":3,"Name":"Hammer","Category":"Hardware","Price":16.99}]';

describe('ProductStore backend', () => {
  it('lists the products as Web API writes them, after the configured wait', async () => {
    const waits: number[] = [];
    const store = new ProductStore(5000, async (ms) => {
      waits.push(ms);
    });
    const r = await call(store, 'GET', 'api/Products');
    expect(waits).toEqual([5000]);
    expect(r.status).toBe(200);
    expect(header(r.headers, 'content-type')).toBe('application/json; charset=utf-8');
    expect(text(r.body)).toBe(SEED);
  });

  it('really waits with the default sleep', async () => {
    const store = new ProductStore(60);
    const started = performance.now();
    await call(store, 'GET', 'api/products');
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });

  it('gets one product, 404 with no body for an unknown id, 400 for an id that is not an int', async () => {
    const store = new ProductStore(0);
    expect(text((await call(store, 'GET', 'api/Products/2')).body)).toBe('{"Id":2,"Name":"Yo-yo","Category":"Toys","Price":3.75}');
    const missing = await call(store, 'GET', 'api/Products/99');
    expect(missing.status).toBe(404);
    expect(missing.body).toBeNull();
    const invalid = await call(store, 'GET', 'api/Products/abc');
    expect(invalid.status).toBe(400);
    expect(JSON.parse(text(invalid.body)).Message).toBe('The request is invalid.');
  });

  it('creates with POST (201, Location, next id) and updates with PUT (204)', async () => {
    const store = new ProductStore(0);
    const created = await call(store, 'POST', 'api/Products', { name: 'Kite', Category: 'Toys', Price: 12 });
    expect(created.status).toBe(201);
    expect(text(created.body)).toBe('{"Id":4,"Name":"Kite","Category":"Toys","Price":12.0}');
    expect(header(created.headers, 'location')).toBe('http://lab.test/backend/productstore/api/Products/4');
    const updated = await call(store, 'PUT', 'api/Products/4', { Name: 'Box kite', Category: 'Toys', Price: 14.5 });
    expect(updated.status).toBe(204);
    expect(text((await call(store, 'GET', 'api/Products/4')).body)).toBe('{"Id":4,"Name":"Box kite","Category":"Toys","Price":14.5}');
    expect((await call(store, 'PUT', 'api/Products/40', { Name: 'x' })).status).toBe(404);
    expect((await call(store, 'POST', 'api/Products', 'not json')).status).toBe(400);
    expect((await call(store, 'POST', 'api/Products', { Price: 'free' })).status).toBe(400);
    store.reset();
    expect((await call(store, 'GET', 'api/Products/4')).status).toBe(404);
  });

  it('fails every DELETE with the generic Web API 500, and deletes nothing', async () => {
    const store = new ProductStore(0);
    const r = await call(store, 'DELETE', 'api/Products/1');
    expect(r.status).toBe(500);
    expect(text(r.body)).toBe('{"Message":"An error has occurred."}');
    expect((await call(store, 'GET', 'api/Products/1')).status).toBe(200);
  });

  it('answers 405 with Allow for other methods and 404 off the controller', async () => {
    const store = new ProductStore(0);
    const r = await call(store, 'DELETE', 'api/Products');
    expect(r.status).toBe(405);
    expect(header(r.headers, 'allow')).toBe('GET, POST');
    expect(JSON.parse(text(r.body))).toEqual({ Message: "The requested resource does not support http method 'DELETE'." });
    expect((await call(store, 'GET', 'api/Orders')).status).toBe(404);
  });

  it('reads the wait from PRODUCTSTORE_DELAY_MS', () => {
    expect(delayFromEnv({})).toBe(5000);
    expect(delayFromEnv({ PRODUCTSTORE_DELAY_MS: '0' })).toBe(0);
    expect(() => delayFromEnv({ PRODUCTSTORE_DELAY_MS: '-1' })).toThrow('PRODUCTSTORE_DELAY_MS');
  });
});
