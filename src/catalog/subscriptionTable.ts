import type { KeyMatch } from './catalogIndex';
import type { Subscription } from './records';
import { safeEqual, sealedParts, sealedText, type KeyProtector } from './keyProtector';
import { SealedSubscription, type KeyLookup } from './tableCodec';

/**
 * The subscriptions of a catalog index, held so that 100,000 of them cost the
 * V8 heap little: each is one small object on the heap (id, scope and state,
 * what the gateway reads), and everything else lives in typed arrays and a
 * byte arena outside it: the key digests in an open-addressing table, and per
 * subscription its sealed keys, its digests and its other properties, read
 * through the object's accessors when someone asks (management, not the gateway).
 *
 * Why outside: V8 lets the old generation grow to a multiple of the live heap
 * before collecting it, so every megabyte of index on the heap allows several
 * megabytes of garbage under load. Bytes in array buffers are not part of that
 * multiple.
 *
 * Plain records (keys in plaintext: tests, and rows written before sealing
 * until the store seals them) are kept as they are, with their digests indexed
 * the same way.
 */

/** A subscription's properties kept in the arena: all but id, scope, state and the keys. */
type ColdFields = Pick<Subscription, 'displayName' | 'ownerId' | 'createdDate' | 'startDate' | 'expirationDate' | 'endDate' | 'notificationDate' | 'stateComment' | 'allowTracing'>;
const COLD_FIELDS = ['displayName', 'ownerId', 'createdDate', 'startDate', 'expirationDate', 'endDate', 'notificationDate', 'stateComment', 'allowTracing'] as const;

/**
 * The heap object of a sealed subscription: the record the index hands out,
 * to the gateway and to management alike. Id, scope and state (what the
 * gateway reads) are fields; the other properties, keys included, are read
 * from the table on each access (own, enumerable accessors: spreading,
 * comparing or serializing one works as for a plain record). A key is opened
 * only when read.
 */
class IndexedSubscription implements Subscription {
  readonly id: string;
  readonly scope: Subscription['scope'];
  readonly state: Subscription['state'];
  declare readonly displayName: Subscription['displayName'];
  declare readonly ownerId: Subscription['ownerId'];
  declare readonly createdDate: Subscription['createdDate'];
  declare readonly startDate: Subscription['startDate'];
  declare readonly expirationDate: Subscription['expirationDate'];
  declare readonly endDate: Subscription['endDate'];
  declare readonly notificationDate: Subscription['notificationDate'];
  declare readonly stateComment: Subscription['stateComment'];
  declare readonly allowTracing: Subscription['allowTracing'];
  declare readonly primaryKey: string;
  declare readonly secondaryKey: string;
  readonly #table: SubscriptionTable;
  readonly #slot: number;
  /** The record as it was, once the table no longer holds it (someone may still hold this object). */
  #detached: SealedSubscription | undefined;

  /**
   * The accessors, defined on each instance with the same getters: own and
   * enumerable like a plain record's properties, one hidden class for all.
   */
  static readonly #accessors: readonly [string, PropertyDescriptor][] = [
    ...COLD_FIELDS.map((field): [string, PropertyDescriptor] => [
      field,
      {
        enumerable: true,
        get(this: IndexedSubscription) {
          return this.#detached ? this.#detached[field] : this.#table.coldFields(this.#slot)[field];
        },
      },
    ]),
    ...(['primary', 'secondary'] as const).map((which): [string, PropertyDescriptor] => [
      `${which}Key`,
      {
        enumerable: true,
        get(this: IndexedSubscription): string {
          return this.#detached ? this.#detached[`${which}Key`] : this.#table.openKey(this.#slot, which, this.id);
        },
      },
    ]),
  ];

  constructor(fields: Pick<Subscription, 'id' | 'scope' | 'state'>, table: SubscriptionTable, slot: number) {
    this.id = fields.id;
    this.scope = fields.scope;
    this.state = fields.state;
    this.#table = table;
    this.#slot = slot;
    this.#detached = undefined;
    // One call per property: measurably cheaper than one defineProperties for 100,000 objects.
    for (const [name, accessor] of IndexedSubscription.#accessors) Object.defineProperty(this, name, accessor);
  }

  /** Called by the table before it frees this object's slot: from then on the object reads its own copy. */
  detach(): void {
    this.#detached = this.#table.materialize(this.#slot);
  }
}

