import type { ByteArena } from './byteArena';
import { DIGEST_BYTES } from './digestTable';
import { sealedParts, sealedText } from './keyProtector';
import type { Subscription } from './records';
import { PROPERTY_NAMES, type KeySlot, type PropertyName } from './subscriptionFields';
import type { KeyLookup } from './tableCodec';

/**
 * A subscription's record in the subscription table's arena, the one place
 * that knows its bytes:
 *
 *     2 bytes   length of the sealed primary key (uint16 LE)
 *     2 bytes   length of the sealed secondary key
 *     ...       the sealed primary key, then the secondary (IV, ciphertext, tag: `sealedParts`)
 *    16 bytes   the primary key's digest
 *    16 bytes   the secondary key's digest
 *     ...       the arena properties as JSON (`propertiesText`)
 *
 * A plain record (keys in plaintext, held whole by its heap object) has
 * sealed keys of length 0 and no JSON.
 */

const HEADER_BYTES = 4;

/** The properties a sealed subscription's heap object holds: what the gateway reads. */
export const HEAP_PROPERTIES = ['id', 'scope', 'state'] as const;
export type HeapProperties = Pick<Subscription, (typeof HEAP_PROPERTIES)[number]>;

/** The other properties (keys aside), kept in the arena. */
type ArenaPropertyName = Exclude<PropertyName, keyof HeapProperties>;
export type ArenaProperties = Pick<Subscription, ArenaPropertyName>;
export const ARENA_PROPERTIES = PROPERTY_NAMES.filter((name): name is ArenaPropertyName => !(HEAP_PROPERTIES as readonly string[]).includes(name));

/** Where a record was written. */
export interface Placement {
  address: number;
  length: number;
}

/** Writes a sealed subscription's record: its sealed keys and digests (as stored: `enc1.…` and base64url) and its arena properties. */
export function writeSealedRecord(arena: ByteArena, sealed: KeyLookup, lookup: KeyLookup, properties: ArenaProperties): Placement {
  const primary = sealedParts(sealed.primary);
  const secondary = sealedParts(sealed.secondary);
  if (!primary || !secondary) throw new Error('a sealed key does not have the sealed form');
  const primaryLength = Buffer.byteLength(primary.iv, 'base64url') + Buffer.byteLength(primary.data, 'base64url');
  const secondaryLength = Buffer.byteLength(secondary.iv, 'base64url') + Buffer.byteLength(secondary.data, 'base64url');
  const json = propertiesText(properties);
  const length = HEADER_BYTES + primaryLength + secondaryLength + 2 * DIGEST_BYTES + Buffer.byteLength(json, 'utf8');
  const address = arena.allocate(length);
  const bytes = arena.chunk(address);
  const start = arena.position(address);
  bytes.writeUInt16LE(primaryLength, start);
  bytes.writeUInt16LE(secondaryLength, start + 2);
  let at = start + HEADER_BYTES;
  for (const part of [primary.iv, primary.data, secondary.iv, secondary.data, lookup.primary, lookup.secondary]) at += bytes.write(part, at, 'base64url');
  bytes.write(json, at, 'utf8');
  return { address, length };
}

/** Writes a plain record's: its two digests (`KeyProtector.digest` strings). */
export function writePlainRecord(arena: ByteArena, digests: KeyLookup): Placement {
  const length = HEADER_BYTES + 2 * DIGEST_BYTES;
  const address = arena.allocate(length);
  const bytes = arena.chunk(address);
  const start = arena.position(address);
  bytes.writeUInt32LE(0, start);
  bytes.write(digests.primary, start + HEADER_BYTES, 'latin1');
  bytes.write(digests.secondary, start + HEADER_BYTES + DIGEST_BYTES, 'latin1');
  return { address, length };
}

/** A record read back: where each of its parts is, in the chunk `bytes`. */
export class ArenaRecord {
  readonly bytes: Buffer;
  private readonly primaryAt: number;
  private readonly secondaryAt: number;
  private readonly digestsAt: number;
  private readonly propertiesAt: number;
  private readonly end: number;

  constructor(arena: ByteArena, { address, length }: Placement) {
    const bytes = arena.chunk(address);
    const start = arena.position(address);
    this.bytes = bytes;
    this.primaryAt = start + HEADER_BYTES;
    this.secondaryAt = this.primaryAt + bytes.readUInt16LE(start);
    this.digestsAt = this.secondaryAt + bytes.readUInt16LE(start + 2);
    this.propertiesAt = this.digestsAt + 2 * DIGEST_BYTES;
    this.end = start + length;
  }

  /** One key, sealed as stored (`enc1.…`). */
  sealedKey(slot: KeySlot): string {
    return slot === 'primary' ? sealedText(this.bytes, this.primaryAt, this.secondaryAt) : sealedText(this.bytes, this.secondaryAt, this.digestsAt);
  }

  /** Where in `bytes` the digest of one key is. */
  digestAt(slot: KeySlot): number {
    return slot === 'primary' ? this.digestsAt : this.digestsAt + DIGEST_BYTES;
  }

  /** One key's digest as stored (base64url, see `digestToText`). */
  digestText(slot: KeySlot): string {
    const at = this.digestAt(slot);
    return this.bytes.toString('base64url', at, at + DIGEST_BYTES);
  }

  properties(): ArenaProperties {
    return parsePropertiesText(this.bytes.toString('utf8', this.propertiesAt, this.end));
  }
}

/**
 * The arena properties as a JSON array, in `ARENA_PROPERTIES` order: 0 stands
 * for absent (undefined), and a start date equal to the creation date is 1.
 */
function propertiesText(properties: ArenaProperties): string {
  return JSON.stringify(
    ARENA_PROPERTIES.map((name) => {
      const value = properties[name];
      if (value === undefined) return 0;
      if (name === 'startDate' && value === properties.createdDate) return 1;
      return value;
    }),
  );
}

function parsePropertiesText(text: string): ArenaProperties {
  const values = JSON.parse(text) as unknown[];
  const properties: Record<string, unknown> = {};
  ARENA_PROPERTIES.forEach((name, i) => {
    const value = values[i];
    properties[name] = value === 0 ? undefined : value;
  });
  if (properties.startDate === 1) properties.startDate = properties.createdDate;
  return properties as ArenaProperties;
}
