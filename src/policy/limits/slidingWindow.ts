import type { Clock, RateDecision, RateLimiter } from './types';

/**
 * Sliding-window rate limiting in memory, one counter per (key, period), as each
 * APIM gateway node does. See docs/policies.md.
 *
 * Each counter is a ring of BUCKETS + 1 buckets, each a BUCKETS-th of the period
 * wide. A call is counted in the bucket of the moment it was added and leaves the
 * window when the ring has moved BUCKETS + 1 buckets past it: every call is
 * counted for at least the whole period and at most one bucket longer. So the
 * limiter never admits more than `limit` calls in any sliding period; it may
 * refuse for at most period / BUCKETS too long, and says so in `retryAfterSeconds`.
 *
 * Counters live in shared typed arrays (no object per key), so a key costs its
 * Map entry, its string and 58 bytes of counts. Idle counters (nothing counted
 * within their period) are freed by an incremental sweep over the slots: a few
 * on each `add`, and in batches from an optional timer.
 */
export const BUCKETS = 20;
const RING = BUCKETS + 1;
/** Per-slot header, int32: the period in ms, the newest bucket's number, the calls in the window, which map names it. */
const PERIOD = 0;
const HEAD = 1;
const TOTAL = 2;
const IN_OTHERS = 3;
const HEADER = 4;
/** Bucket counts are uint16: a bucket that would pass 65535 stays there, so the total errs high (refuses), never low. */
const MAX_BUCKET = 0xffff;

const MIN_PERIOD_MS = 1000;
/** Periods are kept as int32 milliseconds: about 24 days at most. */
const MAX_PERIOD_MS = 2 ** 31 - 1;
const INITIAL_SLOTS = 1024;
/** Slots the sweep visits on each `add`: enough to outpace the creation of new keys. */
const SWEEP_PER_ADD = 2;

export interface SlidingWindowOptions {
  now?: Clock;
  /** How often a timer sweeps idle counters in the background; 0 = no timer (sweep only on `add`). */
  sweepIntervalMs?: number;
  /** Slots visited per timer tick. */
  sweepBatch?: number;
}

export class SlidingWindowRateLimiter implements RateLimiter {
  private readonly now: Clock;
  private readonly epoch: number;
  /** Key -> slot, for the first period a key is used with (the usual case: one period per key). */
  private readonly slots = new Map<string, number>();
  /** (period, key) -> slot, for a key also used with other periods. */
  private readonly others = new Map<string, number>();
  private header = new Int32Array(INITIAL_SLOTS * HEADER);
  private counts = new Uint16Array(INITIAL_SLOTS * RING);
  /** Slot -> its name in `slots` or `others`; undefined when free. */
  private names: (string | undefined)[] = [];
  private capacity = INITIAL_SLOTS;
  private used = 0;
  private readonly freed: number[] = [];
  private cursor = 0;
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(options: SlidingWindowOptions = {}) {
    this.now = options.now ?? Date.now;
    this.epoch = this.now();
    const interval = options.sweepIntervalMs ?? 0;
    if (interval > 0) {
      const batch = options.sweepBatch ?? 50_000;
      this.timer = setInterval(() => this.sweep(batch), interval);
      this.timer.unref();
    }
  }

  /** Counters held (idle ones not yet swept included). */
  get size(): number {
    return this.slots.size + this.others.size;
  }