const DIGEST_BYTES = 16;
const DIGEST_WORDS = DIGEST_BYTES / 4;

/**
 * Digests of keys to (slot, which key), in typed arrays: open addressing with
 * linear probing over 16-byte digests, which are uniformly distributed (HMAC
 * output), so their first word is the hash. About 26 bytes a key at most load,
 * against ~70 for a Map entry and a digest string.
 */
class DigestTable {
  /** Grown before this load; linear probing stays short well past it for random keys. */
  private static readonly MAX_LOAD = 0.8;
  private capacity = 1024;
  private words = new Uint32Array(this.capacity * DIGEST_WORDS);
  /** 0 = empty, else `(slot << 1 | which) + 1`, which 0 = primary, 1 = secondary. */
  private values = new Int32Array(this.capacity);
  private size = 0;
  /** The digest being looked for, as words: one array for every lookup. */
  private readonly probe = new Uint32Array(DIGEST_WORDS);

  /** The value stored for `digest` (as `KeyProtector.digest` gives it: 16 one-byte characters), or 0. */
  get(digest: string): number {
    if (digest.length !== DIGEST_BYTES) return 0;
    for (let w = 0; w < DIGEST_WORDS; w++) {
      const i = w * 4;
      this.probe[w] = digest.charCodeAt(i) | (digest.charCodeAt(i + 1) << 8) | (digest.charCodeAt(i + 2) << 16) | (digest.charCodeAt(i + 3) << 24);
    }
    const bucket = this.find(this.probe);
    return bucket < 0 ? 0 : (this.values[bucket] as number);
  }

  /** Maps the digest in `bytes` at `at` to `value`. */
  set(bytes: Buffer, at: number, value: number): void {
    this.probeFrom(bytes, at);
    const found = this.find(this.probe);
    if (found >= 0) {
      this.values[found] = value;
      return;
    }
    if ((this.size + 1) / this.capacity > DigestTable.MAX_LOAD) this.grow();
    this.insert(this.probe, 0, value);
  }

  /** Removes the digest in `bytes` at `at` if it maps to `value` (a digest another subscription took over is left alone). */
  delete(bytes: Buffer, at: number, value: number): void {
    this.probeFrom(bytes, at);
    const bucket = this.find(this.probe);
    if (bucket < 0 || this.values[bucket] !== value) return;
    this.removeAt(bucket);
  }

  clear(): void {
    this.capacity = 1024;
    this.words = new Uint32Array(this.capacity * DIGEST_WORDS);
    this.values = new Int32Array(this.capacity);
    this.size = 0;
  }

  /** The same words as `get` makes of the same 16 bytes as a string. */
  private probeFrom(bytes: Buffer, at: number): void {
    for (let w = 0; w < DIGEST_WORDS; w++) this.probe[w] = bytes.readUInt32LE(at + w * 4);
  }

  /**
   * The bucket holding `digest`, or -1. Each candidate is compared on all 16
   * bytes at once, without stopping at the first difference.
   */
  private find(digest: Uint32Array): number {
    const mask = this.capacity - 1;
    const words = this.words;
    const d0 = digest[0] as number;
    const d1 = digest[1] as number;
    const d2 = digest[2] as number;
    const d3 = digest[3] as number;
    for (let bucket = d0 & mask; ; bucket = (bucket + 1) & mask) {
      if (this.values[bucket] === 0) return -1;
      const at = bucket * DIGEST_WORDS;
      const diff = ((words[at] as number) ^ d0) | ((words[at + 1] as number) ^ d1) | ((words[at + 2] as number) ^ d2) | ((words[at + 3] as number) ^ d3);
      if (diff === 0) return bucket;
    }
  }

