import type { TableEntity } from '@azure/data-tables';
import { isSealed, type KeyProtector } from './keyProtector';
import {
  apiSchema,
  operationSchema,
  productApiLinkSchema,
  productSchema,
  subscriptionSchema,
  type Api,
  type Operation,
  type Product,
  type ProductApiLink,
  type Subscription,
} from './records';

/**
 * How catalog records live in Table Storage: one partition, one row per record,
 * the record as JSON (split over several properties when long). Ids are
 * URI-encoded into row keys, so a key never holds `/ \ # ?` and `|` always
 * separates parts.
 */

export const CATALOG_PARTITION = 'catalog';
export const VERSION_ROW = 'meta|version';

export type CatalogRecord =
  | { kind: 'api'; value: Api }
  | { kind: 'operation'; value: Operation }
  | { kind: 'product'; value: Product }
  | { kind: 'link'; value: ProductApiLink }
  | { kind: 'subscription'; value: Subscription };

export type RecordRef =
  | { kind: 'api'; id: string }
  | { kind: 'operation'; apiId: string; id: string }
  | { kind: 'product'; id: string }
  | { kind: 'link'; productId: string; apiId: string }
  | { kind: 'subscription'; id: string };

export type RecordKind = CatalogRecord['kind'];

const schemas = {
  api: apiSchema,
  operation: operationSchema,
  product: productSchema,
  link: productApiLinkSchema,
  subscription: subscriptionSchema,
} as const;

const enc = encodeURIComponent;

export function refOf(record: CatalogRecord): RecordRef {
  switch (record.kind) {
    case 'operation':
      return { kind: 'operation', apiId: record.value.apiId, id: record.value.id };
    case 'link':
      return { kind: 'link', productId: record.value.productId, apiId: record.value.apiId };
    default:
      return { kind: record.kind, id: record.value.id };
  }
}

export function rowKeyOf(ref: RecordRef): string {
  switch (ref.kind) {
    case 'operation':
      return `operation|${enc(ref.apiId)}|${enc(ref.id)}`;
    case 'link':
      return `link|${enc(ref.productId)}|${enc(ref.apiId)}`;
    default:
      return `${ref.kind}|${enc(ref.id)}`;
  }
}

/** The reference a row key stands for, or undefined for rows that are not records. */
export function refOfRowKey(rowKey: string): RecordRef | undefined {
  const [kind, a, b] = rowKey.split('|');
  if (a === undefined) return undefined;
  const first = decodeURIComponent(a);
  switch (kind) {
    case 'api':
    case 'product':
    case 'subscription':
      return { kind, id: first };
    case 'operation':
      return b === undefined ? undefined : { kind, apiId: first, id: decodeURIComponent(b) };
    case 'link':
      return b === undefined ? undefined : { kind, productId: first, apiId: decodeURIComponent(b) };
    default:
      return undefined;
  }
}

/** Table Storage keeps at most 64 KiB per string property; stay well below it. */
const CHUNK = 30_000;

/** What the two key slots of a subscription are bound to when sealed. */
const keyContext = (subscriptionId: string, slot: 'primary' | 'secondary') => `subscription:${subscriptionId}:${slot}`;

/** The record as stored: subscription keys sealed, never in plaintext. */
function storedValue(record: CatalogRecord, keys: KeyProtector): unknown {
  if (record.kind !== 'subscription') return record.value;
  const s = record.value;
  return {
    ...s,
    primaryKey: keys.seal(s.primaryKey, keyContext(s.id, 'primary')),
    secondaryKey: keys.seal(s.secondaryKey, keyContext(s.id, 'secondary')),
  };
}

export function toEntity(record: CatalogRecord, version: number, keys: KeyProtector): TableEntity<Record<string, unknown>> {
  const json = JSON.stringify(storedValue(record, keys));
  const entity: TableEntity<Record<string, unknown>> = {
    partitionKey: CATALOG_PARTITION,
    rowKey: rowKeyOf(refOf(record)),
    kind: record.kind,
    rev: version,
    chunks: Math.max(1, Math.ceil(json.length / CHUNK)),
  };
  for (let i = 0, n = 0; i < json.length || n === 0; i += CHUNK, n++) entity[`d${n}`] = json.slice(i, i + CHUNK);
  return entity;
}

