import { CatalogStore } from '../../catalog/catalogStore';
import { catalogConnectionFromEnv, createTableClient } from '../../catalog/connection';
import { createPolicyServices, type GatewayPolicyServices } from '../../gateway/policyServices';
import { delayFromEnv, ProductStore } from '../../lab/backends/productStore';
import { labSeed } from '../../lab/seed';
import { safeError } from '../../logging/sanitizer';
import { cacheMaxBytesFromEnv } from '../../policy/cache';
import { SharedQuotaCounter, TableQuotaStore, quotaTableClientFromEnv } from '../../policy/limits';

/**
 * The composition root: one catalog store per process, shared by every function.
 * Created on first use from the app settings; starts loading at once, so the index
 * is warm before the first request arrives.
 */
let store: CatalogStore | undefined;

export function seedLabEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return !/^(false|0|no)$/i.test(env.SEED_LAB ?? '');
}

export function catalogStore(): CatalogStore {
  if (!store) {
    const connection = catalogConnectionFromEnv();
    store = new CatalogStore({
      client: createTableClient(connection),
      pollIntervalMs: Number(process.env.CATALOG_POLL_MS ?? 1000),
      seed: seedLabEnabled() ? () => labSeed() : undefined,
    });
    store.ensureStarted().catch((error: unknown) => {
      safeError(`Catalog not loaded yet (${connection.source}): ${error instanceof Error ? error.message : String(error)}`);
    });
  }
  return store;
}

let policyServices: GatewayPolicyServices | undefined;

/**
 * The rate limiters, quota counters and response cache of this instance: quotas
 * shared through the catalog's storage account (table `QUOTA_TABLE_NAME`, default
 * `quotas`), the cache sized by `POLICY_CACHE_MAX_BYTES`. Loads the quota windows
 * still current at once; a failed load only means they are read when first used.
 * An invalid setting stops the app at start, naming the setting.
 */
export function gatewayPolicyServices(): GatewayPolicyServices {
  if (!policyServices) {
    policyServices = createPolicyServices({
      quotaStore: new TableQuotaStore(quotaTableClientFromEnv()),
      cacheMaxBytes: cacheMaxBytesFromEnv(),
    });
    policyServices.load().catch((error: unknown) => {
      safeError(`Quota counters not loaded yet: ${error instanceof Error ? error.message : String(error)}`);
    });
  }
  return policyServices;
}

/**
 * The quota counters the management API reads and resets: the gateway's own (both
 * functions run in one process), so a reset reaches this instance's gateway at
 * once and the others at their next exchange with the quota table.
 */
export function sharedQuotaCounter(): SharedQuotaCounter {
  const { quotas } = gatewayPolicyServices();
  if (!(quotas instanceof SharedQuotaCounter)) throw new Error('the gateway counts quotas without a SharedQuotaCounter');
  return quotas;
}

let productStore: ProductStore | undefined;

/** The lab's ProductStore backend: one per instance, in memory (a restart or a lab reset brings back the seed products). */
export function productStoreBackend(): ProductStore {
  productStore ??= new ProductStore(delayFromEnv());
  return productStore;
}
