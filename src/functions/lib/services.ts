import { CatalogStore } from '../../catalog/catalogStore';
import { catalogConnectionFromEnv, createTableClient } from '../../catalog/connection';
import { labSeed } from '../../lab/seed';
import { safeError } from '../../logging/sanitizer';

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
