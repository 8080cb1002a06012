/**
 * Variable-length records in fixed-size chunks (a record never spans two),
 * addressed by `chunk * CHUNK_BYTES + position`: growing never copies, and
 * nothing large is left behind for the garbage collector. Replaced and
 * removed records leave garbage, reclaimed by the owner's compaction.
 */
export class ByteArena {
  static readonly CHUNK_BYTES = 1 << 20;
  private readonly chunks: Buffer[] = [];
  /** Bytes taken in the last chunk (a full one at first, so the first record opens a chunk). */
  private usedInLastChunk = ByteArena.CHUNK_BYTES;
  /** Bytes of records freed since they were written. */
  garbage = 0;
  /** Bytes of records still held. */
  live = 0;

  /** Reserves `length` bytes; returns their address. */
  allocate(length: number): number {
    if (length > ByteArena.CHUNK_BYTES) throw new Error('a subscription record is larger than an arena chunk');
    if (this.usedInLastChunk + length > ByteArena.CHUNK_BYTES) {
      this.chunks.push(Buffer.allocUnsafeSlow(ByteArena.CHUNK_BYTES));
      this.usedInLastChunk = 0;
    }
    const address = (this.chunks.length - 1) * ByteArena.CHUNK_BYTES + this.usedInLastChunk;
    this.usedInLastChunk += length;
    this.live += length;
    return address;
  }

  free(length: number): void {
    this.live -= length;
    this.garbage += length;
  }

  /** Whether enough has been freed that copying the live records out is worth it. */
  get wasteful(): boolean {
    return this.garbage > ByteArena.CHUNK_BYTES && this.garbage > this.live;
  }

  /** The chunk holding `address`; the record starts at `position(address)` in it. */
  chunk(address: number): Buffer {
    return this.chunks[Math.floor(address / ByteArena.CHUNK_BYTES)] as Buffer;
  }

  position(address: number): number {
    return address % ByteArena.CHUNK_BYTES;
  }
}
