import { describe, expect, it } from 'vitest';
import { CatalogUnavailableError, type CatalogStore } from '../../src/catalog/catalogStore';
import { createTableClient } from '../../src/catalog/connection';
import { CATALOG_PARTITION } from '../../src/catalog/tableCodec';
import { freePort } from '../../src/local/azurite';
import { labSeed, ECHO_API_ID, LAB_SUBSCRIPTIONS } from '../../src/lab/seed';
import { generateKey } from '../../src/catalog/subscriptionKeys';
import { builders } from '../helpers/builders';
import { testStore, testTableClient, uniqueTableName } from '../helpers/catalog';
import { sleep } from '../helpers/time';

describe('catalog store on Azurite', () => {
  it('seeds the broken lab into an empty catalog, once', async () => {
    const tableName = uniqueTableName();
    const a = testStore({ tableName, seed: () => labSeed({ WEBSITE_HOSTNAME: 'localhost:7071' }) });
    await a.ensureStarted();
    expect(a.index.getApi(ECHO_API_ID)?.serviceUrl).toBe('http://localhost:7071/backend/echo');
    expect(a.index.operationsOf(ECHO_API_ID)).toHaveLength(6);
    expect(a.index.productsOfApi(ECHO_API_ID)).toEqual([]);
    const starter = a.index.getSubscription(LAB_SUBSCRIPTIONS.starter);
    expect(starter?.state).toBe('active');
    expect(starter?.primaryKey).toMatch(/^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$/);

    // A second instance on the same table sees the same keys and does not seed again.
    const b = testStore({ tableName, seed: () => labSeed() });
    await b.ensureStarted();
    expect(b.index.getSubscription(LAB_SUBSCRIPTIONS.starter)?.primaryKey).toBe(starter?.primaryKey);
    expect(b.index.version).toBe(a.index.version);
    expect(b.index.subscriptionByKey(starter!.primaryKey)?.subscription.id).toBe(LAB_SUBSCRIPTIONS.starter);
  });

  it('two instances seeding at once seed exactly once', async () => {
    const tableName = uniqueTableName();
    const stores = [0, 1, 2].map(() => testStore({ tableName, seed: () => labSeed() }));
    await Promise.all(stores.map((s) => s.ensureStarted()));
    const check = testStore({ tableName });
    await check.ensureStarted();
    const keys = check.index.listSubscriptions().map((s) => s.primaryKey);
    expect(keys).toHaveLength(Object.keys(LAB_SUBSCRIPTIONS).length);
    for (const s of stores) {
      await s.refresh();
      expect(s.index.listSubscriptions().map((x) => x.primaryKey).sort()).toEqual([...keys].sort());
    }
  });

  it('propagates every kind of change to another instance, deletes included', async () => {
    const tableName = uniqueTableName();
    const a = testStore({ tableName, seed: () => labSeed() });
    const b = testStore({ tableName });
    await a.ensureStarted();
    await b.ensureStarted();

    const sub = builders.subscription({ id: 's1', scope: '/products/starter' });
    await a.mutate(() => ({
      changes: [{ put: { kind: 'link', value: builders.link({ productId: 'starter', apiId: ECHO_API_ID }) } }, { put: { kind: 'subscription', value: sub } }],
      value: undefined,
    }));
    await b.refresh();
    expect(b.index.productsOfApi(ECHO_API_ID).map((p) => p.id)).toEqual(['starter']);
    expect(b.index.subscriptionByKey(sub.primaryKey)?.subscription.id).toBe('s1');

    // Suspend, then regenerate the primary key.
    const newKey = generateKey();
    await a.mutate(() => ({ changes: [{ put: { kind: 'subscription', value: { ...sub, state: 'suspended', primaryKey: newKey } } }], value: 0 }));
    await b.refresh();
    expect(b.index.subscriptionByKey(sub.primaryKey)).toBeUndefined();
    expect(b.index.subscriptionByKey(newKey)?.subscription.state).toBe('suspended');

    // Delete the API with its operations and link.
    await a.mutate((index) => ({
      changes: [
        ...index.operationsOf(ECHO_API_ID).map((o) => ({ delete: { kind: 'operation' as const, apiId: ECHO_API_ID, id: o.id } })),
        { delete: { kind: 'link', productId: 'starter', apiId: ECHO_API_ID } },
        { delete: { kind: 'api', id: ECHO_API_ID } },
      ],
      value: 0,
    }));
    await b.refresh();
    expect(b.index.getApi(ECHO_API_ID)).toBeUndefined();
    expect(b.index.apiByPath('echo')).toBeUndefined();
    expect(b.index.operationsOf(ECHO_API_ID)).toEqual([]);
    expect(b.index.productsOfApi(ECHO_API_ID)).toEqual([]);
    expect(b.index.version).toBe(a.index.version);

    // Storage holds exactly what the index holds.
    const rows: string[] = [];
    for await (const e of testTableClient(tableName).listEntities({ queryOptions: { filter: `PartitionKey eq '${CATALOG_PARTITION}'` } })) rows.push(e.rowKey!);
    expect(rows.filter((r) => /^(operation|api|link)\|/.test(r) && r.includes(ECHO_API_ID))).toEqual([]);
  });

  it('reaches another instance by polling within two seconds', async () => {
    const tableName = uniqueTableName();
    const a = testStore({ tableName });
    const b = testStore({ tableName, pollIntervalMs: 200 });
    await a.ensureStarted();
    await b.ensureStarted();
    try {
      const sub = builders.subscription({ id: 'polled' });
      const started = Date.now();
      await a.mutate(() => ({ changes: [{ put: { kind: 'subscription', value: sub } }], value: 0 }));
      while (!b.index.subscriptionByKey(sub.primaryKey) && Date.now() - started < 2000) await sleep(20);
      expect(b.index.subscriptionByKey(sub.primaryKey)?.subscription.id).toBe('polled');
    } finally {
      b.stop();
    }
  });

  it('reloads everything when the change log no longer covers what an instance missed', async () => {
    const tableName = uniqueTableName();
    const a = testStore({ tableName });
    const b = testStore({ tableName });
    await a.ensureStarted();
    await b.ensureStarted();
    for (let i = 0; i < 70; i++) {
      await a.mutate(() => ({ changes: [{ put: { kind: 'product', value: builders.product({ id: `p${i}` }) } }], value: 0 }));
    }
    await a.mutate(() => ({ changes: [{ delete: { kind: 'product', id: 'p3' } }], value: 0 }));
    await b.refresh();
    expect(b.index.listProducts()).toHaveLength(69);
    expect(b.index.getProduct('p3')).toBeUndefined();
    expect(b.index.version).toBe(a.index.version);
  });

  it('serialises concurrent writers of different instances without losing a change', async () => {
    const tableName = uniqueTableName();
    const stores = [0, 1, 2, 3].map(() => testStore({ tableName }));
    await Promise.all(stores.map((s) => s.ensureStarted()));
    await Promise.all(
      stores.flatMap((s, i) => [0, 1, 2].map((j) => s.mutate(() => ({ changes: [{ put: { kind: 'product', value: builders.product({ id: `w${i}-${j}` }) } }], value: 0 })))),
    );
    const check = testStore({ tableName });
    await check.ensureStarted();
    expect(check.index.listProducts()).toHaveLength(12);
    expect(check.index.version).toBe(12);
  });

  it('plans again on fresh data when another instance wrote first (read-modify-write)', async () => {
    const tableName = uniqueTableName();
    const a = testStore({ tableName });
    const b = testStore({ tableName });
    await a.ensureStarted();
    await b.ensureStarted();
    await a.mutate(() => ({ changes: [{ put: { kind: 'product', value: builders.product({ id: 'counter', subscriptionsLimit: 0 }) } }], value: 0 }));
    await b.refresh();
    const increment = (s: CatalogStore) =>
      s.mutate((index) => {
        const current = index.getProduct('counter')!;
        return { changes: [{ put: { kind: 'product', value: { ...current, subscriptionsLimit: (current.subscriptionsLimit ?? 0) + 1 } } }], value: 0 };
      });
    await Promise.all([...Array(10)].flatMap(() => [increment(a), increment(b)]));
    const check = testStore({ tableName });
    await check.ensureStarted();
    expect(check.index.getProduct('counter')?.subscriptionsLimit).toBe(20);
  });

  it('writes nothing when the plan refuses', async () => {
    const a = testStore();
    await a.ensureStarted();
    const before = a.index.version;
    await expect(
      a.mutate(() => {
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(a.index.version).toBe(before);
    // The queue keeps working after a refusal.
    await a.mutate(() => ({ changes: [{ put: { kind: 'product', value: builders.product({ id: 'after' }) } }], value: 0 }));
    expect(a.index.getProduct('after')).toBeDefined();
  });

  it('stores records larger than one table property, and more than one transaction of them', async () => {
    const tableName = uniqueTableName();
    const a = testStore({ tableName });
    await a.ensureStarted();
    const api = labSeed()[0]!;
    const long = 'x'.repeat(3000);
    const big = builders.operation({
      apiId: ECHO_API_ID,
      id: 'big',
      request: { queryParameters: Array.from({ length: 60 }, (_, i) => ({ name: `q${i}`, description: long })), headers: [], representations: [] },
    });
    const many = Array.from({ length: 250 }, (_, i) => builders.operation({ apiId: ECHO_API_ID, id: `op-${i}` }));
    await a.mutate(() => ({ changes: [{ put: api }, { put: { kind: 'operation', value: big } }, ...many.map((value) => ({ put: { kind: 'operation' as const, value } }))], value: 0 }));
    const b = testStore({ tableName });
    await b.ensureStarted();
    expect(b.index.operationsOf(ECHO_API_ID)).toHaveLength(251);
    expect(b.index.getOperation(ECHO_API_ID, 'big')?.request.queryParameters[59]?.description).toBe(long);
  });

  it('keeps ids with unusual characters intact', async () => {
    const tableName = uniqueTableName();
    const a = testStore({ tableName });
    await a.ensureStarted();
    const ids = ['a|b', 'ünïcødé', 'dots.and~tilde', "quote'd", 'x'.repeat(256)];
    await a.mutate(() => ({ changes: ids.map((id) => ({ put: { kind: 'product' as const, value: builders.product({ id }) } })), value: 0 }));
    const b = testStore({ tableName });
    await b.ensureStarted();
    expect(b.index.listProducts().map((p) => p.id).sort()).toEqual([...ids].sort());
  });

  it('ignores rows that are not valid records instead of failing', async () => {
    const tableName = uniqueTableName();
    const logs: string[] = [];
    const a = testStore({ tableName, log: (m) => logs.push(m) });
    await a.ensureStarted();
    const client = testTableClient(tableName);
    await client.upsertEntity({ partitionKey: CATALOG_PARTITION, rowKey: 'product|bad', kind: 'product', chunks: 1, d0: '{"id":"bad"}' });
    await client.upsertEntity({ partitionKey: CATALOG_PARTITION, rowKey: 'product|worse', kind: 'product', chunks: 1, d0: 'not json' });
    await a.mutate(() => ({ changes: [{ put: { kind: 'product', value: builders.product({ id: 'good' }) } }], value: 0 }));
    const b = testStore({ tableName, log: (m) => logs.push(m) });
    await b.ensureStarted();
    expect(b.index.listProducts().map((p) => p.id)).toEqual(['good']);
    expect(logs.join('\n')).toMatch(/product\|bad/);
  });

  it('fails fast with CatalogUnavailableError when storage cannot be reached', async () => {
    const port = await freePort();
    const client = createTableClient({
      connectionString: `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:${port}/devstoreaccount1;`,
      tableName: 'unreachable',
      source: 'test',
    });
    const { CatalogStore } = await import('../../src/catalog/catalogStore');
    const store = new CatalogStore({ client, pollIntervalMs: 0, log: () => {} });
    const started = Date.now();
    await expect(store.ensureStarted()).rejects.toBeInstanceOf(CatalogUnavailableError);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(store.isReady).toBe(false);
    // Retries are throttled rather than hammering storage on every request.
    await expect(store.ensureStarted()).rejects.toBeInstanceOf(CatalogUnavailableError);
  });
});
