import { RestError, type TableClient, type TransactionAction } from '@azure/data-tables';
import { CatalogLimitError, CatalogUnavailableError } from './catalogErrors';
import { CatalogIndex, type CatalogView, type KeyMatch } from './catalogIndex';
import { loadCatalog } from './catalogLoader';
import { createVersionRow, readVersionRow, rowsChangedSince, versionBump } from './changeLog';
import { keyProtectorFromEnv, type KeyProtector } from './keyProtector';
import type { Api, Operation, PolicyRecord, PolicyScopeRef, Product } from './records';
import { describe, mapLimit, sleep, statusOf } from './storageCalls';
import { CATALOG_PARTITION, fromEntity, refOf, refOfRowKey, rowKeyOf, sealRecord, storageLimitOf, toEntity, type CatalogChange, type CatalogRecord } from './tableCodec';
import { withTimeout } from './withTimeout';
import { WriteQueue, type MutateOptions } from './writeQueue';
import { safeLog } from '../logging/sanitizer';

export { CatalogLimitError, CatalogUnavailableError } from './catalogErrors';
export type { CatalogChange } from './tableCodec';
export type { MutateOptions } from './writeQueue';

export interface CatalogStoreOptions {
  client: TableClient;
  /** How often other instances' changes are looked for. Default 1000 ms. */
  pollIntervalMs?: number;
  /** Records to write when the catalog is empty at start (the lab seed). */
  seed?: () => CatalogRecord[];
  /** Where operational messages go. Never given keys. */
  log?: (message: string) => void;
  /** Seals subscription keys at rest; default from `KEY_ENCRYPTION_KEY`. */
  keys?: KeyProtector;
}

/** Table Storage transactions hold at most 100 entities; one is the version row. */
const MAX_CHANGES_PER_COMMIT = 99;
const MAX_COMMIT_ATTEMPTS = 8;

/** Delegates to whatever index is current, so a full reload swaps in atomically. */
class LiveCatalogView implements CatalogView {
  constructor(private readonly store: CatalogStore) {}
  get version() {
    return this.store.index.version;
  }
  get maxApiPathSegments() {
    return this.store.index.maxApiPathSegments;
  }
  apiByPath(path: string): Api | undefined {
    return this.store.index.apiByPath(path);
  }
  operationsOf(apiId: string): readonly Operation[] {
    return this.store.index.operationsOf(apiId);
  }
  productsOfApi(apiId: string): readonly Product[] {
    return this.store.index.productsOfApi(apiId);
  }
  subscriptionByKey(key: string): KeyMatch | undefined {
    return this.store.index.subscriptionByKey(key);
  }
  policyDocument(ref: PolicyScopeRef): PolicyRecord | undefined {
    return this.store.index.policyDocument(ref);
  }
}

/**
 * The catalog: records in one Table Storage partition, mirrored into an in-memory
 * index that the gateway reads. Every write is one transaction that also bumps a
 * version row under its ETag, so writes from all instances are serialised and a
 * write either happens whole or not at all. Other instances poll the version row
 * (one point read a second) and reload only the rows that changed.
 */
export class CatalogStore {
  /** The current index. Replaced whole on a full reload; patched in place otherwise. */
  index: CatalogIndex;
  readonly view: CatalogView = new LiveCatalogView(this);

  private readonly client: TableClient;
  private readonly keys: KeyProtector;
  /**
   * Subscriptions stored in an earlier form (keys in plaintext, or sealed without
   * lookup digests): written again in the current form at start.
   */
  private outdated = new Set<string>();
  private readonly pollIntervalMs: number;
  private readonly seed?: () => CatalogRecord[];
  private readonly log: (message: string) => void;
  private started: Promise<void> | undefined;
  private lastStartFailure = 0;
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private readonly writes = new WriteQueue();
  private healthy = true;
  private ready = false;

  constructor(options: CatalogStoreOptions) {
    this.client = options.client;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.seed = options.seed;
    this.log = options.log ?? safeLog;
    this.keys = options.keys ?? keyProtectorFromEnv();
    this.index = new CatalogIndex(this.keys.digest);
  }

  /** True once the catalog has been loaded (and seeded, when empty) at least once. */
  get isReady(): boolean {
    return this.ready;
  }

  get tableName(): string {
    return this.client.tableName;
  }

