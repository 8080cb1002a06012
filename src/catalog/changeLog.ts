import type { TableClient, TransactionAction } from '@azure/data-tables';
import { statusOf } from './storageCalls';
import { CATALOG_PARTITION, VERSION_ROW } from './tableCodec';

/**
 * The version row: the catalog's version, bumped by every write under its
 * ETag, and a log of the rows each recent version changed, so that other
 * instances reload only what changed.
 */

interface ChangeLogEntry {
  v: number;
  /** Row keys changed in version v; null when too many to list (readers reload all). */
  rows: string[] | null;
}

export interface VersionRow {
  version: number;
  etag: string;
  log: ChangeLogEntry[];
}

const LOG_VERSIONS = 64;
const LOG_ROWS_PER_VERSION = 200;
const LOG_MAX_CHARS = 30_000;

/** Creates the version row of an empty catalog, unless it exists. */
export async function createVersionRow(client: TableClient): Promise<void> {
  try {
    await client.createEntity({ partitionKey: CATALOG_PARTITION, rowKey: VERSION_ROW, version: 0, log: '[]' });
  } catch (error) {
    if (statusOf(error) !== 409) throw error;
  }
}

export async function readVersionRow(client: TableClient): Promise<VersionRow> {
  const entity = await client.getEntity<{ version: number; log: string }>(CATALOG_PARTITION, VERSION_ROW);
  let log: ChangeLogEntry[] = [];
  try {
    log = JSON.parse(entity.log) as ChangeLogEntry[];
  } catch {
    log = [];
  }
  return { version: Number(entity.version) || 0, etag: entity.etag, log };
}

/** The rows changed after version `from` up to the row's version; undefined when the log does not list them all. */
export function rowsChangedSince(row: VersionRow, from: number): string[] | undefined {
  if (row.version <= from) return undefined;
  const rows = new Set<string>();
  for (let v = from + 1; v <= row.version; v++) {
    const entry = row.log.find((e) => e.v === v);
    if (!entry || entry.rows === null) return undefined;
    for (const changed of entry.rows) rows.add(changed);
  }
  return [...rows];
}

/** The transaction action that moves the version row from `row` to `version`, logging `rows` as its changes. */
export function versionBump(row: VersionRow, version: number, rows: string[]): TransactionAction {
  const log = appendLog(row.log, { v: version, rows: rows.length <= LOG_ROWS_PER_VERSION ? rows : null });
  return ['update', { partitionKey: CATALOG_PARTITION, rowKey: VERSION_ROW, version, log }, 'Replace', { etag: row.etag }];
}

function appendLog(log: ChangeLogEntry[], entry: ChangeLogEntry): string {
  const next = [...log.filter((e) => e.v < entry.v), entry].slice(-LOG_VERSIONS);
  let text = JSON.stringify(next);
  while (text.length > LOG_MAX_CHARS && next.length > 1) {
    next.shift();
    text = JSON.stringify(next);
  }
  if (text.length > LOG_MAX_CHARS) text = JSON.stringify([{ v: entry.v, rows: null }]);
  return text;
}
