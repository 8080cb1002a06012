import { createHash } from 'node:crypto';
import { type TableClient, type TableEntityResult, odata } from '@azure/data-tables';
import { catalogConnectionFromEnv, createTableClient } from '../../catalog/connection';

/** The shared total of one quota window, as storage holds it. */
export interface QuotaRow {
  readonly counterKey: string;
  readonly periodKey: string;
  readonly periodStart: number;
  /** null: the quota never renews. */
  readonly periodEnd: number | null;
  readonly calls: number;
  readonly bytes: number;
  /** Ids of the latest writes, so a writer whose answer was lost can tell whether its write landed. */
  readonly writes: readonly string[];
}

export interface StoredQuotaRow extends QuotaRow {
  readonly etag: string;
}

/**
 * Where quota windows are shared between instances and kept across restarts.
 * `write` is conditional: with an etag it replaces the row only if it is still
 * that version; without one it creates the row only if it does not exist.
 */
export interface QuotaStore {
  read(counterKey: string, periodKey: string): Promise<StoredQuotaRow | undefined>;
  /** The new etag, or 'conflict' when the row changed (412) or already exists (409). */
  write(row: QuotaRow, etag: string | undefined): Promise<string>;
  /** Every window of a counter key. */
  list(counterKey: string): Promise<StoredQuotaRow[]>;
  /** Windows still current at `now` (for loading counters at start). */
  listCurrent(now: number): Promise<StoredQuotaRow[]>;
}

export const DEFAULT_QUOTA_TABLE_NAME = 'quotas';
const TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;
/** Writes remembered per row: more than the writers that can race on one window within one answer. */
const WRITES_KEPT = 32;
/** Partition keys are at most 1 KiB; longer counter keys are stored under their hash. */
const LONGEST_ENCODED_KEY = 512;

/** The quota table: the catalog's storage account (same settings), table `QUOTA_TABLE_NAME` (default `quotas`). */
export function quotaTableClientFromEnv(env: NodeJS.ProcessEnv = process.env): TableClient {
  const tableName = env.QUOTA_TABLE_NAME || DEFAULT_QUOTA_TABLE_NAME;
  if (!TABLE_NAME.test(tableName)) {
    throw new Error(`QUOTA_TABLE_NAME must match ${TABLE_NAME} (letters and digits, 3-63, starting with a letter)`);
  }
  const connection = catalogConnectionFromEnv({ ...env, CATALOG_TABLE_NAME: undefined });
  return createTableClient({ ...connection, tableName });
}

/**
 * Partition key: the counter key, base64url (keys may hold any character, Table
 * keys may not hold / \ # ? or control characters). Row key: the window.
 */
export function partitionKeyOf(counterKey: string): string {
  const encoded = Buffer.from(counterKey, 'utf8').toString('base64url');
  return encoded.length <= LONGEST_ENCODED_KEY ? `k${encoded}` : `h${createHash('sha256').update(counterKey).digest('base64url')}`;
}

interface QuotaEntity {
  partitionKey: string;
  rowKey: string;
  counterKey: string;
  periodStart: Date;
  renews: boolean;
  periodEnd?: Date;
  calls: number;
  bytes: number;
  writes: string;
}

export class TableQuotaStore implements QuotaStore {
  private tableReady: Promise<void> | undefined;

  constructor(private readonly client: TableClient) {}

  async read(counterKey: string, periodKey: string): Promise<StoredQuotaRow | undefined> {
    await this.ensureTable();
    try {
      return fromEntity(await this.client.getEntity<QuotaEntity>(partitionKeyOf(counterKey), periodKey));
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async write(row: QuotaRow, etag: string | undefined): Promise<string> {
    await this.ensureTable();
    const entity = toEntity(row);
    try {
      const result = etag === undefined ? await this.client.createEntity(entity) : await this.client.updateEntity(entity, 'Merge', { etag });
      return result.etag as string;
    } catch (error) {
      const status = statusOf(error);
      if (status === 409 || status === 412) return 'conflict';
      throw error;
    }
  }

  async list(counterKey: string): Promise<StoredQuotaRow[]> {
    return this.query(odata`PartitionKey eq ${partitionKeyOf(counterKey)}`, (row) => row.counterKey === counterKey);
  }

  async listCurrent(now: number): Promise<StoredQuotaRow[]> {
    return this.query(odata`renews eq false or periodEnd gt ${new Date(now)}`, () => true);
  }

  private async query(filter: string, keep: (row: StoredQuotaRow) => boolean): Promise<StoredQuotaRow[]> {
    await this.ensureTable();
    const rows: StoredQuotaRow[] = [];
    for await (const entity of this.client.listEntities<QuotaEntity>({ queryOptions: { filter } })) {
      const row = fromEntity(entity);
      if (keep(row)) rows.push(row);
    }
    return rows;
  }

  /** Creates the table once; a failure is forgotten so the next call tries again. */
  private ensureTable(): Promise<void> {
    this.tableReady ??= this.client.createTable().catch((error: unknown) => {
      this.tableReady = undefined;
      throw error;
    });
    return this.tableReady;
  }
}

function toEntity(row: QuotaRow) {
  return {
    partitionKey: partitionKeyOf(row.counterKey),
    rowKey: row.periodKey,
    counterKey: row.counterKey,
    periodStart: new Date(row.periodStart),
    renews: row.periodEnd !== null,
    ...(row.periodEnd === null ? {} : { periodEnd: new Date(row.periodEnd) }),
    // Doubles, so totals past 2^31 keep their type.
    calls: { value: String(row.calls), type: 'Double' as const },
    bytes: { value: String(row.bytes), type: 'Double' as const },
    writes: row.writes.slice(-WRITES_KEPT).join(' '),
  };
}

function fromEntity(entity: TableEntityResult<QuotaEntity>): StoredQuotaRow {
  return {
    counterKey: entity.counterKey,
    periodKey: entity.rowKey,
    periodStart: new Date(entity.periodStart).getTime(),
    periodEnd: entity.renews && entity.periodEnd ? new Date(entity.periodEnd).getTime() : null,
    calls: Number(entity.calls) || 0,
    bytes: Number(entity.bytes) || 0,
    writes: entity.writes ? entity.writes.split(' ') : [],
    etag: entity.etag,
  };
}

function statusOf(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'statusCode' in error ? (error as { statusCode?: number }).statusCode : undefined;
}
