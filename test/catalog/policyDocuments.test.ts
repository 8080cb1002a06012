import { describe, expect, it } from 'vitest';
import { CatalogIndex } from '../../src/catalog/catalogIndex';
import type { PolicyRecord } from '../../src/catalog/records';
import { CATALOG_PARTITION, fromEntity, policyRef, refOfRowKey, rowKeyOf, toEntity } from '../../src/catalog/tableCodec';
import { createKeyProtector } from '../../src/catalog/keyProtector';
import { ECHO_API_ID, labSeed } from '../../src/lab/seed';
import { testStore, testTableClient, uniqueTableName } from '../helpers/catalog';

const keys = createKeyProtector(Buffer.alloc(32, 7));

const GLOBAL: PolicyRecord = { scope: 'global', format: 'xml', value: '<policies><inbound /><backend><forward-request /></backend></policies>' };
const PRODUCT: PolicyRecord = { scope: 'product', productId: 'starter', format: 'xml', value: '<policies><inbound><base /><rate-limit calls="5" renewal-period="60" /></inbound></policies>' };
const API: PolicyRecord = { scope: 'api', apiId: ECHO_API_ID, format: 'rawxml', value: '<policies><inbound><set-header name="x" exists-action="override"><value>@(context.Request.Headers.GetValueOrDefault("a", "b") + "<&>")</value></set-header></inbound></policies>' };
const OPERATION: PolicyRecord = { scope: 'operation', apiId: ECHO_API_ID, operationId: 'create-resource', format: 'xml', value: '<policies>\r\n  <inbound><base /></inbound>\r\n</policies>' };
const ALL = [GLOBAL, PRODUCT, API, OPERATION];
/** The lab's records without its own documents: these tests write theirs. */
const seedWithoutDocuments = () => labSeed().filter((r) => r.kind !== 'policy');

/**
 * A document of exactly 256 KiB of UTF-8, made of `filler`, by default mostly
 * quotes and line breaks, which JSON would double.
 */
function largeDocument(filler = `${'"\n'.repeat(20)}\u{1F600}`): string {
  const head = '<policies><inbound><base /></inbound><!--';
  const tail = '--></policies>';
  let body = '';
  while (Buffer.byteLength(head + body + filler + tail, 'utf8') <= 262_144) body += filler;
  let text = head + body + tail;
  while (Buffer.byteLength(text, 'utf8') < 262_144) text = text.replace('<!--', '<!-- ');
  return text;
}

