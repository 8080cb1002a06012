import type { TableClient } from '@azure/data-tables';
import { CatalogIndex } from './catalogIndex';
import { readVersionRow } from './changeLog';
import type { KeyProtector } from './keyProtector';
import { CATALOG_PARTITION, fromEntity, type CatalogRecord, type StoredRecord } from './tableCodec';

/** Table Storage's largest page: fewer round trips (and, on Azurite, fewer rescans of the partition). */
const PAGE_SIZE = 1000;

export interface LoadedCatalog {
  index: CatalogIndex;
  /** Subscriptions stored in an earlier form (keys in plaintext, or sealed without lookup digests): to be written again. */
  outdated: string[];
}

/**
 * Reads every record into a fresh index. The version row is read first: rows
 * listed after it may be newer, never older, and the next refresh catches up
 * from that version. Pages are processed as they arrive while the next one is
 * already requested, so storage prepares page k+1 while this process parses
 * page k (see `prefetched`). Invalid rows are logged and skipped.
 */
export async function loadCatalog(client: TableClient, keys: KeyProtector, log: (message: string) => void): Promise<LoadedCatalog> {
  const { version } = await readVersionRow(client);
  const index = new CatalogIndex(keys.digest);
  const pages = client
    .listEntities<Record<string, unknown>>({ queryOptions: { filter: `PartitionKey eq '${CATALOG_PARTITION}'` } })
    .byPage({ maxPageSize: PAGE_SIZE });
  const loaded = new LoadedRecords(index);
  const intern = interner();
  const outdated: string[] = [];
  for await (const page of prefetched(pages)) {
    for (const entity of page) {
      const parsed = fromEntity(entity, keys, { intern });
      if (!parsed) continue;
      if ('error' in parsed) {
        log(`catalog: ignoring invalid ${parsed.error}`);
        continue;
      }
      loaded.add(parsed);
      if ((parsed.plaintextKeys || parsed.withoutLookup) && parsed.record.kind === 'subscription') outdated.push(parsed.record.value.id);
    }
  }
  loaded.finish();
  index.version = version;
  return { index, outdated };
}

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
      // The client takes many promise turns to put the request on the wire: one macrotask lets it get there first.
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
 * operations, links and policy documents are kept until the listing is
 * complete, then applied parents first (APIs and products before their
 * operations, links and documents), as a reader of the index would expect
 * them. Subscriptions, most of the rows and
 * parents of nothing, go in as they are read, so that their parsed forms do not
 * pile up on the heap during the load.
 */
class LoadedRecords {
  private readonly byKind = { api: [], product: [], operation: [], link: [], policy: [] } as { [K in Exclude<CatalogRecord['kind'], 'subscription'>]: StoredRecord[] };

  constructor(private readonly index: CatalogIndex) {}

  add(stored: StoredRecord): void {
    const kind = stored.record.kind;
    if (kind === 'subscription') this.index.applyChange({ put: stored.record }, stored.rev);
    else this.byKind[kind].push(stored);
  }

  /** Applies the records kept back; the index is then complete. */
  finish(): void {
    for (const kind of ['api', 'product', 'operation', 'link', 'policy'] as const) {
      for (const { record, rev } of this.byKind[kind]) this.index.applyChange({ put: record }, rev);
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
