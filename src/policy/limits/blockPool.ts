/**
 * Fixed-size blocks of uint32 in one typed array, reused through a free list: the
 * storage of the rate limiter's call logs, so a counter owns a block, not an object.
 * A block is addressed by its number; its values start at `number * size`.
 * `data` is replaced when the pool grows: read it after `allocate`, not before.
 */
export class BlockPool {
  data: Uint32Array;
  private capacity: number;
  private used = 0;
  private readonly free: number[] = [];

  constructor(
    readonly size: number,
    capacity: number,
  ) {
    this.capacity = Math.max(1, capacity);
    this.data = new Uint32Array(this.capacity * size);
  }

  /** Blocks in use. */
  get live(): number {
    return this.used - this.free.length;
  }

  /** Blocks the array has room for. */
  get blocks(): number {
    return this.capacity;
  }

  allocate(): number {
    const block = this.free.pop();
    if (block !== undefined) return block;
    if (this.used === this.capacity) {
      this.capacity = Math.ceil(this.capacity * 1.5);
      const data = new Uint32Array(this.capacity * this.size);
      data.set(this.data.subarray(0, this.used * this.size));
      this.data = data;
    }
    return this.used++;
  }

  release(block: number): void {
    this.free.push(block);
  }

  /** Copies block `block` of `from` (same size) into a new block of this pool. */
  copyFrom(from: BlockPool, block: number): number {
    const copy = this.allocate();
    this.data.set(from.data.subarray(block * this.size, (block + 1) * this.size), copy * this.size);
    return copy;
  }
}