  /** Puts the digest at `digest[at..at+4]` in its first free bucket. */
  private insert(digest: Uint32Array, at: number, value: number): void {
    const mask = this.capacity - 1;
    let bucket = (digest[at] as number) & mask;
    while (this.values[bucket] !== 0) bucket = (bucket + 1) & mask;
    const to = bucket * DIGEST_WORDS;
    for (let w = 0; w < DIGEST_WORDS; w++) this.words[to + w] = digest[at + w] as number;
    this.values[bucket] = value;
    this.size++;
  }

  /** Backward-shift deletion: later entries of the run move up, so no tombstones are needed. */
  private removeAt(bucket: number): void {
    const mask = this.capacity - 1;
    let hole = bucket;
    for (let next = (hole + 1) & mask; this.values[next] !== 0; next = (next + 1) & mask) {
      const home = (this.words[next * DIGEST_WORDS] as number) & mask;
      // The entry at `next` may fill the hole only if its home is not within (hole, next].
      const between = hole <= next ? home > hole && home <= next : home > hole || home <= next;
      if (between) continue;
      this.words.copyWithin(hole * DIGEST_WORDS, next * DIGEST_WORDS, (next + 1) * DIGEST_WORDS);
      this.values[hole] = this.values[next] as number;
      hole = next;
    }
    this.values[hole] = 0;
    this.size--;
  }

  private grow(): void {
    const { words, values, capacity } = this;
    this.capacity = capacity * 2;
    this.words = new Uint32Array(this.capacity * DIGEST_WORDS);
    this.values = new Int32Array(this.capacity);
    this.size = 0;
    for (let bucket = 0; bucket < capacity; bucket++) {
      if (values[bucket] !== 0) this.insert(words, bucket * DIGEST_WORDS, values[bucket] as number);
    }
  }
}

/**
 * Variable-length records in fixed-size chunks (a record never spans two),
 * addressed by `chunk * CHUNK_BYTES + position`: growing never copies, and
 * nothing large is left behind for the garbage collector. Replaced and
 * removed records leave garbage, reclaimed by the owner's compaction.
 */
class ByteArena {
  static readonly CHUNK_BYTES = 1 << 20;
  private readonly chunks: Buffer[] = [];
  private used = ByteArena.CHUNK_BYTES;
  garbage = 0;
  live = 0;

  /** Reserves `length` bytes; returns their address. */
  allocate(length: number): number {
    if (length > ByteArena.CHUNK_BYTES) throw new Error('a subscription record is larger than an arena chunk');
    if (this.used + length > ByteArena.CHUNK_BYTES) {
      this.chunks.push(Buffer.allocUnsafeSlow(ByteArena.CHUNK_BYTES));
      this.used = 0;
    }
    const address = (this.chunks.length - 1) * ByteArena.CHUNK_BYTES + this.used;
    this.used += length;
    this.live += length;
    return address;
  }

  free(length: number): void {
    this.live -= length;
    this.garbage += length;
  }

  /** The chunk holding `address`; the record starts at `position(address)` in it. */
  chunk(address: number): Buffer {
    return this.chunks[Math.floor(address / ByteArena.CHUNK_BYTES)] as Buffer;
  }

  position(address: number): number {
    return address % ByteArena.CHUNK_BYTES;
  }
}

/** Which of the two keys, in the digest table's values. */
const PRIMARY = 0;
const SECONDARY = 1;
const encodeValue = (slot: number, which: number) => slot * 2 + which + 1;

/**
 * A subscription's record in the arena: the byte lengths of its two sealed keys
 * (2 bytes each), the sealed keys (IV, ciphertext, tag: `sealedParts`), both
 * digests (16 bytes each), then its other properties as JSON. A plain record's
 * has no sealed keys and no JSON: its object holds everything.
 */
const HEADER_BYTES = 4;

/** The cold properties as JSON, in `COLD_FIELDS` order; 0 = absent (undefined), 1 = the same as createdDate. */
function coldText(subscription: Subscription): string {
  return JSON.stringify(
    COLD_FIELDS.map((field) => {
      const value = subscription[field];
      if (value === undefined) return 0;
      if (field === 'startDate' && value === subscription.createdDate) return 1;
      return value;
    }),
  );
}

