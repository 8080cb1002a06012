import type { TableClient, TableEntityResult } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import { prefetched } from '../../src/catalog/catalogLoader';
import { CatalogUnavailableError, type CatalogStore } from '../../src/catalog/catalogStore';
import { createKeyProtector } from '../../src/catalog/keyProtector';
import { CATALOG_PARTITION, rowKeyOf, toEntity, VERSION_ROW, type CatalogRecord } from '../../src/catalog/tableCodec';
import { LAB_SUBSCRIPTIONS, labSeed } from '../../src/lab/seed';
import { testStore, testTableClient, uniqueTableName } from '../helpers/catalog';
import { builders } from '../helpers/builders';
import { sleep } from '../helpers/time';

const protector = createKeyProtector(Buffer.alloc(32, 11));
type Row = TableEntityResult<Record<string, unknown>>;

/** A catalog of a few hundred rows: the lab, APIs with operations, products with links, subscriptions. */
function records(): CatalogRecord[] {
  const out: CatalogRecord[] = labSeed();
  for (let i = 0; i < 3; i++) {
    out.push({ kind: 'api', value: builders.api({ id: `api-${i}`, displayName: `API ${i}`, path: `p${i}` }) });
    for (let o = 0; o < 4; o++) {
      out.push({ kind: 'operation', value: builders.operation({ apiId: `api-${i}`, id: `op-${o}`, displayName: `op ${o}`, urlTemplate: `/r${o}` }) });
    }
    out.push({ kind: 'product', value: builders.product({ id: `prod-${i}`, displayName: `P ${i}` }) });
    out.push({ kind: 'link', value: builders.link({ productId: `prod-${i}`, apiId: `api-${i}` }) });
  }
  for (let j = 0; j < 240; j++) {
    out.push({ kind: 'subscription', value: builders.subscription({ id: `sub-${j}`, scope: `/apis/api-${j % 3}`, state: j % 7 === 0 ? 'suspended' : 'active' }) });
  }
  return out;
}

/** Writes `rows` as the store does (one version for all of them, "reload everything"). */
async function writeCatalog(tableName: string, rows: CatalogRecord[]): Promise<{ client: TableClient; keys: string[] }> {
  const client = testTableClient(tableName);
  await client.createTable();
  const version = 5;
  for (let i = 0; i < rows.length; i += 100) {
    await client.submitTransaction(rows.slice(i, i + 100).map((record) => ['create', toEntity(record, version, protector)]));
  }
  await client.upsertEntity({ partitionKey: CATALOG_PARTITION, rowKey: VERSION_ROW, version, log: JSON.stringify([{ v: version, rows: null }]) }, 'Replace');
  const keys = rows.flatMap((r) => (r.kind === 'subscription' ? [r.value.primaryKey, r.value.secondaryKey] : []));
  return { client, keys };
}

/** Everything an index holds, with subscriptions as plain values (keys opened) and every record's ETag. */
function contents(store: CatalogStore): unknown {
  const index = store.index;
  const rowRevision = (ref: Parameters<typeof rowKeyOf>[0]) => index.revisions.get(rowKeyOf(ref));
  return {
    version: index.version,
    apis: index.listApis().map((api) => ({ api, rev: rowRevision({ kind: 'api', id: api.id }), operations: index.operationsOf(api.id), products: index.productsOfApi(api.id).map((p) => p.id) })),
    products: index.listProducts().map((product) => ({ product, rev: rowRevision({ kind: 'product', id: product.id }) })),
    links: index.listLinks(),
    subscriptions: index
      .listSubscriptions()
      .map((s) => ({ value: { ...s }, rev: rowRevision({ kind: 'subscription', id: s.id }) }))
      .sort((a, b) => a.value.id.localeCompare(b.value.id)),
  };
}

interface PagingLog {
  events: string[];
}

/**
 * The same table, listed in pages of `pageSize` that arrive after random delays;
 * logs when each page is asked for and when its first row is read by the store.
 * `failAt`: the page whose request fails.
 */