/**
 * What Table Storage can hold: a key of at most 1 KiB, i.e. 512 UTF-16 characters
 * (Azurite refuses longer ones too), and an entity of at most 1 MiB, strings
 * counted as UTF-16. A record's JSON is kept under 900,000 bytes both as UTF-16 and
 * as UTF-8, which leaves room for the other properties and the sealed keys.
 * Row keys hold URI-encoded ids, so an id of 256 characters fits when it is plain
 * ASCII, not when every character needs escaping (and an operation's row key
 * holds its API's id as well).
 */
export const MAX_ROW_KEY_LENGTH = 512;
export const MAX_RECORD_BYTES = 900_000;

/** Why a change cannot be stored as it is: the client's to fix, not a storage fault. */
export type StorageLimit = { kind: 'keyTooLong' | 'tooLarge' | 'tooDeep'; message: string };

/** Undefined when the change fits in Table Storage; otherwise which limit it breaks. */
export function storageLimitOf(change: { put: CatalogRecord } | { delete: RecordRef }): StorageLimit | undefined {
  const ref = 'put' in change ? refOf(change.put) : change.delete;
  if (rowKeyOf(ref).length > MAX_ROW_KEY_LENGTH) {
    return { kind: 'keyTooLong', message: `The ${ref.kind} id is too long to be stored: at most ${MAX_ROW_KEY_LENGTH} characters once URI-encoded (with its parent's id).` };
  }
  if (!('put' in change)) return undefined;
  let json: string;
  try {
    json = JSON.stringify(change.put.value);
  } catch {
    // A structure too deep for the serializer (RangeError): it could not be written or read back.
    return { kind: 'tooDeep', message: `The ${ref.kind} is nested too deeply to be stored.` };
  }
  if (json.length * 2 > MAX_RECORD_BYTES || Buffer.byteLength(json, 'utf8') > MAX_RECORD_BYTES) {
    return { kind: 'tooLarge', message: `The ${ref.kind} is too large to be stored: at most ${MAX_RECORD_BYTES} bytes of JSON.` };
  }
  return undefined;
}

export interface StoredRecord {
  record: CatalogRecord;
  /** Catalog version at which this record was last written: its ETag. */
  rev: number;
  /** A subscription written before keys were sealed: to be written again. */
  plaintextKeys?: boolean;
}

/** Parses a stored row; rows that fail validation are reported, not trusted. */
export function fromEntity(entity: Record<string, unknown>, keys: KeyProtector): StoredRecord | { error: string } | undefined {
  const kind = entity.kind;
  if (typeof kind !== 'string' || !(kind in schemas)) return undefined;
  const chunks = typeof entity.chunks === 'number' ? entity.chunks : 1;
  let json = '';
  for (let n = 0; n < chunks; n++) {
    const part = entity[`d${n}`];
    if (typeof part !== 'string') return { error: `row ${String(entity.rowKey)}: missing data chunk ${n}` };
    json += part;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return { error: `row ${String(entity.rowKey)}: data is not JSON` };
  }
  let plaintextKeys = false;
  if (kind === 'subscription' && raw && typeof raw === 'object') {
    const s = raw as Record<string, unknown>;
    for (const slot of ['primary', 'secondary'] as const) {
      const value = s[`${slot}Key`];
      if (typeof value !== 'string') continue;
      if (!isSealed(value)) {
        plaintextKeys = true;
        continue;
      }
      try {
        s[`${slot}Key`] = keys.open(value, keyContext(String(s.id), slot));
      } catch (error) {
        return { error: `row ${String(entity.rowKey)}: ${(error as Error).message}` };
      }
    }
  }
  const parsed = schemas[kind as RecordKind].safeParse(raw);
  if (!parsed.success) return { error: `row ${String(entity.rowKey)}: ${parsed.error.issues[0]?.message ?? 'invalid'}` };
  const rev = typeof entity.rev === 'number' ? entity.rev : 0;
  const result: StoredRecord = { record: { kind, value: parsed.data } as CatalogRecord, rev };
  if (plaintextKeys) result.plaintextKeys = true;
  return result;
}
