import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createTableClient } from '../../src/catalog/connection';
import { CatalogStore, type CatalogStoreOptions } from '../../src/catalog/catalogStore';

/** A table name no other test uses, so tests share one Azurite without seeing each other. */
export function uniqueTableName(prefix = 't'): string {
  return `${prefix}${randomBytes(6).toString('hex')}`;
}

export function testTableClient(tableName = uniqueTableName()) {
  return createTableClient({ connectionString: inject('azuriteConnectionString'), tableName, source: 'test' });
}

export function testStore(options: Partial<CatalogStoreOptions> & { tableName?: string } = {}): CatalogStore {
  const { tableName, ...rest } = options;
  return new CatalogStore({ client: testTableClient(tableName), pollIntervalMs: 0, log: () => {}, ...rest });
}