function pagedClient(real: TableClient, options: { pageSize: number; failAt?: number; log?: PagingLog }): TableClient {
  const client = Object.create(real) as TableClient;
  const log = options.log ?? { events: [] };
  client.listEntities = ((listOptions: Parameters<TableClient['listEntities']>[0]) => {
    const source = real.listEntities<Record<string, unknown>>(listOptions);
    async function* pages(): AsyncGenerator<Row[]> {
      const all: Row[] = [];
      for await (const row of source) all.push(row);
      for (let page = 0, i = 0; i < all.length; page++, i += options.pageSize) {
        log.events.push(`ask ${page}`);
        await sleep(Math.floor(Math.random() * 4));
        if (page === options.failAt) throw Object.assign(new Error('storage went away'), { statusCode: 503 });
        let seen = false;
        yield all.slice(i, i + options.pageSize).map((row) =>
          // Logs when the store first reads a row of this page.
          new Proxy(row, {
            get(target, property, receiver) {
              if (!seen) log.events.push(`read ${page}`);
              seen = true;
              return Reflect.get(target, property, receiver);
            },
          }),
        );
      }
    }
    return { byPage: () => pages() } as unknown as ReturnType<TableClient['listEntities']>;
  }) as TableClient['listEntities'];
  return client;
}

describe('loading the catalog page by page', () => {
  it('builds the same index whether pages come at once or interleaved with the processing', async () => {
    const tableName = uniqueTableName();
    const { client, keys } = await writeCatalog(tableName, records());
    const straight = testStore({ tableName, keys: protector });
    await straight.ensureStarted();

    const log: PagingLog = { events: [] };
    const interleaved = testStore({ client: pagedClient(client, { pageSize: 7, log }), keys: protector });
    await interleaved.ensureStarted();

    expect(contents(interleaved)).toEqual(contents(straight));
    expect(interleaved.index.listSubscriptions()).toHaveLength(240 + Object.keys(LAB_SUBSCRIPTIONS).length);
    for (const key of keys) expect(interleaved.index.subscriptionByKey(key)?.subscription.id).toBe(straight.index.subscriptionByKey(key)?.subscription.id);
    // Page k+1 was asked for before the store read page k: storage and processing overlapped.
    const pages = log.events.filter((e) => e.startsWith('ask')).length;
    expect(pages).toBeGreaterThan(30);
    for (let page = 1; page < pages; page++) {
      expect(log.events.indexOf(`ask ${page}`)).toBeLessThan(log.events.indexOf(`read ${page - 1}`));
    }
  });

  it('fails a load whose listing fails part way, and keeps serving the previous index', async () => {
    const tableName = uniqueTableName();
    const { client } = await writeCatalog(tableName, records());
    const failing = testStore({ client: pagedClient(client, { pageSize: 20, failAt: 3 }), keys: protector });
    await expect(failing.ensureStarted()).rejects.toBeInstanceOf(CatalogUnavailableError);
    expect(failing.isReady).toBe(false);

    // Started, then a full reload (another writer bumped the version with "reload everything") fails.
    let fail = false;
    const flaky = Object.create(client) as TableClient;
    flaky.listEntities = ((options: Parameters<TableClient['listEntities']>[0]) =>
      fail ? pagedClient(client, { pageSize: 20, failAt: 2 }).listEntities(options) : client.listEntities(options)) as TableClient['listEntities'];
    const store = testStore({ client: flaky, keys: protector });
    await store.ensureStarted();
    const before = contents(store);
    const meta = await client.getEntity<{ version: number }>(CATALOG_PARTITION, VERSION_ROW);
    await client.updateEntity({ partitionKey: CATALOG_PARTITION, rowKey: VERSION_ROW, version: Number(meta.version) + 1, log: JSON.stringify([{ v: Number(meta.version) + 1, rows: null }]) }, 'Replace');
    fail = true;
    await expect(store.refresh()).rejects.toThrow('storage went away');
    expect(contents(store)).toEqual(before);
    fail = false;
    await store.refresh();
    expect(store.index.version).toBe(Number(meta.version) + 1);
  });

  it('asks for the next page while the current one is processed, and stops asking when the reader stops', async () => {
    const asked: number[] = [];
    async function* source(): AsyncGenerator<number> {
      for (let page = 0; page < 5; page++) {
        asked.push(page);
        yield page;
      }
    }
    const seen: { page: number; asked: number }[] = [];
    for await (const page of prefetched(source())) {
      seen.push({ page, asked: asked.length });
      if (page === 2) break;
    }
    // While page k is processed, page k+1 has been asked for already; nothing beyond.
    expect(seen).toEqual([
      { page: 0, asked: 2 },
      { page: 1, asked: 3 },
      { page: 2, asked: 4 },
    ]);
    await sleep(10);
    expect(asked).toEqual([0, 1, 2, 3]);
  });

  it('reports a failed page where it is read, after the pages before it', async () => {
    async function* source(): AsyncGenerator<number> {
      yield 0;
      yield 1;
      throw new Error('page 2 failed');
    }
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const page of prefetched(source())) seen.push(page);
      })(),
    ).rejects.toThrow('page 2 failed');
    expect(seen).toEqual([0, 1]);
  });
});