  /**
   * Loads the catalog (seeding it when empty) and starts polling. Safe to call on
   * every request: it starts once, and after a failure tries again at most once a second.
   */
  ensureStarted(): Promise<void> {
    if (this.started) return this.started;
    if (Date.now() - this.lastStartFailure < 1000) {
      return Promise.reject(new CatalogUnavailableError('catalog storage unavailable'));
    }
    const attempt = this.start().catch((error: unknown) => {
      this.started = undefined;
      this.lastStartFailure = Date.now();
      throw error instanceof CatalogUnavailableError
        ? error
        : new CatalogUnavailableError(`catalog storage unavailable: ${describe(error)}`, { cause: error });
    });
    this.started = attempt;
    return attempt;
  }

  private async start(): Promise<void> {
    // No load while KEY_ENCRYPTION_KEY is unusable (an unresolved Key Vault reference):
    // an empty, unseeded catalog would otherwise load without ever needing the key.
    this.keys.digest('');
    await this.client.createTable();
    await createVersionRow(this.client);
    await this.reloadAll();
    if (this.outdated.size > 0) await this.rewriteOutdated();
    if (this.seed && this.index.isEmpty) {
      const seed = this.seed;
      await this.mutate((index) => (index.isEmpty ? { changes: seed().map((put) => ({ put })), value: undefined } : { changes: [], value: undefined }));
    }
    if (this.pollIntervalMs > 0 && !this.timer) {
      this.timer = setInterval(() => void this.poll(), this.pollIntervalMs);
      this.timer.unref();
    }
    this.ready = true;
  }

  /** Writes again, keys sealed and with their lookup digests, the subscriptions stored in an earlier form. */
  private async rewriteOutdated(): Promise<void> {
    const ids = [...this.outdated];
    await this.mutate((index) => ({
      changes: ids.flatMap((id) => {
        const value = index.getSubscription(id);
        return value ? [{ put: { kind: 'subscription' as const, value } }] : [];
      }),
      value: undefined,
    }));
    this.log(`catalog: wrote ${ids.length} subscription(s) stored in an earlier form again (keys sealed, with lookup digests)`);
    this.outdated.clear();
  }

  /**
   * Loads the catalog if needed and catches up with other instances' writes, so a
   * read never answers from a stale catalog. Rejects with CatalogUnavailableError
   * when storage fails or does not answer within `timeoutMs`.
   */
  async catchUp(timeoutMs: number): Promise<void> {
    const ready = (async () => {
      await this.ensureStarted();
      await this.refresh();
    })();
    try {
      await withTimeout(ready, timeoutMs, () => new CatalogUnavailableError('catalog storage did not answer in time'));
    } catch (error) {
      throw error instanceof CatalogUnavailableError ? error : new CatalogUnavailableError('catalog storage unavailable', { cause: error });
    }
  }

  /**
   * True once the catalog is loaded: at once when it is, otherwise after starting
   * it; false when loading fails or takes longer than `timeoutMs`. Never rejects.
   */
  async whenReady(timeoutMs: number): Promise<boolean> {
    if (this.ready) return true;
    try {
      await withTimeout(this.ensureStarted(), timeoutMs, () => new CatalogUnavailableError('catalog not loaded in time'));
      return true;
    } catch {
      return false;
    }
  }

  /** Stops polling. The index stays readable. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async poll(): Promise<void> {
    try {
      await this.refresh();
      if (!this.healthy) this.log('catalog storage reachable again');
      this.healthy = true;
    } catch (error) {
      if (this.healthy) this.log(`catalog storage unreachable, serving the last known catalog: ${describe(error)}`);
      this.healthy = false;
    }
  }

  /** Brings the index up to the version in storage. Concurrent callers share one refresh. */
  refresh(): Promise<void> {
    if (!this.refreshing) {
      this.refreshing = this.doRefresh().finally(() => (this.refreshing = undefined));
    }
    return this.refreshing;
  }

