import { describe, expect, it } from 'vitest';
import { partitionKeyOf, quotaTableClientFromEnv } from '../../../src/policy/limits/quotaStore';

describe('quota table', () => {
  it('is table QUOTA_TABLE_NAME (default quotas) in the catalog storage account', () => {
    expect(quotaTableClientFromEnv({ CatalogStorage: 'UseDevelopmentStorage=true' }).tableName).toBe('quotas');
    expect(quotaTableClientFromEnv({ CatalogStorage: 'UseDevelopmentStorage=true', CATALOG_TABLE_NAME: 'catalog', QUOTA_TABLE_NAME: 'limits2' }).tableName).toBe('limits2');
    expect(() => quotaTableClientFromEnv({ CatalogStorage: 'UseDevelopmentStorage=true', QUOTA_TABLE_NAME: 'no-dashes' })).toThrow('QUOTA_TABLE_NAME');
    expect(() => quotaTableClientFromEnv({})).toThrow('No catalog storage configured');
  });

  it('files a counter key under a partition key Table Storage accepts, whatever it holds', () => {
    for (const key of ['a/b\\c#d?e', 'tab\there', 'ключ', 'x'.repeat(5000)]) {
      const partition = partitionKeyOf(key);
      expect(partition).toMatch(/^[kh][A-Za-z0-9_-]+$/);
      expect(partition.length).toBeLessThanOrEqual(513);
    }
    expect(partitionKeyOf('a')).not.toBe(partitionKeyOf('b'));
    expect(partitionKeyOf('x'.repeat(5000))).not.toBe(partitionKeyOf('x'.repeat(5001)));
  });
});
