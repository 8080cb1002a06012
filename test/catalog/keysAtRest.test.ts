import { describe, expect, it } from 'vitest';
import { createKeyProtector, parseEncryptionKey, KeyDecryptionError } from '../../src/catalog/keyProtector';
import { CATALOG_PARTITION, toEntity } from '../../src/catalog/tableCodec';
import { labSeed, LAB_SUBSCRIPTIONS } from '../../src/lab/seed';
import { testStore, testTableClient, uniqueTableName } from '../helpers/catalog';

const protector = createKeyProtector(Buffer.alloc(32, 7));

async function rawRows(tableName: string): Promise<string> {
  const rows: unknown[] = [];
  for await (const e of testTableClient(tableName).listEntities({ queryOptions: { filter: `PartitionKey eq '${CATALOG_PARTITION}'` } })) rows.push(e);
  return JSON.stringify(rows);
}

describe('subscription keys at rest', () => {
  it('never stores a key in plaintext, and reads every key back', async () => {
    const tableName = uniqueTableName();
    const store = testStore({ tableName, seed: () => labSeed(), keys: protector });
    await store.ensureStarted();
    const subscriptions = store.index.listSubscriptions();
    expect(subscriptions).toHaveLength(Object.keys(LAB_SUBSCRIPTIONS).length);
    const raw = await rawRows(tableName);
    for (const s of subscriptions) {
      expect(raw).not.toContain(s.primaryKey);
      expect(raw).not.toContain(s.secondaryKey);
    }
    expect(raw).toContain('enc1.');
    const again = testStore({ tableName, keys: protector });
    await again.ensureStarted();
    for (const s of subscriptions) expect(again.index.subscriptionByKey(s.primaryKey)?.subscription.id).toBe(s.id);
  });

  it('fails closed with another encryption key: no subscription, a clear log line, no key in it', async () => {
    const tableName = uniqueTableName();
    const store = testStore({ tableName, seed: () => labSeed(), keys: protector });
    await store.ensureStarted();
    const key = store.index.getSubscription(LAB_SUBSCRIPTIONS.master)!.primaryKey;
    const logs: string[] = [];
    const other = testStore({ tableName, keys: createKeyProtector(Buffer.alloc(32, 9)), log: (m) => logs.push(m) });
    await other.ensureStarted();
    expect(other.index.listSubscriptions()).toEqual([]);
    expect(other.index.subscriptionByKey(key)).toBeUndefined();
    expect(logs.join('\n')).toMatch(/KEY_ENCRYPTION_KEY differs/);
    expect(logs.join('\n')).not.toContain(key);
  });

  it('seals keys found in plaintext (rows from before sealing) at start', async () => {
    const tableName = uniqueTableName();
    const client = testTableClient(tableName);
    await client.createTable();
    const [sub] = labSeed().filter((r) => r.kind === 'subscription');
    const plaintext = { ...toEntity(sub!, 1, protector) };
    plaintext.d0 = JSON.stringify(sub!.value);
    await client.upsertEntity(plaintext);
    const store = testStore({ tableName, keys: protector });
    await store.ensureStarted();
    const value = sub!.value as { primaryKey: string; id: string };
    expect(store.index.subscriptionByKey(value.primaryKey)?.subscription.id).toBe(value.id);
    expect(await rawRows(tableName)).not.toContain(value.primaryKey);
  });

  it('binds a sealed key to its subscription and slot', () => {
    const sealed = protector.seal('abc', 'subscription:one:primary');
    expect(protector.open(sealed, 'subscription:one:primary')).toBe('abc');
    expect(() => protector.open(sealed, 'subscription:two:primary')).toThrow(KeyDecryptionError);
    expect(() => protector.open(sealed, 'subscription:one:secondary')).toThrow(KeyDecryptionError);
    expect(() => protector.open(sealed.slice(0, -2) + 'AA', 'subscription:one:primary')).toThrow(KeyDecryptionError);
    expect(protector.seal('abc', 'c')).not.toBe(protector.seal('abc', 'c'));
  });

  it('looks keys up by a keyed hash that depends on the encryption key', () => {
    expect(protector.digest('abc')).toBe(createKeyProtector(Buffer.alloc(32, 7)).digest('abc'));
    expect(protector.digest('abc')).not.toBe(createKeyProtector(Buffer.alloc(32, 8)).digest('abc'));
  });

  it('refuses a missing or malformed encryption key without echoing it', () => {
    expect(() => parseEncryptionKey(undefined)).toThrow(/KEY_ENCRYPTION_KEY is not set/);
    expect(() => parseEncryptionKey('c2hvcnQ=')).toThrow(/exactly 32 bytes/);
    try {
      parseEncryptionKey('not-base64-secret-value!!');
    } catch (error) {
      expect((error as Error).message).not.toContain('secret-value');
    }
  });
});