function parseColdText(text: string): ColdFields {
  const values = JSON.parse(text) as unknown[];
  const fields: Record<string, unknown> = {};
  COLD_FIELDS.forEach((field, i) => {
    const value = values[i];
    fields[field] = value === 0 ? undefined : value;
  });
  if (fields.startDate === 1) fields.startDate = fields.createdDate;
  return fields as unknown as ColdFields;
}

export class SubscriptionTable {
  private readonly slotById = new Map<string, number>();
  /** By slot: the heap object of a sealed subscription, or a plain record. */
  private objects: (Subscription | undefined)[] = [];
  private readonly freeSlots: number[] = [];
  /** By slot: where its record is in the arena, how long it is, and its revision (NaN until the store sets it). */
  private addresses = new Float64Array(1024);
  private lengths = new Uint32Array(1024);
  private revisions = new Float64Array(1024);
  private arena = new ByteArena();
  private readonly digests = new DigestTable();

  constructor(private readonly digest: (key: string) => string) {}

  get size(): number {
    return this.slotById.size;
  }

  // ---- reads ------------------------------------------------------------------

  /**
   * The subscription owning `key`, found by its digest. A sealed subscription
   * holds no plaintext: the 128-bit keyed digest is the comparison. A plain
   * record's key is also compared itself, in constant time.
   */
  byKey(key: string): KeyMatch | undefined {
    const value = this.digests.get(this.digest(key));
    if (value === 0) return undefined;
    const slot = (value - 1) >> 1;
    const which = ((value - 1) & 1) === PRIMARY ? 'primary' : 'secondary';
    const subscription = this.objects[slot] as Subscription;
    if (!(subscription instanceof IndexedSubscription) && !safeEqual(which === 'primary' ? subscription.primaryKey : subscription.secondaryKey, key)) return undefined;
    return { subscription, which };
  }

  /** The record of `id` (see `IndexedSubscription`), or the plain record as it was put. */
  get(id: string): Subscription | undefined {
    const slot = this.slotById.get(id);
    return slot === undefined ? undefined : this.objects[slot];
  }

  list(): Subscription[] {
    return [...this.slotById.values()].map((slot) => this.objects[slot] as Subscription);
  }

  /** The catalog version `id` was last written at (its ETag), once the store has said (`setRevision`). */
  revision(id: string): number | undefined {
    const slot = this.slotById.get(id);
    const revision = slot === undefined ? NaN : (this.revisions[slot] as number);
    return Number.isNaN(revision) ? undefined : revision;
  }

  setRevision(id: string, revision: number): void {
    const slot = this.slotById.get(id);
    if (slot !== undefined) this.revisions[slot] = revision;
  }

  /**
   * The cold properties of the sealed subscription at `slot`. The last one read
   * is kept: reading a record's properties one after the other (a spread)
   * parses its JSON once.
   */
  coldFields(slot: number): ColdFields {
    const cached = this.lastCold;
    if (cached?.slot === slot) return cached.fields;
    const address = this.addresses[slot] as number;
    const bytes = this.arena.chunk(address);
    const start = this.arena.position(address);
    const coldAt = start + HEADER_BYTES + bytes.readUInt16LE(start) + bytes.readUInt16LE(start + 2) + 2 * DIGEST_BYTES;
    const fields = parseColdText(bytes.toString('utf8', coldAt, start + (this.lengths[slot] as number)));
    this.lastCold = { slot, fields };
    return fields;
  }