describe('policy documents in the catalog', () => {
  it('row keys of the four scopes read back as their references, ids escaped', () => {
    const odd: PolicyRecord = { scope: 'operation', apiId: 'a|b', operationId: 'ü/x', format: 'xml', value: '' };
    for (const record of [...ALL, odd, { ...PRODUCT, productId: 'p|q' }]) {
      const ref = policyRef(record);
      expect(refOfRowKey(rowKeyOf(ref))).toEqual(ref);
    }
    expect(rowKeyOf(policyRef(GLOBAL))).toBe('policy|global');
    expect(rowKeyOf(policyRef(OPERATION))).toBe(`policy|operation|${ECHO_API_ID}|create-resource`);
    expect(refOfRowKey('policy|product')).toBeUndefined();
    expect(refOfRowKey('policy|global|x')).toBeUndefined();
    expect(refOfRowKey('policy|nowhere|x')).toBeUndefined();
  });

  it.each([
    ['quotes and line breaks', largeDocument()],
    // Every surrogate pair starts at an odd offset: a cut every 30,000 units would split one.
    ['astral characters', `x${'\u{1F600}'.repeat(65_535)}`],
  ])('the entity keeps the text as written, outside the JSON, in pieces no property limit refuses (%s)', (_, text) => {
    const entity = toEntity({ kind: 'policy', value: { ...API, value: text } }, 3, keys);
    expect(entity.d0).toBe(JSON.stringify({ scope: 'api', apiId: ECHO_API_ID, format: 'rawxml' }));
    const pieces = Object.keys(entity).filter((k) => /^t\d+$/.test(k));
    expect(pieces).toHaveLength(entity.textChunks as number);
    for (const k of pieces) {
      const piece = entity[k] as string;
      expect(piece.length).toBeLessThanOrEqual(32_768);
      // No piece starts or ends inside a surrogate pair.
      expect(piece).toBe(Buffer.from(piece, 'utf8').toString('utf8'));
    }
    expect(fromEntity(entity, keys)).toEqual({ record: { kind: 'policy', value: { ...API, value: text } }, rev: 3 });
  });

  it('a row whose text pieces are missing or whose record is invalid is reported, not loaded', () => {
    const entity = toEntity({ kind: 'policy', value: GLOBAL }, 1, keys);
    expect(fromEntity({ ...entity, textChunks: 2 }, keys)).toEqual({ error: 'row policy|global: missing text chunk 1' });
    expect(fromEntity({ ...entity, d0: '{"scope":"global","format":"xml-link"}' }, keys)).toHaveProperty('error');
    expect(fromEntity({ ...entity, d0: '{"scope":"product","format":"xml"}' }, keys)).toHaveProperty('error');
  });

  it('stores the documents of all four scopes, propagates puts and deletes, and loads them whole', async () => {
    const tableName = uniqueTableName();
    const a = testStore({ tableName, seed: seedWithoutDocuments });
    const b = testStore({ tableName });
    await a.ensureStarted();
    await b.ensureStarted();
    await a.mutate(() => ({ changes: ALL.map((value) => ({ put: { kind: 'policy' as const, value } })), value: 0 }));
    for (const record of ALL) expect(a.view.policyDocument(record)).toEqual(record);
    await b.refresh();
    for (const record of ALL) expect(b.view.policyDocument(record)).toEqual(record);
    expect(b.view.policyDocument({ scope: 'product', productId: 'unlimited' })).toBeUndefined();
    expect(b.view.policyDocument({ scope: 'operation', apiId: ECHO_API_ID, operationId: 'retrieve-resource' })).toBeUndefined();
    // An instance that starts now reads them from a full load.
    const c = testStore({ tableName });
    await c.ensureStarted();
    expect(c.index.listPolicies().sort((x, y) => x.scope.localeCompare(y.scope))).toEqual([...ALL].sort((x, y) => x.scope.localeCompare(y.scope)));
    expect(c.index.revisions.get('policy|global')).toBe(a.index.revisions.get('policy|global'));

    await a.mutate(() => ({ changes: [{ delete: policyRef(API) }, { put: { kind: 'policy', value: { ...GLOBAL, value: '<policies />' } } }], value: 0 }));
    await b.refresh();
    expect(b.view.policyDocument(API)).toBeUndefined();
    expect(b.view.policyDocument({ scope: 'global' })?.value).toBe('<policies />');
    expect(b.view.version).toBe(a.view.version);
  });

  it('a document of 256 KiB is stored on Azurite and read back unchanged by another instance', async () => {
    const tableName = uniqueTableName();
    const a = testStore({ tableName });
    await a.ensureStarted();
    const text = largeDocument();
    expect(Buffer.byteLength(text, 'utf8')).toBe(262_144);
    // As JSON it would be over the catalog's record limit.
    expect(JSON.stringify(text).length * 2).toBeGreaterThan(900_000);
    const record: PolicyRecord = { ...OPERATION, value: text };
    await a.mutate(() => ({ changes: [{ put: { kind: 'policy', value: record } }], value: 0 }));
    const b = testStore({ tableName });
    await b.ensureStarted();
    expect(b.view.policyDocument(record)?.value === text).toBe(true);
    const row = await testTableClient(tableName).getEntity<Record<string, unknown>>(CATALOG_PARTITION, rowKeyOf(policyRef(record)));
    expect(row.textChunks).toBeGreaterThan(1);
  });

  it('the index drops the documents of a deleted product, API or operation with it', () => {
    const index = new CatalogIndex();
    for (const put of seedWithoutDocuments()) index.applyChange({ put }, 0);
    for (const value of ALL) index.applyChange({ put: { kind: 'policy', value } }, 1);
    index.applyChange({ delete: { kind: 'operation', apiId: ECHO_API_ID, id: 'create-resource' } }, 2);
    expect(index.policyDocument(OPERATION)).toBeUndefined();
    index.applyChange({ put: { kind: 'policy', value: OPERATION } }, 3);
    index.applyChange({ delete: { kind: 'api', id: ECHO_API_ID } }, 4);
    expect(index.policyDocument(API)).toBeUndefined();
    expect(index.policyDocument(OPERATION)).toBeUndefined();
    index.applyChange({ delete: { kind: 'product', id: 'starter' } }, 5);
    expect(index.policyDocument(PRODUCT)).toBeUndefined();
    expect(index.listPolicies()).toEqual([GLOBAL]);
  });
});
