import { RestError, type TableClient, type TransactionAction } from '@azure/data-tables';
import { CatalogIndex, type CatalogView, type KeyMatch } from './catalogIndex';
import type { Api, Operation, Product } from './records';
import { keyProtectorFromEnv, type KeyProtector } from './keyProtector';
import { withTimeout } from './withTimeout';
import { registerSecretName, safeLog } from '../logging/sanitizer';
import {
  CATALOG_PARTITION,
  VERSION_ROW,
  fromEntity,
  refOf,
  refOfRowKey,
  rowKeyOf,
  sealRecord,
  storageLimitOf,
  toEntity,
  type CatalogRecord,
  type RecordRef,
  type StorageLimit,
  type StoredRecord,
} from './tableCodec';

/** One change to the catalog. */
export type CatalogChange = { put: CatalogRecord } | { delete: RecordRef };

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

/** Options of `CatalogStore.mutate`. */
export interface MutateOptions {
  /**
   * When it aborts, the caller stops waiting: `mutate` rejects at once with
   * CatalogUnavailableError, and the write is dropped if it has not begun
   * committing (a commit under way completes, and its change is kept).
   */
  signal?: AbortSignal;
  /**
   * How long the caller waits for the write itself once its turn has come (a
   * few storage calls). Past it the caller gives up as above, and so do the
   * callers with options waiting behind it: storage that does not answer one
   * write will not answer the next, and they should hear so now, not one storage
   * timeout after another.
   */
  runTimeoutMs?: number;
}

/**
 * Thrown by `mutate` when a planned change cannot be stored as it is (an id too
 * long for a row key, a record too large or too deeply nested). Nothing is written.
 */
export class CatalogLimitError extends Error {
  readonly limit: StorageLimit['kind'];
  constructor(limit: StorageLimit) {
    super(limit.message);
    this.name = 'CatalogLimitError';
    this.limit = limit.kind;
  }
}

/** Thrown when storage cannot be reached or keeps refusing a write. */
export class CatalogUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CatalogUnavailableError';
  }
}

interface VersionLogEntry {
  v: number;
  /** Row keys changed in version v; null when too many to list (readers reload all). */
  rows: string[] | null;
}

/** Entries of the change log kept in the version row, so other instances reload only what changed. */
const LOG_VERSIONS = 64;
const LOG_ROWS_PER_VERSION = 200;
const LOG_MAX_CHARS = 30_000;
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
}

export function applyChange(index: CatalogIndex, change: CatalogChange, version: number): void {
  if ('put' in change) {
    const { put } = change;
    switch (put.kind) {
      case 'api':
        index.putApi(put.value);
        // A custom key name must be masked in logs like the default one.
        registerSecretName(put.value.subscriptionKeyParameterNames.header);
        registerSecretName(put.value.subscriptionKeyParameterNames.query);
        break;
      case 'operation':
        index.putOperation(put.value);
        break;
      case 'product':
        index.putProduct(put.value);
        break;
      case 'link':
        index.putLink(put.value);
        break;
      case 'subscription':
        index.putSubscription(put.value);
        break;
    }
    const ref = refOf(put);
    index.revisions.set(ref, rowKeyOf(ref), version);
    return;
  }
  const ref = change.delete;
  switch (ref.kind) {
    case 'api':
      index.deleteApi(ref.id);
      break;
    case 'operation':
      index.deleteOperation(ref.apiId, ref.id);
      break;
    case 'product':
      index.deleteProduct(ref.id);
      break;
    case 'link':
      index.deleteLink(ref.productId, ref.apiId);
      break;
    case 'subscription':
      index.deleteSubscription(ref.id);
      break;
  }
  index.revisions.delete(ref, rowKeyOf(ref));
}