  /** One key of the sealed subscription at `slot`, opened. */
  openKey(slot: number, which: 'primary' | 'secondary', id: string): string {
    const protector = this.keysOf;
    if (!protector) throw new Error('no key protector for a sealed subscription');
    const address = this.addresses[slot] as number;
    const bytes = this.arena.chunk(address);
    const start = this.arena.position(address);
    const primaryAt = start + HEADER_BYTES;
    const secondaryAt = primaryAt + bytes.readUInt16LE(start);
    const end = secondaryAt + bytes.readUInt16LE(start + 2);
    const sealed = which === 'primary' ? sealedText(bytes, primaryAt, secondaryAt) : sealedText(bytes, secondaryAt, end);
    return protector.open(sealed, `subscription:${id}:${which}`);
  }

  /** The whole sealed record at `slot`, as the codec's `SealedSubscription`. */
  materialize(slot: number): SealedSubscription {
    const object = this.objects[slot] as Subscription;
    const protector = this.keysOf;
    if (!protector) throw new Error('no key protector for a sealed subscription');
    const address = this.addresses[slot] as number;
    const bytes = this.arena.chunk(address);
    const start = this.arena.position(address);
    const primaryLength = bytes.readUInt16LE(start);
    const secondaryLength = bytes.readUInt16LE(start + 2);
    const primaryAt = start + HEADER_BYTES;
    const secondaryAt = primaryAt + primaryLength;
    const digestsAt = secondaryAt + secondaryLength;
    const coldAt = digestsAt + 2 * DIGEST_BYTES;
    const sealed = { primary: sealedText(bytes, primaryAt, secondaryAt), secondary: sealedText(bytes, secondaryAt, digestsAt) };
    const lookup = { primary: bytes.toString('base64url', digestsAt, digestsAt + DIGEST_BYTES), secondary: bytes.toString('base64url', digestsAt + DIGEST_BYTES, coldAt) };
    const cold = parseColdText(bytes.toString('utf8', coldAt, start + (this.lengths[slot] as number)));
    return new SealedSubscription({ id: object.id, scope: object.scope, state: object.state, ...cold }, sealed, lookup, protector);
  }

  // ---- changes ----------------------------------------------------------------

  put(subscription: Subscription): void {
    this.delete(subscription.id);
    this.lastCold = undefined;
    const slot = this.freeSlots.pop() ?? this.newSlot();
    const parts = SealedSubscription.partsOf(subscription);
    // Records made from the table are opened with one protector: a subscription sealed with another stays whole.
    if (parts && (this.keysOf ?? parts.keys) === parts.keys) {
      this.keysOf = parts.keys;
      this.writeSealed(slot, parts.sealed, parts.lookup, coldText(subscription));
      this.objects[slot] = new IndexedSubscription(subscription, this, slot);
    } else {
      // A plain record, or (never in a store) one sealed with another protector: kept whole, keys readable.
      const record = parts ? { ...subscription, primaryKey: subscription.primaryKey, secondaryKey: subscription.secondaryKey } : subscription;
      this.writePlain(slot, { primary: this.digest(record.primaryKey), secondary: this.digest(record.secondaryKey) });
      this.objects[slot] = record;
    }
    this.revisions[slot] = NaN;
    this.slotById.set(subscription.id, slot);
    const { bytes, digestsAt } = this.digestsOf(slot);
    this.digests.set(bytes, digestsAt, encodeValue(slot, PRIMARY));
    this.digests.set(bytes, digestsAt + DIGEST_BYTES, encodeValue(slot, SECONDARY));
  }

  delete(id: string): void {
    const slot = this.slotById.get(id);
    if (slot === undefined) return;
    const object = this.objects[slot];
    if (object instanceof IndexedSubscription) object.detach();
    const { bytes, digestsAt } = this.digestsOf(slot);
    this.digests.delete(bytes, digestsAt, encodeValue(slot, PRIMARY));
    this.digests.delete(bytes, digestsAt + DIGEST_BYTES, encodeValue(slot, SECONDARY));
    this.slotById.delete(id);
    this.objects[slot] = undefined;
    this.lastCold = undefined;
    this.arena.free(this.lengths[slot] as number);
    this.lengths[slot] = 0;
    this.freeSlots.push(slot);
    if (this.arena.garbage > ByteArena.CHUNK_BYTES && this.arena.garbage > this.arena.live) this.compact();
  }