describe('rows written by earlier versions', () => {
  it('loads subscriptions sealed without lookup digests, and writes them again with digests at start', async () => {
    const tableName = uniqueTableName();
    const client = testTableClient(tableName);
    await client.createTable();
    const old = builders.subscription({ id: 'old-sealed', displayName: 'from before' });
    const entity = toEntity({ kind: 'subscription', value: old }, 3, protector);
    const value = JSON.parse(String(entity.d0)) as Record<string, unknown>;
    delete value.keyLookup; // what earlier versions wrote: only the sealed keys
    entity.d0 = JSON.stringify(value);
    await client.upsertEntity(entity);
    await client.upsertEntity({ partitionKey: CATALOG_PARTITION, rowKey: VERSION_ROW, version: 3, log: '[]' });

    const store = testStore({ tableName, keys: protector });
    await store.ensureStarted();
    expect(store.index.subscriptionByKey(old.primaryKey)).toMatchObject({ which: 'primary', subscription: { id: 'old-sealed' } });
    expect(store.index.subscriptionByKey(old.secondaryKey)?.which).toBe('secondary');
    expect({ ...store.index.getSubscription('old-sealed') }).toEqual(old);
    // Written again at start, in the current form: same keys, now with their digests.
    expect(store.index.revisions.get('subscription|old-sealed')).toBe(4);
    const rewritten = await client.getEntity<Record<string, unknown>>(CATALOG_PARTITION, 'subscription|old-sealed');
    expect(String(rewritten.d0)).toContain('"keyLookup"');
    expect(String(rewritten.d0)).not.toContain(old.primaryKey);
    expect(String(rewritten.d0)).not.toContain(old.secondaryKey);
    const fresh = testStore({ tableName, keys: protector });
    await fresh.ensureStarted();
    expect(fresh.index.revisions.get('subscription|old-sealed')).toBe(4); // nothing left to rewrite
    expect({ ...fresh.index.getSubscription('old-sealed') }).toEqual(old);

    // A later write keeps the keys and their digests.
    await store.mutate((index) => ({ changes: [{ put: { kind: 'subscription', value: { ...index.getSubscription('old-sealed')!, state: 'suspended' } } }], value: 0 }));
    const again = testStore({ tableName, keys: protector });
    await again.ensureStarted();
    expect(again.index.subscriptionByKey(old.primaryKey)?.subscription.state).toBe('suspended');
    const raw = await client.getEntity<Record<string, unknown>>(CATALOG_PARTITION, 'subscription|old-sealed');
    expect(String(raw.d0)).toContain('"keyLookup"');
    expect(String(raw.d0)).not.toContain(old.primaryKey);
  });
});

