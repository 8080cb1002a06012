import { ARENA_PROPERTIES, ArenaRecord, writePlainRecord, writeSealedRecord, type ArenaProperties, type HeapProperties, type Placement } from './arenaRecord';
import { ByteArena } from './byteArena';
import { DigestTable } from './digestTable';
import { safeEqual, type KeyProtector } from './keyProtector';
import type { Subscription } from './records';
import { KEY_SLOTS, recordClass, type KeySlot } from './subscriptionFields';
import { keyContext, SealedSubscription } from './tableCodec';

/**
 * The subscriptions of a catalog index, held so that 100,000 of them cost the
 * V8 heap little: each is one small object on the heap (id, scope and state,
 * what the gateway reads), and everything else lives in typed arrays and a
 * byte arena outside it: the key digests in a `DigestTable`, and per
 * subscription an `ArenaRecord` with its sealed keys, its digests and its other
 * properties, read through the object's accessors when someone asks
 * (management, not the gateway).
 *
 * Why outside: V8 lets the old generation grow to a multiple of the live heap
 * before collecting it, and bytes in array buffers are not part of that
 * multiple (scale bench, 100,000 subscriptions: RSS after load ~184 MB, against
 * ~373 MB with the records on the heap).
 *
 * Plain records (keys in plaintext: tests, and rows written before sealing
 * until the store seals them) are kept as they are, with their digests indexed
 * the same way.
 */

/** The subscription owning a key, and which of its keys it is. */
export interface KeyMatch {
  subscription: Subscription;
  which: KeySlot;
}

/**
 * The heap object of a sealed subscription: the record the index hands out,
 * to the gateway and to management alike. Id, scope and state (what the
 * gateway reads) are fields; the other properties, keys included, are read
 * from the table on each access (own, enumerable accessors: spreading,
 * comparing or serializing one works as for a plain record). A key is opened
 * only when read.
 */
class IndexedSubscription extends recordClass<Readonly<Subscription>>() {
  readonly #table: SubscriptionTable;
  readonly #slot: number;
  /** The record as it was, once the table no longer holds it (someone may still hold this object). */
  #detached: SealedSubscription | undefined;