function statusOf(error: unknown): number | undefined {
  return error instanceof RestError ? error.statusCode : undefined;
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
  private writeQueue: Promise<unknown> = Promise.resolve();
  /** Callers of queued writes (with options) not yet started, to be told at once when storage stops answering. */
  private readonly waitingWrites = new Set<AbortController>();
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
    try {
      await this.client.createEntity({ partitionKey: CATALOG_PARTITION, rowKey: VERSION_ROW, version: 0, log: '[]' });
    } catch (error) {
      if (statusOf(error) !== 409) throw error;
    }
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
    const meta = await this.readVersionRow();
    if (meta.version === this.index.version) {
      return;
    }
    const wanted = new Set<string>();
    let complete = meta.version > this.index.version;
    for (let v = this.index.version + 1; complete && v <= meta.version; v++) {
      const entry = meta.log.find((e) => e.v === v);
      if (!entry || entry.rows === null) complete = false;
      else for (const row of entry.rows) wanted.add(row);
    }
    if (!complete || this.index.version < 0) {
      await this.reloadAll();
      return;
    }
    const rows = [...wanted];
    const results = await mapLimit(rows, 16, (row) => this.readRow(row));
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as string;
      const result = results[i];
      const ref = refOfRowKey(row);
      if (!ref) continue;
      if (result === undefined) applyChange(this.index, { delete: ref }, meta.version);
      else applyChange(this.index, { put: result.record }, result.rev);
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

  private async readVersionRow(): Promise<{ version: number; etag: string; log: VersionLogEntry[] }> {
    const entity = await this.client.getEntity<{ version: number; log: string }>(CATALOG_PARTITION, VERSION_ROW);
    let log: VersionLogEntry[] = [];
    try {
      log = JSON.parse(entity.log) as VersionLogEntry[];
    } catch {
      log = [];
    }
    return { version: Number(entity.version) || 0, etag: entity.etag, log };
  }

  /**
   * Reads every record into a fresh index and swaps it in. The version row is
   * read first: rows listed after it may be newer, never older, and the next
   * refresh catches up from that version. Pages are processed as they arrive
   * while the next one is already requested, so storage prepares page k+1 while
   * this process parses page k (see `prefetched`).
   */
  private async reloadAll(): Promise<void> {
    const meta = await this.readVersionRow();
    const index = new CatalogIndex(this.keys.digest);
    const pages = this.client
      .listEntities<Record<string, unknown>>({ queryOptions: { filter: `PartitionKey eq '${CATALOG_PARTITION}'` } })
      .byPage({ maxPageSize: PAGE_SIZE });
    const loaded = new LoadedRecords(index);
    const intern = interner();
    for await (const page of prefetched(pages)) {
      for (const entity of page) this.readListed(entity, loaded, intern);
    }
    loaded.finish();
    index.version = meta.version;
    this.index = index;
  }

  /** One listed row into `loaded`; invalid rows are logged and skipped. */
  private readListed(entity: Record<string, unknown>, loaded: LoadedRecords, intern: (text: string) => string): void {
    const parsed = fromEntity(entity, this.keys, { intern });
    if (!parsed) return;
    if ('error' in parsed) {
      this.log(`catalog: ignoring invalid ${parsed.error}`);
      return;
    }
    loaded.add(parsed);
    if ((parsed.plaintextKeys || parsed.withoutLookup) && parsed.record.kind === 'subscription') this.outdated.add(parsed.record.value.id);
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
    const { signal, runTimeoutMs } = options;
    if (!signal && runTimeoutMs === undefined) {
      const run = this.writeQueue.then(() => this.mutateNow(plan, undefined));
      this.writeQueue = run.catch(() => undefined);
      return run;
    }
    // Aborted when the caller gives up: its own deadline, its run timeout, or the one of a write ahead of it.
    const giveUp = new AbortController();
    const follow = () => giveUp.abort();
    if (signal?.aborted) giveUp.abort();
    else signal?.addEventListener('abort', follow, { once: true });
    this.waitingWrites.add(giveUp);
    let timer: NodeJS.Timeout | undefined;
    const run = this.writeQueue
      .then(() => {
        this.waitingWrites.delete(giveUp);
        // Nobody waits for it any more: a write not started is never started.
        if (giveUp.signal.aborted) throw new CatalogUnavailableError('catalog write not started: gave up waiting for earlier writes');
        if (runTimeoutMs !== undefined) {
          timer = setTimeout(() => {
            giveUp.abort();
            for (const waiting of this.waitingWrites) waiting.abort();
          }, runTimeoutMs);
        }
        return this.mutateNow(plan, giveUp.signal);
      })
      .finally(() => {
        clearTimeout(timer);
        this.waitingWrites.delete(giveUp);
        signal?.removeEventListener('abort', follow);
      });
    this.writeQueue = run.catch(() => undefined);
    return abandonOnAbort(run, giveUp.signal);
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
    const meta = await this.readVersionRow();
    if (meta.version !== this.index.version) {
      throw new RestError('catalog changed since it was read', { statusCode: 412 });
    }
    const log = appendLog(meta.log, { v: version, rows: rows.length <= LOG_ROWS_PER_VERSION ? rows : null });
    actions.push([
      'update',
      { partitionKey: CATALOG_PARTITION, rowKey: VERSION_ROW, version, log },
      'Replace',
      { etag: meta.etag },
    ]);
    await this.client.submitTransaction(actions);
    for (const change of stored) applyChange(this.index, change, version);
    this.index.version = version;
  }
}