  peek(key: string, limit: number, periodSeconds: number): RateDecision {
    const periodMs = clampPeriod(periodSeconds);
    const slot = this.find(key, periodMs);
    const now = this.now();
    let count = 0;
    if (slot !== undefined) {
      this.advance(slot, now);
      count = this.header[slot * HEADER + TOTAL] as number;
    }
    if (count + 1 <= limit) {
      return { allowed: true, remaining: limit - count - 1, retryAfterSeconds: 0, limit, count };
    }
    const retryAfterMs = slot === undefined ? periodMs : this.msUntilFits(slot, count + 1 - limit, now);
    return { allowed: false, remaining: 0, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)), limit, count };
  }

  add(key: string, periodSeconds: number, count: number): void {
    if (!(count > 0)) return;
    const periodMs = clampPeriod(periodSeconds);
    const now = this.now();
    let slot = this.find(key, periodMs);
    if (slot === undefined) slot = this.allocate(key, periodMs, now);
    else this.advance(slot, now);
    const at = slot * RING + ring(this.header[slot * HEADER + HEAD] as number);
    this.counts[at] = Math.min(MAX_BUCKET, (this.counts[at] as number) + count);
    this.header[slot * HEADER + TOTAL] = Math.min(2 ** 31 - 1, (this.header[slot * HEADER + TOTAL] as number) + count);
    this.sweepFrom(now, SWEEP_PER_ADD);
  }

  /**
   * Visits up to `max` slots from where the last sweep stopped and frees the idle
   * ones. Once a pass ends with most slots free, the storage is compacted so
   * memory falls back after a burst of distinct keys. Without `max`, one whole
   * pass from the first slot.
   */
  sweep(max = Number.POSITIVE_INFINITY): void {
    if (max === Number.POSITIVE_INFINITY) this.cursor = 0;
    this.sweepFrom(this.now(), max);
  }

  private sweepFrom(now: number, max: number): void {
    for (let visited = 0; visited < max; visited++) {
      if (this.cursor >= this.used) {
        this.cursor = 0;
        this.compactIfSparse();
        return;
      }
      const slot = this.cursor++;
      const name = this.names[slot];
      if (name !== undefined && this.isIdle(slot, now)) this.release(slot, name);
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private find(key: string, periodMs: number): number | undefined {
    const slot = this.slots.get(key);
    if (slot !== undefined && this.header[slot * HEADER + PERIOD] === periodMs) return slot;
    // The key's first counter may have been swept while one for another period lives on.
    return this.others.size === 0 ? undefined : this.others.get(otherName(key, periodMs));
  }

  private bucketOf(periodMs: number, now: number): number {
    return Math.floor(((now - this.epoch) * BUCKETS) / periodMs);
  }

  /** Moves the ring to the bucket of `now`, dropping what left the window. */
  private advance(slot: number, now: number): void {
    const header = this.header;
    const h = slot * HEADER;
    const current = this.bucketOf(header[h + PERIOD] as number, now);
    const head = header[h + HEAD] as number;
    if (current <= head) return; // a clock that went back keeps the newer bucket
    const c = slot * RING;
    if (current - head >= RING) {
      this.counts.fill(0, c, c + RING);
      header[h + TOTAL] = 0;
    } else {
      let total = header[h + TOTAL] as number;
      for (let bucket = head + 1; bucket <= current; bucket++) {
        const at = c + ring(bucket);
        total -= this.counts[at] as number;
        this.counts[at] = 0;
      }
      header[h + TOTAL] = total;
    }
    header[h + HEAD] = current;
  }

  /** When enough of the oldest buckets will have left the window to free `needed` calls. */
  private msUntilFits(slot: number, needed: number, now: number): number {
    const periodMs = this.header[slot * HEADER + PERIOD] as number;
    const head = this.header[slot * HEADER + HEAD] as number;
    let freed = 0;
    for (let bucket = head - BUCKETS; bucket <= head; bucket++) {
      freed += this.counts[slot * RING + ring(bucket)] as number;
      if (freed >= needed) {
        const leavesAt = this.epoch + ((bucket + RING) * periodMs) / BUCKETS;
        return leavesAt - now;
      }
    }
    // More must leave than the buckets hold (a limit below 1, or a saturated bucket): say one period.
    return periodMs;
  }

  private isIdle(slot: number, now: number): boolean {
    const h = slot * HEADER;
    return this.bucketOf(this.header[h + PERIOD] as number, now) - (this.header[h + HEAD] as number) >= RING;
  }

  private allocate(key: string, periodMs: number, now: number): number {
    let slot = this.freed.pop();
    if (slot === undefined) {
      if (this.used === this.capacity) this.resize(Math.ceil(this.capacity * 1.5));
      slot = this.used++;
    }
    const h = slot * HEADER;
    this.header[h + PERIOD] = periodMs;
    this.header[h + HEAD] = this.bucketOf(periodMs, now);
    this.header[h + TOTAL] = 0;
    this.counts.fill(0, slot * RING, (slot + 1) * RING);
    if (this.slots.has(key)) {
      const name = otherName(key, periodMs);
      this.others.set(name, slot);
      this.names[slot] = name;
      this.header[h + IN_OTHERS] = 1;
    } else {
      this.slots.set(key, slot);
      this.names[slot] = key;
      this.header[h + IN_OTHERS] = 0;
    }
    return slot;
  }

  private release(slot: number, name: string): void {
    if (this.header[slot * HEADER + IN_OTHERS] === 1) this.others.delete(name);
    else this.slots.delete(name);
    this.names[slot] = undefined;
    this.freed.push(slot);
  }

  private resize(capacity: number): void {
    const header = new Int32Array(capacity * HEADER);
    header.set(this.header.subarray(0, this.used * HEADER));
    const counts = new Uint16Array(capacity * RING);
    counts.set(this.counts.subarray(0, this.used * RING));
    this.header = header;
    this.counts = counts;
    this.capacity = capacity;
  }

  private compactIfSparse(): void {
    const live = this.size;
    if (this.capacity <= INITIAL_SLOTS || live * 4 > this.capacity) return;
    const capacity = Math.max(INITIAL_SLOTS, live * 2);
    const header = new Int32Array(capacity * HEADER);
    const counts = new Uint16Array(capacity * RING);
    const names: (string | undefined)[] = [];
    let next = 0;
    for (let slot = 0; slot < this.used; slot++) {
      const name = this.names[slot];
      if (name === undefined) continue;
      header.set(this.header.subarray(slot * HEADER, (slot + 1) * HEADER), next * HEADER);
      counts.set(this.counts.subarray(slot * RING, (slot + 1) * RING), next * RING);
      (header[next * HEADER + IN_OTHERS] === 1 ? this.others : this.slots).set(name, next);
      names[next++] = name;
    }
    this.header = header;
    this.counts = counts;
    this.names = names;
    this.capacity = capacity;
    this.used = next;
    this.freed.length = 0;
  }
}

/** Ring position of a bucket number (negative before the epoch). */
const ring = (bucket: number) => ((bucket % RING) + RING) % RING;

function clampPeriod(periodSeconds: number): number {
  const ms = Math.round(periodSeconds * 1000);
  return Number.isFinite(ms) ? Math.min(Math.max(ms, MIN_PERIOD_MS), MAX_PERIOD_MS) : MIN_PERIOD_MS;
}

/** The period leads, up to the first NUL, so no two (key, period) pairs share a name. */
function otherName(key: string, periodMs: number): string {
  return `${periodMs}\u0000${key}`;
}