  /**
   * The accessors, defined on each instance with the same getters: own and
   * enumerable like a plain record's properties, one hidden class for all.
   */
  static readonly #accessors: readonly [string, PropertyDescriptor][] = [
    ...ARENA_PROPERTIES.map((name): [string, PropertyDescriptor] => [
      name,
      {
        enumerable: true,
        get(this: IndexedSubscription) {
          return this.#detached ? this.#detached[name] : this.#table.arenaProperties(this.#slot)[name];
        },
      },
    ]),
    ...KEY_SLOTS.map((which): [string, PropertyDescriptor] => [
      `${which}Key`,
      {
        enumerable: true,
        get(this: IndexedSubscription): string {
          return this.#detached ? this.#detached[`${which}Key`] : this.#table.openKey(this.#slot, which, this.id);
        },
      },
    ]),
  ];

  constructor(heap: HeapProperties, table: SubscriptionTable, slot: number) {
    super();
    const own = this as Record<keyof HeapProperties, unknown>;
    own.id = heap.id;
    own.scope = heap.scope;
    own.state = heap.state;
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

/** A key in the digest table's values: slot and which key, never 0. */
const keyEntry = (slot: number, which: KeySlot) => slot * 2 + (which === 'primary' ? 0 : 1) + 1;
const slotOfEntry = (entry: number) => (entry - 1) >> 1;
const whichOfEntry = (entry: number): KeySlot => (((entry - 1) & 1) === 0 ? 'primary' : 'secondary');

const INITIAL_SLOTS = 1024;

export class SubscriptionTable {
  private readonly slotById = new Map<string, number>();
  /** By slot: the heap object of a sealed subscription, or a plain record. */
  private subscriptionsBySlot: (Subscription | undefined)[] = [];
  private readonly freeSlots: number[] = [];
  /** By slot: where its record is in the arena. */
  private recordAddresses = new Float64Array(INITIAL_SLOTS);
  /** By slot: its record's length in bytes. */
  private recordLengths = new Uint32Array(INITIAL_SLOTS);
  /** By slot: the catalog version it was last written at (NaN until the store sets it). */
  private revisions = new Float64Array(INITIAL_SLOTS);
  private arena = new ByteArena();
  /** Digests of every key held, to `keyEntry(slot, which)`. */
  private readonly keyDigests = new DigestTable();
  /** The protector that sealed the subscriptions held (one per store), for opening their keys. */
  private protector: KeyProtector | undefined;
  /** The arena properties last read: reading a record's properties one after the other (a spread) parses its JSON once. */
  private lastRead: { slot: number; properties: ArenaProperties } | undefined;

  constructor(private readonly digestOf: (key: string) => string) {}

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
    const entry = this.keyDigests.get(this.digestOf(key));
    if (entry === 0) return undefined;
    const which = whichOfEntry(entry);
    const subscription = this.subscriptionsBySlot[slotOfEntry(entry)] as Subscription;
    if (!(subscription instanceof IndexedSubscription) && !safeEqual(subscription[`${which}Key`], key)) return undefined;
    return { subscription, which };
  }

  /** The record of `id` (see `IndexedSubscription`), or the plain record as it was put. */
  get(id: string): Subscription | undefined {
    const slot = this.slotById.get(id);
    return slot === undefined ? undefined : this.subscriptionsBySlot[slot];
  }

  list(): Subscription[] {
    return [...this.slotById.values()].map((slot) => this.subscriptionsBySlot[slot] as Subscription);
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

  /** The arena properties of the sealed subscription at `slot`. */
  arenaProperties(slot: number): ArenaProperties {
    if (this.lastRead?.slot === slot) return this.lastRead.properties;
    const properties = this.recordAt(slot).properties();
    this.lastRead = { slot, properties };
    return properties;
  }

  /** One key of the sealed subscription at `slot`, opened. */
  openKey(slot: number, which: KeySlot, id: string): string {
    return this.openedBy().open(this.recordAt(slot).sealedKey(which), keyContext(id, which));
  }

  /** The whole sealed subscription at `slot`, as the codec's `SealedSubscription`. */
  materialize(slot: number): SealedSubscription {
    const { id, scope, state } = this.subscriptionsBySlot[slot] as Subscription;
    const record = this.recordAt(slot);
    const sealed = { primary: record.sealedKey('primary'), secondary: record.sealedKey('secondary') };
    const lookup = { primary: record.digestText('primary'), secondary: record.digestText('secondary') };
    return new SealedSubscription({ id, scope, state, ...record.properties() }, sealed, lookup, this.openedBy());
  }

  // ---- changes ----------------------------------------------------------------

  put(subscription: Subscription): void {
    this.delete(subscription.id);
    this.lastRead = undefined;
    const slot = this.freeSlots.pop() ?? this.newSlot();
    const parts = SealedSubscription.partsOf(subscription);
    // Records made from the table are opened with one protector: a subscription sealed with another stays whole.
    if (parts && (this.protector ?? parts.keys) === parts.keys) {
      this.protector = parts.keys;
      this.place(slot, writeSealedRecord(this.arena, parts.sealed, parts.lookup, subscription));
      this.subscriptionsBySlot[slot] = new IndexedSubscription(subscription, this, slot);
    } else {
      // A plain record, or (never in a store) one sealed with another protector: kept whole, keys readable.
      const record = parts ? { ...subscription, primaryKey: subscription.primaryKey, secondaryKey: subscription.secondaryKey } : subscription;
      this.place(slot, writePlainRecord(this.arena, { primary: this.digestOf(record.primaryKey), secondary: this.digestOf(record.secondaryKey) }));
      this.subscriptionsBySlot[slot] = record;
    }
    this.revisions[slot] = NaN;
    this.slotById.set(subscription.id, slot);
    const record = this.recordAt(slot);
    for (const which of KEY_SLOTS) this.keyDigests.set(record.bytes, record.digestAt(which), keyEntry(slot, which));
  }

  delete(id: string): void {
    const slot = this.slotById.get(id);
    if (slot === undefined) return;
    const subscription = this.subscriptionsBySlot[slot];
    if (subscription instanceof IndexedSubscription) subscription.detach();
    const record = this.recordAt(slot);
    for (const which of KEY_SLOTS) this.keyDigests.delete(record.bytes, record.digestAt(which), keyEntry(slot, which));
    this.slotById.delete(id);
    this.subscriptionsBySlot[slot] = undefined;
    this.lastRead = undefined;
    this.arena.free(this.recordLengths[slot] as number);
    this.recordLengths[slot] = 0;
    this.freeSlots.push(slot);
    if (this.arena.wasteful) this.compact();
  }

  clear(): void {
    this.slotById.clear();
    this.subscriptionsBySlot = [];
    this.freeSlots.length = 0;
    this.recordAddresses = new Float64Array(INITIAL_SLOTS);
    this.recordLengths = new Uint32Array(INITIAL_SLOTS);
    this.revisions = new Float64Array(INITIAL_SLOTS);
    this.arena = new ByteArena();
    this.keyDigests.clear();
    this.lastRead = undefined;
  }

  // ---- internals --------------------------------------------------------------

  private openedBy(): KeyProtector {
    if (!this.protector) throw new Error('no key protector for a sealed subscription');
    return this.protector;
  }

  private recordAt(slot: number): ArenaRecord {
    return new ArenaRecord(this.arena, { address: this.recordAddresses[slot] as number, length: this.recordLengths[slot] as number });
  }

  private place(slot: number, { address, length }: Placement): void {
    this.recordAddresses[slot] = address;
    this.recordLengths[slot] = length;
  }

  private newSlot(): number {
    const slot = this.subscriptionsBySlot.length;
    this.subscriptionsBySlot.push(undefined);
    if (slot >= this.recordAddresses.length) {
      const capacity = this.recordAddresses.length * 2;
      this.recordAddresses = grown(this.recordAddresses, new Float64Array(capacity));
      this.recordLengths = grown(this.recordLengths, new Uint32Array(capacity));
      this.revisions = grown(this.revisions, new Float64Array(capacity));
    }
    return slot;
  }

  /** Copies the live records into fresh chunks, leaving the garbage behind. */
  private compact(): void {
    const old = this.arena;
    this.arena = new ByteArena();
    for (const slot of this.slotById.values()) {
      const from = this.recordAddresses[slot] as number;
      const length = this.recordLengths[slot] as number;
      const to = this.arena.allocate(length);
      const start = old.position(from);
      old.chunk(from).copy(this.arena.chunk(to), this.arena.position(to), start, start + length);
      this.recordAddresses[slot] = to;
    }
  }
}

function grown<T extends Uint32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