  clear(): void {
    this.slotById.clear();
    this.objects = [];
    this.freeSlots.length = 0;
    this.addresses = new Float64Array(1024);
    this.lengths = new Uint32Array(1024);
    this.revisions = new Float64Array(1024);
    this.arena = new ByteArena();
    this.digests.clear();
    this.lastCold = undefined;
  }

  // ---- internals --------------------------------------------------------------

  /** The protector that sealed the subscriptions held (one per store), for opening their keys. */
  private keysOf: KeyProtector | undefined;
  /** See `coldFields`. */
  private lastCold: { slot: number; fields: ColdFields } | undefined;

  private newSlot(): number {
    const slot = this.objects.length;
    this.objects.push(undefined);
    if (slot >= this.addresses.length) {
      const capacity = this.addresses.length * 2;
      this.addresses = grown(this.addresses, new Float64Array(capacity));
      this.lengths = grown(this.lengths, new Uint32Array(capacity));
      this.revisions = grown(this.revisions, new Float64Array(capacity));
    }
    return slot;
  }

  /** Writes a sealed subscription's record (see `HEADER_BYTES`): sealed keys and digests decoded from their stored text. */
  private writeSealed(slot: number, sealed: KeyLookup, lookup: KeyLookup, cold: string): void {
    const primary = sealedParts(sealed.primary);
    const secondary = sealedParts(sealed.secondary);
    if (!primary || !secondary) throw new Error('a sealed key does not have the sealed form');
    const primaryLength = Buffer.byteLength(primary.iv, 'base64url') + Buffer.byteLength(primary.data, 'base64url');
    const secondaryLength = Buffer.byteLength(secondary.iv, 'base64url') + Buffer.byteLength(secondary.data, 'base64url');
    const length = HEADER_BYTES + primaryLength + secondaryLength + 2 * DIGEST_BYTES + Buffer.byteLength(cold, 'utf8');
    const { bytes, start } = this.allocate(slot, length);
    bytes.writeUInt16LE(primaryLength, start);
    bytes.writeUInt16LE(secondaryLength, start + 2);
    let at = start + HEADER_BYTES;
    for (const part of [primary.iv, primary.data, secondary.iv, secondary.data, lookup.primary, lookup.secondary]) at += bytes.write(part, at, 'base64url');
    bytes.write(cold, at, 'utf8');
  }

  /** A plain record's: its two digests (`KeyProtector.digest` strings). */
  private writePlain(slot: number, lookup: KeyLookup): void {
    const { bytes, start } = this.allocate(slot, HEADER_BYTES + 2 * DIGEST_BYTES);
    bytes.writeUInt32LE(0, start);
    bytes.write(lookup.primary, start + HEADER_BYTES, 'latin1');
    bytes.write(lookup.secondary, start + HEADER_BYTES + DIGEST_BYTES, 'latin1');
  }

  private allocate(slot: number, length: number): { bytes: Buffer; start: number } {
    const address = this.arena.allocate(length);
    this.addresses[slot] = address;
    this.lengths[slot] = length;
    return { bytes: this.arena.chunk(address), start: this.arena.position(address) };
  }

  /** Where the two digests of `slot`'s record are. */
  private digestsOf(slot: number): { bytes: Buffer; digestsAt: number } {
    const address = this.addresses[slot] as number;
    const bytes = this.arena.chunk(address);
    const start = this.arena.position(address);
    return { bytes, digestsAt: start + HEADER_BYTES + bytes.readUInt16LE(start) + bytes.readUInt16LE(start + 2) };
  }

  /** Copies the live records into fresh chunks, leaving the garbage behind. */
  private compact(): void {
    const old = this.arena;
    this.arena = new ByteArena();
    for (const slot of this.slotById.values()) {
      const address = old.chunk(this.addresses[slot] as number);
      const from = old.position(this.addresses[slot] as number);
      const length = this.lengths[slot] as number;
      const { bytes, start } = this.allocate(slot, length);
      address.copy(bytes, start, from, from + length);
    }
  }
}

function grown<T extends Uint32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