describe('rows that are not what they claim', () => {
  it('skips a subscription whose sealed key is not exactly in the sealed form, and loads the others', async () => {
    const tableName = uniqueTableName();
    const client = testTableClient(tableName);
    await client.createTable();
    const good = builders.subscription({ id: 'good' });
    const odd = builders.subscription({ id: 'odd' });
    await client.upsertEntity(toEntity({ kind: 'subscription', value: good }, 2, protector));
    const entity = toEntity({ kind: 'subscription', value: odd }, 2, protector);
    const value = JSON.parse(String(entity.d0)) as Record<string, unknown>;
    delete value.keyLookup;
    value.primaryKey = `${String(value.primaryKey)}.extra`; // still opens (the extra part is ignored), but is not what a writer writes
    await client.upsertEntity({ ...entity, d0: JSON.stringify(value) });
    const logs: string[] = [];
    const store = testStore({ tableName, keys: protector, log: (m) => logs.push(m) });
    await store.ensureStarted();
    expect(store.index.listSubscriptions().map((s) => s.id)).toEqual(['good']);
    expect(store.index.subscriptionByKey(good.primaryKey)?.subscription.id).toBe('good');
    expect(logs.join('\n')).toMatch(/subscription\|odd/);
  });
});

describe('lookup digests at rest', () => {
  async function twoSubscriptions() {
    const tableName = uniqueTableName();
    const a = builders.subscription({ id: 'a' });
    const b = builders.subscription({ id: 'b' });
    const { client } = await writeCatalog(tableName, [
      { kind: 'subscription', value: a },
      { kind: 'subscription', value: b },
    ]);
    const rowOf = async (id: string) => client.getEntity<Record<string, unknown>>(CATALOG_PARTITION, `subscription|${id}`);
    const valueOf = (row: Record<string, unknown>) => JSON.parse(String(row.d0)) as Record<string, unknown> & { keyLookup: Record<string, unknown> };
    const write = async (row: Row, value: unknown) => client.upsertEntity({ ...row, partitionKey: CATALOG_PARTITION, rowKey: String(row.rowKey), d0: JSON.stringify(value) }, 'Replace');
    return { tableName, a, b, rowOf, valueOf, write };
  }

  async function load(tableName: string) {
    const logs: string[] = [];
    const store = testStore({ tableName, keys: protector, log: (m) => logs.push(m) });
    await store.ensureStarted();
    return { store, logs: logs.join('\n') };
  }

  it('refuses digests moved to another subscription', async () => {
    const { tableName, a, b, rowOf, valueOf, write } = await twoSubscriptions();
    const rowA = await rowOf('a');
    const rowB = await rowOf('b');
    await write(rowB, { ...valueOf(rowB), keyLookup: valueOf(rowA).keyLookup });
    const { store, logs } = await load(tableName);
    expect(store.index.getSubscription('b')).toBeUndefined();
    expect(store.index.subscriptionByKey(a.primaryKey)?.subscription.id).toBe('a');
    expect(store.index.subscriptionByKey(b.primaryKey)).toBeUndefined();
    expect(logs).toMatch(/subscription\|b.*lookup digests could not be verified/);
    expect(logs).not.toContain(a.primaryKey);
  });

  it('refuses digests swapped between the two slots, and sealed keys taken from another row', async () => {
    const { tableName, rowOf, valueOf, write } = await twoSubscriptions();
    const rowA = await rowOf('a');
    const valueA = valueOf(rowA);
    const { primary, secondary } = valueA.keyLookup;
    await write(rowA, { ...valueA, keyLookup: { ...valueA.keyLookup, primary: secondary, secondary: primary } });
    const rowB = await rowOf('b');
    await write(rowB, { ...valueOf(rowB), primaryKey: valueA.primaryKey });
    const { store, logs } = await load(tableName);
    expect(store.index.listSubscriptions()).toEqual([]);
    expect(logs).toMatch(/subscription\|a/);
    expect(logs).toMatch(/subscription\|b/);
  });
});
