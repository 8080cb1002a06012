import type { TableEntity } from '@azure/data-tables';
import { digestToText, isDigestText, isSealed, KeyDecryptionError, KeyLookupError, safeEqual, sealedParts, type KeyProtector } from './keyProtector';
import {
  apiSchema,
  operationSchema,
  policySchema,
  productApiLinkSchema,
  productSchema,
  subscriptionSchema,
  type Api,
  type Operation,
  type PolicyRecord,
  type PolicyScopeRef,
  type Product,
  type ProductApiLink,
  type Subscription,
} from './records';
import { copyProperties, propertiesOf, recordClass, type KeySlot, type SubscriptionProperties } from './subscriptionFields';

/**
 * How catalog records live in Table Storage: one partition, one row per record,
 * the record as JSON (split over several properties when long); a policy
 * document's text is stored beside it as it is, not JSON-escaped. Ids are
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
  | { kind: 'subscription'; value: Subscription }
  | { kind: 'policy'; value: PolicyRecord };

export type RecordRef =
  | { kind: 'api'; id: string }
  | { kind: 'operation'; apiId: string; id: string }
  | { kind: 'product'; id: string }
  | { kind: 'link'; productId: string; apiId: string }
  | { kind: 'subscription'; id: string }
  | ({ kind: 'policy' } & PolicyScopeRef);

/** One change to the catalog. */
export type CatalogChange = { put: CatalogRecord } | { delete: RecordRef };

export type RecordKind = CatalogRecord['kind'];

const schemas = {
  api: apiSchema,
  operation: operationSchema,
  product: productSchema,
  link: productApiLinkSchema,
  subscription: subscriptionSchema,
  policy: policySchema,
} as const;

const enc = encodeURIComponent;

export function refOf(record: CatalogRecord): RecordRef {
  switch (record.kind) {
    case 'operation':
      return { kind: 'operation', apiId: record.value.apiId, id: record.value.id };
    case 'link':
      return { kind: 'link', productId: record.value.productId, apiId: record.value.apiId };
    case 'policy':
      return policyRef(record.value);
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
    case 'policy':
      return policyRowKey(ref);
    default:
      return `${ref.kind}|${enc(ref.id)}`;
  }
}

/** The reference of the policy document of a scope (a record or a bare scope). */
export function policyRef(scope: PolicyScopeRef): RecordRef {
  switch (scope.scope) {
    case 'global':
      return { kind: 'policy', scope: 'global' };
    case 'product':
      return { kind: 'policy', scope: 'product', productId: scope.productId };
    case 'api':
      return { kind: 'policy', scope: 'api', apiId: scope.apiId };
    case 'operation':
      return { kind: 'policy', scope: 'operation', apiId: scope.apiId, operationId: scope.operationId };
  }
}

/** `policy|global`, `policy|product|{id}`, `policy|api|{id}`, `policy|operation|{apiId}|{id}`. */
function policyRowKey(ref: PolicyScopeRef): string {
  switch (ref.scope) {
    case 'global':
      return 'policy|global';
    case 'product':
      return `policy|product|${enc(ref.productId)}`;
    case 'api':
      return `policy|api|${enc(ref.apiId)}`;
    case 'operation':
      return `policy|operation|${enc(ref.apiId)}|${enc(ref.operationId)}`;
  }
}

