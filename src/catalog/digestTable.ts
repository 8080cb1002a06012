/** Length of a key's lookup digest (see `KeyProtector.digest`). */
export const DIGEST_BYTES = 16;
const DIGEST_WORDS = DIGEST_BYTES / 4;
const INITIAL_CAPACITY = 1024;

/**
 * Maps 16-byte key digests to positive integers, in typed arrays: open
 * addressing with linear probing. Digests are uniformly distributed (HMAC
 * output), so their first word is the hash. About 26 bytes a digest at most
 * load, against ~70 for a Map entry and a digest string.
 */
export class DigestTable {
  /** Grown before this load; linear probing stays short well past it for random keys. */
  private static readonly MAX_LOAD = 0.8;
  private capacity = INITIAL_CAPACITY;
  /** By bucket: the digest, as four little-endian words. */
  private digestWords = new Uint32Array(INITIAL_CAPACITY * DIGEST_WORDS);
  /** By bucket: the value, 0 when the bucket is empty. */
  private values = new Int32Array(INITIAL_CAPACITY);
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

  /** Maps the digest in `bytes` at `at` to `value` (positive). */
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

  /** Removes the digest in `bytes` at `at` if it maps to `value` (a digest another value took over is left alone). */
  delete(bytes: Buffer, at: number, value: number): void {
    this.probeFrom(bytes, at);
    const bucket = this.find(this.probe);
    if (bucket < 0 || this.values[bucket] !== value) return;
    this.removeAt(bucket);
  }

  clear(): void {
    this.capacity = INITIAL_CAPACITY;
    this.digestWords = new Uint32Array(INITIAL_CAPACITY * DIGEST_WORDS);
    this.values = new Int32Array(INITIAL_CAPACITY);
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
    const words = this.digestWords;
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
    for (let w = 0; w < DIGEST_WORDS; w++) this.digestWords[to + w] = digest[at + w] as number;
    this.values[bucket] = value;
    this.size++;
  }

  /** Backward-shift deletion: later entries of the run move up, so no tombstones are needed. */
  private removeAt(bucket: number): void {
    const mask = this.capacity - 1;
    let hole = bucket;
    for (let next = (hole + 1) & mask; this.values[next] !== 0; next = (next + 1) & mask) {
      const home = (this.digestWords[next * DIGEST_WORDS] as number) & mask;
      // The entry at `next` may fill the hole only if its home is not within (hole, next].
      const between = hole <= next ? home > hole && home <= next : home > hole || home <= next;
      if (between) continue;
      this.digestWords.copyWithin(hole * DIGEST_WORDS, next * DIGEST_WORDS, (next + 1) * DIGEST_WORDS);
      this.values[hole] = this.values[next] as number;
      hole = next;
    }
    this.values[hole] = 0;
    this.size--;
  }

  private grow(): void {
    const { digestWords, values, capacity } = this;
    this.capacity = capacity * 2;
    this.digestWords = new Uint32Array(this.capacity * DIGEST_WORDS);
    this.values = new Int32Array(this.capacity);
    this.size = 0;
    for (let bucket = 0; bucket < capacity; bucket++) {
      if (values[bucket] !== 0) this.insert(digestWords, bucket * DIGEST_WORDS, values[bucket] as number);
    }
  }
}