function appendLog(log: VersionLogEntry[], entry: VersionLogEntry): string {
  const next = [...log.filter((e) => e.v < entry.v), entry].slice(-LOG_VERSIONS);
  let text = JSON.stringify(next);
  while (text.length > LOG_MAX_CHARS && next.length > 1) {
    next.shift();
    text = JSON.stringify(next);
  }
  if (text.length > LOG_MAX_CHARS) text = JSON.stringify([{ v: entry.v, rows: null }]);
  return text;
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  });
  await Promise.all(workers);
  return results;
}

/** `work`, or a CatalogUnavailableError as soon as `signal` aborts (work's own late outcome is then ignored). */
function abandonOnAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  const gaveUp = () => new CatalogUnavailableError('catalog storage did not answer in time');
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(gaveUp());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(gaveUp());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Table Storage's largest page: fewer round trips (and, on Azurite, fewer rescans of the partition). */
const PAGE_SIZE = 1000;

/**
 * The pages of `pages`, each next one requested as soon as the current one is
 * handed out: storage works on page k+1 while the caller processes page k. At
 * most one request is ahead; an error of that request surfaces where the
 * caller asks for that page, as without prefetching.
 */
export async function* prefetched<T>(pages: AsyncIterable<T>): AsyncGenerator<T, void, undefined> {
  const iterator = pages[Symbol.asyncIterator]();
  let next = iterator.next();
  try {
    for (;;) {
      const current = await next;
      if (current.done) return;
      next = iterator.next();
      // Not awaited until the caller is done with `current`; if the caller stops first, the outcome is dropped.
      next.catch(() => undefined);
      // The client's pipeline takes many promise turns before the request is on the wire: let it get
      // there (one macrotask) before the caller's synchronous work on this page holds the thread.
      await new Promise((resolve) => setImmediate(resolve));
      yield current.value;
    }
  } finally {
    // The caller stopped early (or a page failed): end the listing instead of leaving it half-open.
    void iterator.return?.().catch(() => undefined);
  }
}

/**
 * Records of a full load on their way into a fresh index. APIs, products,
 * operations and links are kept until the listing is complete, then applied
 * parents first (APIs and products before their operations and links), as a
 * reader of the index would expect them. Subscriptions, most of the rows and
 * parents of nothing, go in as they are read, so that their parsed forms do not
 * pile up on the heap during the load.
 */
class LoadedRecords {
  private readonly byKind = { api: [], product: [], operation: [], link: [] } as { [K in Exclude<CatalogRecord['kind'], 'subscription'>]: StoredRecord[] };

  constructor(private readonly index: CatalogIndex) {}

  add(stored: StoredRecord): void {
    const kind = stored.record.kind;
    if (kind === 'subscription') applyChange(this.index, { put: stored.record }, stored.rev);
    else this.byKind[kind].push(stored);
  }

  /** Applies the records kept back; the index is then complete. */
  finish(): void {
    for (const kind of ['api', 'product', 'operation', 'link'] as const) {
      for (const { record, rev } of this.byKind[kind]) applyChange(this.index, { put: record }, rev);
    }
  }
}

/**
 * One copy of each distinct string it is given, for the lifetime of one load:
 * subscription scopes and owners repeat across thousands of rows.
 */
function interner(): (text: string) => string {
  const seen = new Map<string, string>();
  return (text) => {
    const known = seen.get(text);
    if (known !== undefined) return known;
    seen.set(text, text);
    return text;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An error's message without anything that could be a secret (connection strings never reach here). */
function describe(error: unknown): string {
  if (error instanceof RestError) return `${error.statusCode ?? error.code ?? 'error'} ${error.message.split('\n')[0]}`;
  return error instanceof Error ? error.message : String(error);
}
