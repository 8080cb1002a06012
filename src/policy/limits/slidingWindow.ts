import { BlockPool } from './blockPool';
import type { Clock, RateDecision, RateLimiter } from './types';

/**
 * Sliding-window rate limiting in memory, one counter per (key, period), as each
 * APIM gateway node does. See docs/policies.md.
 *
 * A counter whose limit is at most MAX_EXACT_LIMIT keeps an exact sliding log: the
 * time of each counted call, the newest `limit` of them at least. A call counts
 * for exactly the period (made at t: counted until t + period, not at t + period),
 * and the wait until one more call fits is read from the log.
 *
 * A counter with a larger limit keeps a coarse log instead: at most BUCKETS + 1
 * entries, each the calls made within period / BUCKETS of its first one, counted
 * until the entry's last call is a period old. A call then counts for the whole
 * period and at most period / BUCKETS longer: never more than `limit` calls in any
 * window of the period, a refusal at most period / BUCKETS too long, and still a
 * retry-after within the period after which the next call fits.
 *
 * Logs live in shared typed arrays (uint32 milliseconds since the limiter's epoch,
 * compared modulo 2^32), so a key costs its Map entry, its string, 40 bytes of
 * header and a block of 4 bytes per logged call (rounded up to a power of two).
 * Idle counters (nothing counted within their period) are freed by an incremental
 * sweep over the slots: a few on each `add`, and in batches from an optional timer.
 */
export const BUCKETS = 20;
/**
 * Limits up to this are counted exactly. A full exact log of 64 calls takes a
 * 64-value block, the same block a coarse log takes, so exactness costs no more
 * memory than the approximation it replaces; beyond it the log would grow with the
 * limit while the coarse error (period / BUCKETS) matters less and less.
 */
export const MAX_EXACT_LIMIT = 64;
/** Block sizes are 2^0 .. 2^MAX_CLASS values; a coarse log takes a block of the largest. */
const MAX_CLASS = 6;
const COARSE = -1;
/** Coarse log: RING entries of (last call, calls), then the first call of the newest entry. */
const RING = BUCKETS + 1;
const NEWEST_FIRST = 2 * RING;

/** Per-slot header, int32. */
const PERIOD = 0; // ms
const CLASS = 1; // block size class of an exact log, or COARSE
const IN_OTHERS = 2; // which map names the slot
const BLOCK = 3;
const START = 4; // ring position of the oldest entry
const LEN = 5; // entries in the log
const COUNT = 6; // exact log: calls in the window (more than LEN once the oldest were dropped)
const LIMIT = 7; // the largest whole limit peeked with, 0 = none yet
const HEADER = 8;