/** The reference a row key stands for, or undefined for rows that are not records. */
export function refOfRowKey(rowKey: string): RecordRef | undefined {
  const [kind, a, b, c] = rowKey.split('|');
  if (a === undefined) return undefined;
  if (kind === 'policy') return policyRefOfRowKey(a, b, c);
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

function policyRefOfRowKey(scope: string, a: string | undefined, b: string | undefined): RecordRef | undefined {
  if (scope === 'global') return a === undefined ? { kind: 'policy', scope } : undefined;
  if (a === undefined) return undefined;
  if (scope === 'product' && b === undefined) return { kind: 'policy', scope, productId: decodeURIComponent(a) };
  if (scope === 'api' && b === undefined) return { kind: 'policy', scope, apiId: decodeURIComponent(a) };
  if (scope === 'operation' && b !== undefined) return { kind: 'policy', scope, apiId: decodeURIComponent(a), operationId: decodeURIComponent(b) };
  return undefined;
}

/** Table Storage keeps at most 64 KiB (32,768 UTF-16 units) per string property; stay well below it. */
const CHUNK = 30_000;

/**
 * `text` in pieces of at most CHUNK units, never cutting a surrogate pair in
 * two (a lone half is no valid string for the storage service). Always at
 * least one piece.
 */
function chunksOf(text: string): string[] {
  const chunks: string[] = [];
  let at = 0;
  do {
    let end = Math.min(at + CHUNK, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
    chunks.push(text.slice(at, end));
    at = end;
  } while (at < text.length);
  return chunks;
}

/**
 * A record split into its JSON and its long text stored as it is: a policy
 * document's `value`, which JSON would escape (every quote and line break
 * doubled) and could then push a 256 KiB document past an entity's 1 MiB.
 */
function splitText(value: unknown, kind: RecordKind): { json: unknown; text: string | undefined } {
  if (kind !== 'policy') return { json: value, text: undefined };
  const { value: text, ...rest } = value as PolicyRecord;
  return { json: rest, text };
}

/** What the two key slots of a subscription are bound to when sealed. */
export const keyContext = (subscriptionId: string, slot: KeySlot) => `subscription:${subscriptionId}:${slot}`;

/**
 * Version of the lookup digests stored with a subscription: of the digest and
 * tag functions. Rows with another version (or none) load as before, by opening
 * their keys and hashing them.
 */
const LOOKUP_VERSION = 1;

/**
 * What a lookup tag authenticates: the version, the subscription, and in slot
 * order both digests and both sealed keys (so that a row's digests and sealed
 * keys can only have been written together, for this subscription).
 */
const lookupText = (subscriptionId: string, sealed: KeyLookup, lookup: KeyLookup) =>
  `keyLookup:${LOOKUP_VERSION}:${subscriptionId}\n${lookup.primary}\n${lookup.secondary}\n${sealed.primary}\n${sealed.secondary}`;

/** The lookup digests of a subscription's two keys (see `KeyProtector.digest`), or any other pair of per-slot strings. */
export interface KeyLookup {
  readonly primary: string;
  readonly secondary: string;
}

/**
 * A subscription as stored: its keys sealed, with their lookup digests, never
 * in plaintext. What the codec reads and writes; the index takes it apart into
 * its subscription table. Its own properties are exactly the subscription's
 * properties other than the keys, in schema order; `primaryKey` and
 * `secondaryKey` open the sealed key on each read (getters on the prototype: a
 * spread of this object leaves the keys out; the records the index hands out
 * are spreadable).
 */
export class SealedSubscription extends recordClass<Readonly<SubscriptionProperties>>() implements Subscription {
  /** The sealed keys, as stored (`enc1.…`). */
  readonly #sealed: KeyLookup;
  /** The keys' digests, as stored (base64url, see `digestToText`). */
  readonly #lookup: KeyLookup;
  readonly #keys: KeyProtector;

  get primaryKey(): string {
    return this.#keys.open(this.#sealed.primary, keyContext(this.id, 'primary'));
  }

  get secondaryKey(): string {
    return this.#keys.open(this.#sealed.secondary, keyContext(this.id, 'secondary'));
  }

  /** `sealed`: the keys sealed by `keys`; `lookup`: their digests under `keys`, as text. */
  constructor(properties: SubscriptionProperties, sealed: KeyLookup, lookup: KeyLookup, keys: KeyProtector) {
    super();
    copyProperties(this, properties);
    // Usually the same instant as the creation: one string for both.
    if (properties.startDate === properties.createdDate) (this as { startDate: string }).startDate = properties.createdDate;
    this.#sealed = sealed;
    this.#lookup = lookup;
    this.#keys = keys;
  }

  /**
   * What a sealed subscription holds besides its properties: its sealed keys,
   * their digests (as text) and its protector; undefined for a plain record
   * (keys in plaintext).
   */
  static partsOf(subscription: Subscription): { sealed: KeyLookup; lookup: KeyLookup; keys: KeyProtector } | undefined {
    if (!(#sealed in subscription)) return undefined;
    return { sealed: subscription.#sealed, lookup: subscription.#lookup, keys: subscription.#keys };
  }

  /** The value written to storage: keys sealed, with their digests and the tag that binds all four to this subscription. */
  stored(): Record<string, unknown> {
    const sealed = this.#sealed;
    const lookup = this.#lookup;
    const tag = this.#keys.tag(lookupText(this.id, sealed, lookup));
    return { ...propertiesOf(this), primaryKey: sealed.primary, secondaryKey: sealed.secondary, keyLookup: { v: LOOKUP_VERSION, primary: lookup.primary, secondary: lookup.secondary, tag } };
  }
}

/** A subscription with its keys sealed and digested, to be stored and indexed. A sealed one is returned as it is. */
export function sealSubscription(subscription: Subscription, keys: KeyProtector): SealedSubscription {
  if (subscription instanceof SealedSubscription) return subscription;
  const { id, primaryKey, secondaryKey } = subscription;
  const sealed = { primary: keys.seal(primaryKey, keyContext(id, 'primary')), secondary: keys.seal(secondaryKey, keyContext(id, 'secondary')) };
  const lookup = { primary: digestToText(keys.digest(primaryKey)), secondary: digestToText(keys.digest(secondaryKey)) };
  return new SealedSubscription(subscription, sealed, lookup, keys);
}

/** The record as it is stored and indexed: a subscription's keys sealed; other records unchanged. */
export function sealRecord(record: CatalogRecord, keys: KeyProtector): CatalogRecord {
  return record.kind === 'subscription' ? { kind: 'subscription', value: sealSubscription(record.value, keys) } : record;
}

/** The record as stored: subscription keys sealed, never in plaintext. */
function storedValue(record: CatalogRecord, keys: KeyProtector): unknown {
  return record.kind === 'subscription' ? sealSubscription(record.value, keys).stored() : record.value;
}

export function toEntity(record: CatalogRecord, version: number, keys: KeyProtector): TableEntity<Record<string, unknown>> {
  const stored = splitText(storedValue(record, keys), record.kind);
  const chunks = chunksOf(JSON.stringify(stored.json));
  const entity: TableEntity<Record<string, unknown>> = {
    partitionKey: CATALOG_PARTITION,
    rowKey: rowKeyOf(refOf(record)),
    kind: record.kind,
    rev: version,
    chunks: chunks.length,
  };
  chunks.forEach((chunk, n) => (entity[`d${n}`] = chunk));
  if (stored.text !== undefined) {
    const texts = chunksOf(stored.text);
    entity.textChunks = texts.length;
    texts.forEach((chunk, n) => (entity[`t${n}`] = chunk));
  }
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
export function storageLimitOf(change: CatalogChange): StorageLimit | undefined {
  const ref = 'put' in change ? refOf(change.put) : change.delete;
  if (rowKeyOf(ref).length > MAX_ROW_KEY_LENGTH) {
    return { kind: 'keyTooLong', message: `The ${ref.kind} id is too long to be stored: at most ${MAX_ROW_KEY_LENGTH} characters once URI-encoded (with its parent's id).` };
  }
  if (!('put' in change)) return undefined;
  const stored = splitText(change.put.value, change.put.kind);
  let json: string;
  try {
    json = JSON.stringify(stored.json) + (stored.text ?? '');
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
  /** A subscription sealed before lookup digests were stored: to be written again, so later loads open no key. */
  withoutLookup?: boolean;
}

/** Options of `fromEntity`. */
export interface ReadOptions {
  /**
   * Gives equal strings one copy (a full load passes one for all its rows): used
   * for subscription scopes and owners, which repeat across many subscriptions.
   */
  intern?: (text: string) => string;
}

type ParseResult = StoredRecord | { error: string } | undefined;

/** Parses a stored row; rows that fail validation are reported, not trusted. */
export function fromEntity(entity: Record<string, unknown>, keys: KeyProtector, options: ReadOptions = {}): ParseResult {
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
  const rev = typeof entity.rev === 'number' ? entity.rev : 0;
  const row = `row ${String(entity.rowKey)}`;
  if (typeof entity.textChunks === 'number') {
    if (raw === null || typeof raw !== 'object') return { error: `${row}: data is not an object` };
    let text = '';
    for (let n = 0; n < entity.textChunks; n++) {
      const part = entity[`t${n}`];
      if (typeof part !== 'string') return { error: `${row}: missing text chunk ${n}` };
      text += part;
    }
    raw = { ...raw, value: text };
  }
  if (kind === 'subscription' && raw !== null && typeof raw === 'object') {
    return subscriptionFromStored(raw as Record<string, unknown>, row, rev, keys, options.intern);
  }
  const parsed = schemas[kind as RecordKind].safeParse(raw);
  if (!parsed.success) return invalid(row, parsed.error);
  return { record: { kind, value: parsed.data } as CatalogRecord, rev };
}

function invalid(row: string, error: { issues: readonly { message: string }[] }): { error: string } {
  return { error: `${row}: ${error.issues[0]?.message ?? 'invalid'}` };
}

/** A subscription's properties without its keys, validated as the full record would be. */
const subscriptionFieldsSchema = subscriptionSchema.omit({ primaryKey: true, secondaryKey: true });

/** The stored lookup digests and their tag, when the row has them in the current version. */
function storedLookup(value: unknown): (KeyLookup & { tag: string }) | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const { v, primary, secondary, tag } = value as Record<string, unknown>;
  if (v !== LOOKUP_VERSION || typeof primary !== 'string' || typeof secondary !== 'string' || typeof tag !== 'string') return undefined;
  return { primary, secondary, tag };
}

/**
 * A stored subscription, in one of three forms:
 * - keys sealed with their lookup digests (what this version writes): validated
 *   and the digests' tag checked (one HMAC), the keys left sealed;
 * - keys sealed without digests (written by earlier versions): the keys are
 *   opened and hashed once, and kept sealed;
 * - a key in plaintext (written before sealing): loaded as a plain record and
 *   flagged, so that the store writes it again sealed.
 */
function subscriptionFromStored(
  raw: Record<string, unknown>,
  row: string,
  rev: number,
  keys: KeyProtector,
  intern: (text: string) => string = (text) => text,
): ParseResult {
  const sealed = { primary: raw.primaryKey, secondary: raw.secondaryKey };
  if (typeof sealed.primary !== 'string' || typeof sealed.secondary !== 'string' || !isSealed(sealed.primary) || !isSealed(sealed.secondary)) {
    return subscriptionWithPlaintext(raw, row, rev, keys);
  }
  // The index keeps sealed keys as bytes: only the exact sealed form is accepted.
  if (!sealedParts(sealed.primary) || !sealedParts(sealed.secondary)) return { error: `${row}: ${new KeyDecryptionError().message}` };
  const checked = subscriptionFieldsSchema.safeParse(raw);
  if (!checked.success) return invalid(row, checked.error);
  const fields: SubscriptionProperties = { ...checked.data, scope: internScope(checked.data.scope, intern), ownerId: checked.data.ownerId && intern(checked.data.ownerId) };
  const keysSealed = { primary: sealed.primary, secondary: sealed.secondary };
  const lookup = storedLookup(raw.keyLookup);
  if (lookup) {
    const authentic = isDigestText(lookup.primary) && isDigestText(lookup.secondary) && safeEqual(keys.tag(lookupText(fields.id, keysSealed, lookup)), lookup.tag);
    if (!authentic) return { error: `${row}: ${new KeyLookupError().message}` };
    return { record: { kind: 'subscription', value: new SealedSubscription(fields, keysSealed, { primary: lookup.primary, secondary: lookup.secondary }, keys) }, rev };
  }
  // Written before lookup digests were stored: open (which checks the binding) and hash each key once.
  const opened = openKeys(keysSealed, fields.id, keys);
  if ('error' in opened) return { error: `${row}: ${opened.error}` };
  const full = subscriptionSchema.safeParse({ ...raw, primaryKey: opened.primary, secondaryKey: opened.secondary });
  if (!full.success) return invalid(row, full.error);
  const digests = { primary: digestToText(keys.digest(opened.primary)), secondary: digestToText(keys.digest(opened.secondary)) };
  return { record: { kind: 'subscription', value: new SealedSubscription(fields, keysSealed, digests, keys) }, rev, withoutLookup: true };
}

/** A subscription with at least one key in plaintext: its sealed key (if any) opened, the record kept plain. */
function subscriptionWithPlaintext(raw: Record<string, unknown>, row: string, rev: number, keys: KeyProtector): ParseResult {
  const value = { ...raw };
  let plaintextKeys = false;
  for (const slot of ['primary', 'secondary'] as const) {
    const key = value[`${slot}Key`];
    if (typeof key !== 'string') continue;
    if (!isSealed(key)) {
      plaintextKeys = true;
      continue;
    }
    try {
      value[`${slot}Key`] = keys.open(key, keyContext(String(value.id), slot));
    } catch (error) {
      return { error: `${row}: ${(error as Error).message}` };
    }
  }
  const parsed = subscriptionSchema.safeParse(value);
  if (!parsed.success) return invalid(row, parsed.error);
  const result: StoredRecord = { record: { kind: 'subscription', value: parsed.data }, rev };
  if (plaintextKeys) result.plaintextKeys = true;
  return result;
}

function openKeys(sealed: KeyLookup, id: string, keys: KeyProtector): KeyLookup | { error: string } {
  try {
    return { primary: keys.open(sealed.primary, keyContext(id, 'primary')), secondary: keys.open(sealed.secondary, keyContext(id, 'secondary')) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

function internScope(scope: Subscription['scope'], intern: (text: string) => string): Subscription['scope'] {
  // Interning returns an equal string: still the same scope.
  return intern(scope) as Subscription['scope'];
}
