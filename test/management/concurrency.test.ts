import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testStore } from '../helpers/catalog';
import { armError, harness, memoryHarness, targets, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h?.close());

/** Each resource with an ETag: where it lives, a valid body, and a PATCH that changes it. */
const resources = [
  { kind: 'product', path: (n: string) => `/products/${n}`, body: { displayName: 'P' }, patch: { displayName: 'P2' } },
  { kind: 'API', path: (n: string) => `/apis/${n}`, body: { displayName: 'A', path: 'PATH' }, patch: { displayName: 'A2' } },
  { kind: 'operation', path: (n: string) => `/apis/echo-api/operations/${n}`, body: { displayName: 'O', method: 'GET', urlTemplate: '/PATH' }, patch: { displayName: 'O2' } },
  { kind: 'subscription', path: (n: string) => `/subscriptions/${n}`, body: { displayName: 'S', scope: '/apis' }, patch: { displayName: 'S2' } },
];

let counter = 0;
/** Creates a fresh resource of that kind and returns its path and ETag. */
async function create(resource: (typeof resources)[number]) {
  const name = `etag-${resource.kind.toLowerCase()}-${++counter}`;
  const body = JSON.parse(JSON.stringify(resource.body).replace('PATH', name));
  const created = await h.call('PUT', resource.path(name), { body: { properties: body } });
  expect(created.status).toBe(201);
  return { path: resource.path(name), etag: created.headers.ETag! };
}

describe.each(resources)('ETags of a $kind', (resource) => {
  it('GET, HEAD and PUT answer the same ETag; it changes on every write', async () => {
    const { path, etag } = await create(resource);
    expect((await h.call('GET', path)).headers.ETag).toBe(etag);
    expect((await h.call('HEAD', path)).headers.ETag).toBe(etag);
    const patched = await h.call('PATCH', path, { body: { properties: resource.patch }, headers: { 'If-Match': etag } });
    expect(patched.status).toBe(200);
    expect(patched.headers.ETag).not.toBe(etag);
    expect((await h.call('GET', path)).headers.ETag).toBe(patched.headers.ETag);
  });

  it('PATCH without If-Match is 400; with a stale ETag 412 PreconditionFailed and nothing changes', async () => {
    const { path, etag } = await create(resource);
    await h.call('PATCH', path, { body: { properties: resource.patch }, headers: { 'If-Match': '*' } });
    const before = h.snapshot();
    const missing = await h.call('PATCH', path, { body: { properties: resource.patch } });
    expect(missing.status).toBe(400);
    expect(targets(missing)).toEqual(['If-Match']);
    const stale = await h.call('PATCH', path, { body: { properties: { displayName: 'lost update' } }, headers: { 'If-Match': etag } });
    expect(stale.status).toBe(412);
    expect(armError(stale).code).toBe('PreconditionFailed');
    expect(h.snapshot()).toBe(before);
    expect((await h.call('GET', path)).json.properties.displayName).not.toBe('lost update');
  });

  it('DELETE without If-Match is 400, with a stale ETag 412 (still there), with the current one 200', async () => {
    const { path, etag } = await create(resource);
    const updated = await h.call('PATCH', path, { body: { properties: resource.patch }, headers: { 'If-Match': etag } });
    expect((await h.call('DELETE', path)).status).toBe(400);
    expect((await h.call('DELETE', path, { headers: { 'If-Match': etag } })).status).toBe(412);
    expect((await h.call('GET', path)).status).toBe(200);
    expect((await h.call('DELETE', path, { headers: { 'If-Match': `"0", ${updated.headers.ETag}` } })).status).toBe(200);
    expect((await h.call('GET', path)).status).toBe(404);
  });

  it('PUT takes an optional If-Match: stale is 412, current replaces, on a missing resource it is 412', async () => {
    const { path, etag } = await create(resource);
    const body = { properties: JSON.parse(JSON.stringify(resource.body).replace('PATH', path.split('/').pop()!)) };
    const fresh = await h.call('PUT', path, { body, headers: { 'If-Match': etag } });
    expect(fresh.status).toBe(200);
    const before = h.snapshot();
    expect((await h.call('PUT', path, { body, headers: { 'If-Match': etag } })).status).toBe(412);
    expect((await h.call('PUT', `${path}-absent`, { body, headers: { 'If-Match': '*' } })).status).toBe(412);
    expect(h.snapshot()).toBe(before);
  });

  it('a weak ETag never satisfies If-Match (strong comparison)', async () => {
    const { path, etag } = await create(resource);
    const result = await h.call('PATCH', path, { body: { properties: resource.patch }, headers: { 'If-Match': `W/${etag}` } });
    expect(result.status).toBe(412);
  });
});

describe('ETags across instances', () => {
  it('a write through another instance makes this one answer 412 for the old ETag', async () => {
    // A second instance: its own store and management API over the same table, in memory
    // (over the host, `h` is the host process and this second instance runs beside it).
    const second = await memoryHarness({ store: testStore({ tableName: h.store.tableName }) });
    const created = await h.call('PUT', '/products/shared', { body: { properties: { displayName: 'Shared' } } });
    const changed = await second.call('PATCH', '/products/shared', { body: { properties: { displayName: 'Changed elsewhere' } }, headers: { 'If-Match': created.headers.ETag! } });
    expect(changed.status).toBe(200);
    const stale = await h.call('PATCH', '/products/shared', { body: { properties: { displayName: 'Mine' } }, headers: { 'If-Match': created.headers.ETag! } });
    expect(stale.status).toBe(412);
    expect((await h.call('GET', '/products/shared')).json.properties.displayName).toBe('Changed elsewhere');
  });
});