const MAX_COUNT = 2 ** 31 - 1;
/** A coarse entry that would pass 2^32 - 1 calls stays there: the count errs high (refuses), never low. */
const MAX_ENTRY = 0xffffffff;
const MIN_PERIOD_MS = 1000;
/** Periods are int32 milliseconds (about 24 days at most), so two periods fit the uint32 clock. */
const MAX_PERIOD_MS = 2 ** 31 - 1;
const INITIAL_SLOTS = 1024;
const INITIAL_BLOCKS = 256;
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
  /** Slot -> its newest call, epoch ms: an idle counter is one whose newest call is a period old. */
  private newest = new Float64Array(INITIAL_SLOTS);
  /** Pool of blocks of 2^class values, per class. */
  private pools = poolsOf(() => INITIAL_BLOCKS);
  /** Slot -> its name in `slots` or `others`; undefined when free. */
  private names: (string | undefined)[] = [];
  private capacity = INITIAL_SLOTS;
  private used = 0;
  private readonly freed: number[] = [];
  private cursor = 0;
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(options: SlidingWindowOptions = {}) {
    this.now = options.now ?? Date.now;
    this.epoch = Math.floor(this.now());
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
    let count = 0;
    let now = 0;
    if (slot !== undefined) {
      now = this.advance(slot, Math.floor(this.now()));
      this.noteLimit(slot, limit);
      count = this.countOf(slot);
    }
    if (count + 1 <= limit) {
      return { allowed: true, remaining: limit - count - 1, retryAfterSeconds: 0, limit, count };
    }
    const retryAfterMs = slot === undefined ? periodMs : this.msUntilFits(slot, limit, count, now);
    return { allowed: false, remaining: 0, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)), limit, count };
  }

  add(key: string, periodSeconds: number, count: number): void {
    if (!(count > 0)) return;
    const calls = Math.min(Math.ceil(count), MAX_COUNT);
    const periodMs = clampPeriod(periodSeconds);
    const clock = this.now();
    const now = Math.floor(clock);
    let slot = this.find(key, periodMs);
    // Stamped at the next whole millisecond, so a fractional clock never shortens a call's period.
    let stamp = Math.ceil(clock);
    if (slot === undefined) slot = this.allocate(key, periodMs);
    else stamp = Math.max(stamp, this.advance(slot, now));
    this.newest[slot] = stamp;
    if (this.header[slot * HEADER + CLASS] === COARSE) this.addCoarse(slot, this.at(stamp), calls);
    else this.addExact(slot, this.at(stamp), calls);
    this.sweepFrom(now, SWEEP_PER_ADD);
  }

  resetSeconds(key: string, periodSeconds: number): number {
    const periodMs = clampPeriod(periodSeconds);
    const slot = this.find(key, periodMs);
    if (slot === undefined) return Math.ceil(periodMs / 1000);
    const now = this.advance(slot, Math.floor(this.now()));
    const header = this.header;
    const h = slot * HEADER;
    if ((header[h + LEN] as number) === 0) return Math.ceil(periodMs / 1000);
    const start = header[h + START] as number;
    const cls = header[h + CLASS] as number;
    // The oldest entry: a coarse entry leaves with its last call, an exact one is a call. Calls an
    // exact log dropped (beyond MAX_EXACT_LIMIT, only while over the limit) are older: this errs late.
    const oldest =
      cls === COARSE
        ? ((this.pools[MAX_CLASS] as BlockPool).data[((header[h + BLOCK] as number) << MAX_CLASS) + 2 * (start % RING)] as number)
        : ((this.pools[cls] as BlockPool).data[((header[h + BLOCK] as number) << cls) + (start & ((1 << cls) - 1))] as number);
    return Math.max(1, Math.ceil((periodMs - ((this.at(now) - oldest) >>> 0)) / 1000));
  }

  /**
   * Visits up to `max` slots from where the last sweep stopped and frees the idle
   * ones. Once a pass ends with most slots or blocks free, the storage is compacted
   * so memory falls back after a burst of distinct keys. Without `max`, one whole
   * pass from the first slot.
   */
  sweep(max = Number.POSITIVE_INFINITY): void {
    if (max === Number.POSITIVE_INFINITY) this.cursor = 0;
    this.sweepFrom(Math.floor(this.now()), max);
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

  /** A moment as stored in a log: ms since the epoch, modulo 2^32. */
  private at(ms: number): number {
    return (ms - this.epoch) >>> 0;
  }

  /**
   * Drops what left the window by `now` and returns the moment the counter is read
   * at: `now`, or its newest call if the clock went back (a call never counts less).
   */
  private advance(slot: number, now: number): number {
    const header = this.header;
    const h = slot * HEADER;
    const newest = this.newest[slot] as number;
    if (now < newest) now = newest;
    const periodMs = header[h + PERIOD] as number;
    if (now - newest >= periodMs) {
      // Everything left. Logs hold calls of the last two periods at most, so their uint32 times never wrap.
      header[h + START] = 0;
      header[h + LEN] = 0;
      header[h + COUNT] = 0;
      if (header[h + CLASS] === COARSE && (header[h + LIMIT] as number) <= MAX_EXACT_LIMIT) header[h + CLASS] = MAX_CLASS;
      return now;
    }
    let len = header[h + LEN] as number;
    if (len === 0) return now;
    const at = this.at(now);
    let start = header[h + START] as number;
    const cls = header[h + CLASS] as number;
    if (cls === COARSE) {
      const data = (this.pools[MAX_CLASS] as BlockPool).data;
      const base = (header[h + BLOCK] as number) << MAX_CLASS;
      while (len > 0 && ((at - (data[base + 2 * start] as number)) >>> 0) >= periodMs) {
        start = (start + 1) % RING;
        len--;
      }
    } else {
      const data = (this.pools[cls] as BlockPool).data;
      const base = (header[h + BLOCK] as number) << cls;
      const mask = (1 << cls) - 1;
      const before = len;
      while (len > 0 && ((at - (data[base + start] as number)) >>> 0) >= periodMs) {
        start = (start + 1) & mask;
        len--;
      }
      // Calls dropped from a full log are older than any logged one: gone once one logged call is.
      if (len !== before) header[h + COUNT] = len;
    }
    header[h + START] = start;
    header[h + LEN] = len;
    return now;
  }

  /** Remembers the largest limit the counter is read with; one past MAX_EXACT_LIMIT turns the log coarse. */
  private noteLimit(slot: number, limit: number): void {
    const h = slot * HEADER;
    if (!(limit > (this.header[h + LIMIT] as number))) return;
    const whole = Math.min(Math.floor(limit), MAX_COUNT);
    if (whole <= (this.header[h + LIMIT] as number)) return;
    this.header[h + LIMIT] = whole;
    if (whole > MAX_EXACT_LIMIT && this.header[h + CLASS] !== COARSE) this.toCoarse(slot);
  }

  private countOf(slot: number): number {
    const header = this.header;
    const h = slot * HEADER;
    if (header[h + CLASS] !== COARSE) return header[h + COUNT] as number;
    const data = (this.pools[MAX_CLASS] as BlockPool).data;
    const base = (header[h + BLOCK] as number) << MAX_CLASS;
    const start = header[h + START] as number;
    const len = header[h + LEN] as number;
    let count = 0;
    for (let i = 0; i < len; i++) count += data[base + 2 * ((start + i) % RING) + 1] as number;
    return count;
  }

  /** How long until all but `limit - 1` of the `count` calls in the window have left it. */
  private msUntilFits(slot: number, limit: number, count: number, now: number): number {
    const header = this.header;
    const h = slot * HEADER;
    const periodMs = header[h + PERIOD] as number;
    const stay = Math.floor(limit);
    // A limit below 1 never fits: say one period.
    if (!(stay >= 1)) return periodMs;
    const at = this.at(now);
    const start = header[h + START] as number;
    const len = header[h + LEN] as number;
    const cls = header[h + CLASS] as number;
    if (cls === COARSE) {
      const data = (this.pools[MAX_CLASS] as BlockPool).data;
      const base = (header[h + BLOCK] as number) << MAX_CLASS;
      const needed = count + 1 - stay;
      let freed = 0;
      for (let i = 0; i < len; i++) {
        const entry = base + 2 * ((start + i) % RING);
        freed += data[entry + 1] as number;
        if (freed >= needed) return periodMs - ((at - (data[entry] as number)) >>> 0);
      }
      return periodMs;
    }
    // The limit-th newest call: once it has left, limit - 1 remain. Dropped calls are older.
    if (len < stay) return periodMs;
    const data = (this.pools[cls] as BlockPool).data;
    const entry = ((header[h + BLOCK] as number) << cls) + ((start + len - stay) & ((1 << cls) - 1));
    return periodMs - ((at - (data[entry] as number)) >>> 0);
  }

  private addExact(slot: number, at: number, calls: number): void {
    const header = this.header;
    const h = slot * HEADER;
    const len = header[h + LEN] as number;
    if (len + calls > MAX_EXACT_LIMIT && header[h + LIMIT] === 0) {
      // More calls than an exact log holds, and no limit known to say which may be dropped.
      this.toCoarse(slot);
      this.addCoarse(slot, at, calls);
      return;
    }
    const logged = Math.min(calls, MAX_EXACT_LIMIT);
    const wanted = Math.min(len + logged, MAX_EXACT_LIMIT);
    if (wanted > 1 << (header[h + CLASS] as number)) this.grow(slot, wanted);
    const cls = header[h + CLASS] as number;
    const mask = (1 << cls) - 1;
    const data = (this.pools[cls] as BlockPool).data;
    const base = (header[h + BLOCK] as number) << cls;
    let start = header[h + START] as number;
    let n = len;
    for (let i = 0; i < logged; i++) {
      if (n > mask) {
        // Full at MAX_EXACT_LIMIT with a limit no larger: the oldest is no longer needed to decide.
        start = (start + 1) & mask;
        n--;
      }
      data[base + ((start + n) & mask)] = at;
      n++;
    }
    header[h + START] = start;
    header[h + LEN] = n;
    header[h + COUNT] = Math.min(MAX_COUNT, (header[h + COUNT] as number) + calls);
  }

  private addCoarse(slot: number, at: number, calls: number): void {
    const header = this.header;
    const h = slot * HEADER;
    const data = (this.pools[MAX_CLASS] as BlockPool).data;
    const base = (header[h + BLOCK] as number) << MAX_CLASS;
    const start = header[h + START] as number;
    const len = header[h + LEN] as number;
    const widthMs = (header[h + PERIOD] as number) / BUCKETS;
    // Entries start at least a width apart, so RING of them cover more than the period: a full ring merges only in theory.
    if (len > 0 && (((at - (data[base + NEWEST_FIRST] as number)) >>> 0) < widthMs || len === RING)) {
      const entry = base + 2 * ((start + len - 1) % RING);
      data[entry] = at;
      data[entry + 1] = Math.min(MAX_ENTRY, (data[entry + 1] as number) + calls);
      return;
    }
    const entry = base + 2 * ((start + len) % RING);
    data[entry] = at;
    data[entry + 1] = calls;
    data[base + NEWEST_FIRST] = at;
    header[h + LEN] = len + 1;
  }

  /** Moves an exact log to a block of at least `wanted` values, oldest first. */
  private grow(slot: number, wanted: number): void {
    const header = this.header;
    const h = slot * HEADER;
    const from = header[h + CLASS] as number;
    const to = classOf(wanted);
    const block = header[h + BLOCK] as number;
    const copy = (this.pools[to] as BlockPool).allocate();
    const source = (this.pools[from] as BlockPool).data;
    const target = (this.pools[to] as BlockPool).data;
    const start = header[h + START] as number;
    const len = header[h + LEN] as number;
    const mask = (1 << from) - 1;
    for (let i = 0; i < len; i++) target[(copy << to) + i] = source[(block << from) + ((start + i) & mask)] as number;
    (this.pools[from] as BlockPool).release(block);
    header[h + CLASS] = to;
    header[h + BLOCK] = copy;
    header[h + START] = 0;
  }

  /** Turns an exact log into a coarse one; calls dropped from a full log join its oldest entry (counted longer, never less). */
  private toCoarse(slot: number): void {
    const header = this.header;
    const h = slot * HEADER;
    const from = header[h + CLASS] as number;
    const block = header[h + BLOCK] as number;
    const start = header[h + START] as number;
    const len = header[h + LEN] as number;
    const dropped = (header[h + COUNT] as number) - len;
    const copy = (this.pools[MAX_CLASS] as BlockPool).allocate();
    const source = (this.pools[from] as BlockPool).data;
    const target = (this.pools[MAX_CLASS] as BlockPool).data;
    const base = copy << MAX_CLASS;
    const widthMs = (header[h + PERIOD] as number) / BUCKETS;
    const mask = (1 << from) - 1;
    let entries = 0;
    let first = 0;
    for (let i = 0; i < len; i++) {
      const at = source[(block << from) + ((start + i) & mask)] as number;
      const calls = i === 0 ? 1 + dropped : 1;
      if (entries > 0 && (((at - first) >>> 0) < widthMs || entries === RING)) {
        const entry = base + 2 * (entries - 1);
        target[entry] = at;
        target[entry + 1] = Math.min(MAX_ENTRY, (target[entry + 1] as number) + calls);
      } else {
        target[base + 2 * entries] = at;
        target[base + 2 * entries + 1] = calls;
        first = at;
        entries++;
      }
    }
    target[base + NEWEST_FIRST] = first;
    (this.pools[from] as BlockPool).release(block);
    header[h + CLASS] = COARSE;
    header[h + BLOCK] = copy;
    header[h + START] = 0;
    header[h + LEN] = entries;
    header[h + COUNT] = 0;
  }

  private isIdle(slot: number, now: number): boolean {
    return now - (this.newest[slot] as number) >= (this.header[slot * HEADER + PERIOD] as number);
  }

  private allocate(key: string, periodMs: number): number {
    let slot = this.freed.pop();
    if (slot === undefined) {
      if (this.used === this.capacity) this.resize(Math.ceil(this.capacity * 1.5));
      slot = this.used++;
    }
    const h = slot * HEADER;
    this.header[h + PERIOD] = periodMs;
    this.header[h + CLASS] = 0;
    this.header[h + BLOCK] = (this.pools[0] as BlockPool).allocate();
    this.header[h + START] = 0;
    this.header[h + LEN] = 0;
    this.header[h + COUNT] = 0;
    this.header[h + LIMIT] = 0;
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
    const h = slot * HEADER;
    if (this.header[h + IN_OTHERS] === 1) this.others.delete(name);
    else this.slots.delete(name);
    (this.pools[poolOf(this.header[h + CLASS] as number)] as BlockPool).release(this.header[h + BLOCK] as number);
    this.names[slot] = undefined;
    this.freed.push(slot);
  }

  private resize(capacity: number): void {
    const header = new Int32Array(capacity * HEADER);
    header.set(this.header.subarray(0, this.used * HEADER));
    const newest = new Float64Array(capacity);
    newest.set(this.newest.subarray(0, this.used));
    this.header = header;
    this.newest = newest;
    this.capacity = capacity;
  }

  private compactIfSparse(): void {
    const live = this.size;
    let due = isSparse(live, this.capacity, INITIAL_SLOTS);
    for (let cls = 0; cls <= MAX_CLASS && !due; cls++) {
      const pool = this.pools[cls] as BlockPool;
      due = isSparse(pool.live, pool.blocks, INITIAL_BLOCKS);
    }
    if (!due) return;
    const capacity = Math.max(INITIAL_SLOTS, live * 2);
    const header = new Int32Array(capacity * HEADER);
    const newest = new Float64Array(capacity);
    const pools = poolsOf((size) => Math.max(INITIAL_BLOCKS, (this.pools[classOf(size)] as BlockPool).live * 2));
    const names: (string | undefined)[] = [];
    let next = 0;
    for (let slot = 0; slot < this.used; slot++) {
      const name = this.names[slot];
      if (name === undefined) continue;
      const h = next * HEADER;
      header.set(this.header.subarray(slot * HEADER, (slot + 1) * HEADER), h);
      newest[next] = this.newest[slot] as number;
      const pool = poolOf(header[h + CLASS] as number);
      header[h + BLOCK] = (pools[pool] as BlockPool).copyFrom(this.pools[pool] as BlockPool, header[h + BLOCK] as number);
      (header[h + IN_OTHERS] === 1 ? this.others : this.slots).set(name, next);
      names[next++] = name;
    }
    this.header = header;
    this.newest = newest;
    this.pools = pools;
    this.names = names;
    this.capacity = capacity;
    this.used = next;
    this.freed.length = 0;
  }
}

function poolsOf(blocks: (size: number) => number): BlockPool[] {
  const pools: BlockPool[] = [];
  for (let cls = 0; cls <= MAX_CLASS; cls++) pools.push(new BlockPool(1 << cls, blocks(1 << cls)));
  return pools;
}

/** Three quarters free, in storage grown past its initial size. */
const isSparse = (held: number, room: number, least: number) => room > least && held * 4 <= room;

/** The smallest class whose blocks hold `values` (1 .. 2^MAX_CLASS). */
const classOf = (values: number) => 32 - Math.clz32(values - 1);
const poolOf = (cls: number) => (cls === COARSE ? MAX_CLASS : cls);

function clampPeriod(periodSeconds: number): number {
  const ms = Math.round(periodSeconds * 1000);
  return Number.isFinite(ms) ? Math.min(Math.max(ms, MIN_PERIOD_MS), MAX_PERIOD_MS) : MIN_PERIOD_MS;
}

/** The period leads, up to the first NUL, so no two (key, period) pairs share a name. */
function otherName(key: string, periodMs: number): string {
  return `${periodMs}\u0000${key}`;
}