  private async doRefresh(): Promise<void> {
    const meta = await readVersionRow(this.client);
    if (meta.version === this.index.version) {
      return;
    }
    const rows = this.index.version < 0 ? undefined : rowsChangedSince(meta, this.index.version);
    if (!rows) {
      await this.reloadAll();
      return;
    }
    const results = await mapLimit(rows, 16, (row) => this.readRow(row));
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as string;
      const result = results[i];
      const ref = refOfRowKey(row);
      if (!ref) continue;
      if (result === undefined) this.index.applyChange({ delete: ref }, meta.version);
      else this.index.applyChange({ put: result.record }, result.rev);
    }
    this.index.version = meta.version;
  }

  private async readRow(rowKey: string) {
    try {
      const entity = await this.client.getEntity<Record<string, unknown>>(CATALOG_PARTITION, rowKey);
      const parsed = fromEntity(entity, this.keys);
      if (parsed && 'error' in parsed) {
        this.log(`catalog: ignoring invalid ${parsed.error}`);
        return undefined;
      }
      return parsed;
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  /** Loads every record into a fresh index (see `loadCatalog`) and swaps it in. */
  private async reloadAll(): Promise<void> {
    const { index, outdated } = await loadCatalog(this.client, this.keys, this.log);
    for (const id of outdated) this.outdated.add(id);
    this.index = index;
  }

  /**
   * Applies a change planned against the current index, as one transaction with
   * the version bump. `plan` runs again on fresh data when another writer got in
   * first, and may throw to refuse (nothing is written). Writes from this instance
   * are queued, so they never conflict with each other.
   */
  mutate<T>(
    plan: (index: CatalogIndex) => { changes: CatalogChange[]; value: T },
    options: MutateOptions = {},
  ): Promise<{ value: T; version: number }> {
    return this.writes.run((signal) => this.mutateNow(plan, signal), options);
  }

  private async mutateNow<T>(
    plan: (index: CatalogIndex) => { changes: CatalogChange[]; value: T },
    signal: AbortSignal | undefined,
  ): Promise<{ value: T; version: number }> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.refresh();
      } catch (error) {
        throw new CatalogUnavailableError(`catalog storage unavailable: ${describe(error)}`, { cause: error });
      }
      const { changes, value } = plan(this.index);
      if (changes.length === 0) return { value, version: this.index.version };
      // Checked before any batch is sent, so that a refused change writes nothing at all.
      for (const change of changes) {
        const limit = storageLimitOf(change);
        if (limit) throw new CatalogLimitError(limit);
      }
      // Checked only before a commit starts: one under way is never cut short (it may be applied).
      if (signal?.aborted) throw new CatalogUnavailableError('catalog write not started: the caller stopped waiting');
      try {
        await this.commit(changes);
        return { value, version: this.index.version };
      } catch (error) {
        const status = statusOf(error);
        const conflict = status === 412 || status === 409 || status === 404;
        if (!conflict) throw new CatalogUnavailableError(`catalog write failed: ${describe(error)}`, { cause: error });
        if (attempt >= MAX_COMMIT_ATTEMPTS) throw new CatalogUnavailableError('catalog write kept conflicting with other writers');
        await sleep(Math.random() * 20 * attempt);
      }
    }
  }

  /** Writes changes in transactions of at most 99 rows plus the version row; applies each to the index once stored. */
  private async commit(changes: CatalogChange[]): Promise<void> {
    for (let i = 0; i < changes.length; i += MAX_CHANGES_PER_COMMIT) {
      const batch = changes.slice(i, i + MAX_CHANGES_PER_COMMIT);
      await this.commitBatch(batch);
    }
  }

  private async commitBatch(changes: CatalogChange[]): Promise<void> {
    const version = this.index.version + 1;
    const rows: string[] = [];
    const actions: TransactionAction[] = [];
    const seen = new Set<string>();
    // Subscriptions are sealed once: the same sealed keys are written and indexed.
    const stored = changes.map((change): CatalogChange => ('put' in change ? { put: sealRecord(change.put, this.keys) } : change));
    for (const change of stored) {
      const row = rowKeyOf('put' in change ? refOf(change.put) : change.delete);
      if (seen.has(row)) throw new Error(`one change touches row ${row} twice`);
      seen.add(row);
      rows.push(row);
      if ('put' in change) actions.push(['upsert', toEntity(change.put, version, this.keys), 'Replace']);
      else actions.push(['delete', { partitionKey: CATALOG_PARTITION, rowKey: row }]);
    }
    const meta = await readVersionRow(this.client);
    if (meta.version !== this.index.version) {
      throw new RestError('catalog changed since it was read', { statusCode: 412 });
    }
    actions.push(versionBump(meta, version, rows));
    await this.client.submitTransaction(actions);
    for (const change of stored) this.index.applyChange(change, version);
    this.index.version = version;
  }
}

