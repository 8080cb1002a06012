import { randomBytes } from 'node:crypto';
import { safeLog } from '../../logging/sanitizer';
import { quotaPeriod, secondsUntilRenewal, type QuotaPeriod } from './quotaPeriod';
import type { QuotaRow, QuotaStore, StoredQuotaRow } from './quotaStore';
import type { Clock, QuotaCounter, QuotaDecision, QuotaLimits } from './types';

/**
 * Quotas shared by every instance through a QuotaStore, never waited for on the
 * request path. See docs/policies.md.
 *
 * Each instance sees a window's count as: the shared total it last read or wrote
 * (`stored`), plus its own calls not yet written (`pending`), plus the ones being
 * written (`inflight`). At most once per `syncIntervalMs` per window it writes
 * `stored + inflight` conditionally on the etag it last saw; when another instance
 * wrote in between (412), it reads the new total and adds its calls to that. A
 * window in use is re-read as often, so other instances' calls reach this view
 * within about one interval. When storage fails, the calls stay counted here and
 * are written once it answers; a write whose answer was lost is recognised by its
 * id in the row's `writes`, so it is never counted twice.
 */
export interface SharedQuotaCounterOptions {
  store: QuotaStore;
  now?: Clock;
  /** Least time between two storage exchanges of one window (a write, or a read that refreshes it). */
  syncIntervalMs?: number;
  /** How often a timer writes what is due and forgets idle windows (default a quarter of the interval); 0 = no timer (call `tick`/`flush`). */
  timerMs?: number;
  /** A window unused this long with nothing left to write is dropped from memory (storage keeps it). */
  idleMs?: number;
  /** Names this instance's writes; random by default. */
  instanceId?: string;
  log?: (message: string) => void;
}

/** One window of a counter key, as APIM's management API shows it ("Quota By Counter Keys"). */
export interface QuotaCounterPeriod {
  readonly counterKey: string;
  readonly periodKey: string;
  readonly periodStartTime: Date;
  /** null when the quota never renews. */
  readonly periodEndTime: Date | null;
  readonly callsCount: number;
  /** Whole kilobytes (1024 bytes), rounded down. */
  readonly kbTransferred: number;
  /** The bytes counted (APIM's management API shows `bytesTransferred / 1024`, fractions included). */
  readonly bytesTransferred: number;
}

export interface QuotaCounterValue {
  readonly callsCount?: number;
  readonly kbTransferred?: number;
}

interface Totals {
  calls: number;
  bytes: number;
}

interface Window {
  readonly counterKey: string;
  readonly period: QuotaPeriod;
  /** The shared total as last read or written, its etag (undefined: no row yet) and its latest write ids. */
  stored: Totals;
  etag: string | undefined;
  writes: readonly string[];
  /** Whether `stored` reflects storage; false until read, and after a conflict or a failure. */
  known: boolean;
  pending: Totals;
  inflight: (Totals & { readonly id: string }) | undefined;
  lastSync: number;
  lastUsed: number;
  busy: Promise<void> | undefined;
}

const ATTEMPTS_PER_SYNC = 5;
const EVICTION_SCAN_MS = 10_000;
const WRITES_KEPT = 32;
const zero = (): Totals => ({ calls: 0, bytes: 0 });
const isEmpty = (t: Totals) => t.calls === 0 && t.bytes === 0;
const kilobytes = (bytes: number) => Math.floor(bytes / 1024);

export class SharedQuotaCounter implements QuotaCounter {
  private readonly store: QuotaStore;
  private readonly now: Clock;
  private readonly syncIntervalMs: number;
  private readonly idleMs: number;
  private readonly instanceId: string;
  private readonly log: (message: string) => void;
  private readonly windows = new Map<string, Map<string, Window>>();
  /** The window of each counter key last used: a call in the same period finds it without naming the period. */
  private readonly current = new Map<string, Window>();
  private readonly dirty = new Set<Window>();
  private readonly timer: NodeJS.Timeout | undefined;
  private sequence = 0;
  private storageHealthy = true;

  constructor(options: SharedQuotaCounterOptions) {
    this.store = options.store;
    this.now = options.now ?? Date.now;
    this.syncIntervalMs = options.syncIntervalMs ?? 1000;
    this.idleMs = options.idleMs ?? 10 * 60_000;
    this.instanceId = options.instanceId ?? randomBytes(6).toString('hex');
    this.log = options.log ?? safeLog;
    // A quarter interval, so a window's last calls wait at most 1.25 intervals to be written.
    const timerMs = options.timerMs ?? Math.max(1, Math.floor(this.syncIntervalMs / 4));
    if (timerMs > 0) {
      let lastEviction = this.now();
      this.timer = setInterval(() => {
        this.writeDue();
        // Forgetting needs a look at every window: far less often than writing.
        if (this.now() - lastEviction >= EVICTION_SCAN_MS) {
          lastEviction = this.now();
          this.evictIdle();
        }
      }, timerMs);
      this.timer.unref();
    }
  }

  check(key: string, limits: QuotaLimits): QuotaDecision {
    const now = this.now();
    const window = this.currentWindow(key, limits, now);
    if (now - window.lastSync >= this.syncIntervalMs) void this.sync(window);
    const inflight = window.inflight;
    const calls = window.stored.calls + window.pending.calls + (inflight === undefined ? 0 : inflight.calls);
    const kilobytesUsed = kilobytes(window.stored.bytes + window.pending.bytes + (inflight === undefined ? 0 : inflight.bytes));
    const exceeded =
      limits.calls !== undefined && calls >= limits.calls
        ? 'calls'
        : limits.kilobytes !== undefined && kilobytesUsed >= limits.kilobytes
          ? 'bandwidth'
          : null;
    return { allowed: exceeded === null, exceeded, secondsUntilRenewal: secondsUntilRenewal(window.period, now), callsUsed: calls, kilobytesUsed };
  }

  add(key: string, limits: QuotaLimits, calls: number, bytes: number): void {
    if (!(calls > 0) && !(bytes > 0)) return;
    const now = this.now();
    const window = this.currentWindow(key, limits, now);
    window.pending.calls += Math.max(0, calls);
    window.pending.bytes += Math.max(0, bytes);
    this.dirty.add(window);
    if (now - window.lastSync >= this.syncIntervalMs) void this.sync(window);
  }

  /** The window of `key` that holds `now`: the one last used when `now` is still in it, else found or made by its period. */
  private currentWindow(key: string, limits: QuotaLimits, now: number): Window {
    const last = this.current.get(key);
    if (last !== undefined && holds(last.period, limits, now)) {
      last.lastUsed = now;
      return last;
    }
    const window = this.window(key, quotaPeriod(limits, now), now);
    this.current.set(key, window);
    return window;
  }

  /** Loads the windows still current from storage (at start, so the first calls see the shared counts). */
  async load(): Promise<void> {
    const now = this.now();
    for (const row of await this.store.listCurrent(now)) {
      const window = this.window(row.counterKey, { key: row.periodKey, start: row.periodStart, end: row.periodEnd }, now);
      if (!window.known && !window.busy) this.fold(window, row);
    }
  }

  /** Writes everything pending now, whatever the interval, and waits for it (tests, shutdown). */
  async flush(): Promise<void> {
    await this.settled();
    for (let round = 0; round < ATTEMPTS_PER_SYNC && this.dirty.size > 0; round++) {
      await Promise.all([...this.dirty].map((window) => this.sync(window)));
    }
  }

  /** Waits for the storage exchanges under way. */
  async settled(): Promise<void> {
    const busy: Promise<void>[] = [];
    for (const periods of this.windows.values()) for (const window of periods.values()) if (window.busy) busy.push(window.busy);
    await Promise.all(busy);
  }

  /** The windows of a counter key: the shared totals plus what this instance has not written yet. */
  async read(counterKey: string): Promise<QuotaCounterPeriod[]> {
    const rows = await this.store.list(counterKey);
    const local = this.windows.get(counterKey);
    const result = rows.map((row) => {
      const window = local?.get(row.periodKey);
      if (window && !window.busy) this.fold(window, row);
      return describe(row, window ? unwritten(window, row) : zero());
    });
    for (const window of local?.values() ?? []) {
      if (!rows.some((row) => row.periodKey === window.period.key)) result.push(describe(rowOf(window, zero(), []), unwritten(window)));
    }
    return result.sort((a, b) => a.periodStartTime.getTime() - b.periodStartTime.getTime());
  }

  /**
   * Sets every window of a counter key to the given values (APIM's PATCH on
   * `quotas/{counterKey}`: resets a quota). What this instance had not written yet
   * is dropped with it; other instances fold the new total in at their next sync.
   * With `periodKey`, only that window (APIM's PATCH on `.../periods/{periodKey}`).
   */
  async update(counterKey: string, value: QuotaCounterValue, periodKey?: string): Promise<QuotaCounterPeriod[]> {
    const local = this.windows.get(counterKey);
    const chosen = (key: string) => periodKey === undefined || key === periodKey;
    // This instance's calls not written yet are written first: a window it counted alone has a row to set.
    await Promise.all([...(local?.values() ?? [])].filter((window) => chosen(window.period.key)).map((window) => this.sync(window)));
    const result: QuotaCounterPeriod[] = [];
    for (let row of (await this.store.list(counterKey)).filter((stored) => chosen(stored.periodKey))) {
      for (let attempt = 0; ; attempt++) {
        const next: QuotaRow = {
          ...row,
          calls: value.callsCount ?? row.calls,
          bytes: value.kbTransferred === undefined ? row.bytes : value.kbTransferred * 1024,
        };
        const etag = await this.store.write(next, row.etag);
        if (etag !== 'conflict') {
          const window = local?.get(row.periodKey);
          if (window && !window.busy) {
            this.fold(window, { ...next, etag });
            window.pending = zero();
          }
          result.push(describe(next, zero()));
          break;
        }
        if (attempt === ATTEMPTS_PER_SYNC) throw new Error('quota counter changed too often to be updated; try again');
        const fresh = await this.store.read(counterKey, row.periodKey);
        if (!fresh) break;
        row = fresh;
      }
    }
    return result.sort((a, b) => a.periodStartTime.getTime() - b.periodStartTime.getTime());
  }

  /** Zero calls and bytes in every window of a counter key. */
  reset(counterKey: string): Promise<QuotaCounterPeriod[]> {
    return this.update(counterKey, { callsCount: 0, kbTransferred: 0 });
  }

  /** Windows held in memory. */
  get size(): number {
    let size = 0;
    for (const periods of this.windows.values()) size += periods.size;
    return size;
  }

  /** Writes what is due and forgets idle windows, as the timer does. */
  tick(): void {
    this.writeDue();
    this.evictIdle();
  }

  private writeDue(): void {
    const now = this.now();
    for (const window of this.dirty) if (now - window.lastSync >= this.syncIntervalMs) void this.sync(window);
  }

  private evictIdle(): void {
    const now = this.now();
    for (const [counterKey, periods] of this.windows) {
      for (const [periodKey, window] of periods) {
        const ended = window.period.end !== null && window.period.end <= now;
        if ((ended || now - window.lastUsed >= this.idleMs) && !window.busy && !this.dirty.has(window)) {
          periods.delete(periodKey);
          if (this.current.get(counterKey) === window) this.current.delete(counterKey);
        }
      }
      if (periods.size === 0) this.windows.delete(counterKey);
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private window(counterKey: string, period: QuotaPeriod, now: number): Window {
    let periods = this.windows.get(counterKey);
    if (!periods) this.windows.set(counterKey, (periods = new Map<string, Window>()));
    let window = periods.get(period.key);
    if (!window) {
      window = {
        counterKey,
        period,
        stored: zero(),
        etag: undefined,
        writes: [],
        known: false,
        pending: zero(),
        inflight: undefined,
        lastSync: Number.NEGATIVE_INFINITY,
        lastUsed: now,
        busy: undefined,
      };
      periods.set(period.key, window);
    }
    window.lastUsed = now;
    return window;
  }

  /** One storage exchange for a window at a time; failures keep the counts here. */
  private sync(window: Window): Promise<void> {
    if (window.busy) return window.busy;
    window.lastSync = this.now();
    window.busy = this.exchange(window)
      .then(
        () => {
          if (!this.storageHealthy) this.log('quota storage reachable again; counts written');
          this.storageHealthy = true;
        },
        (error: unknown) => {
          window.known = false;
          if (this.storageHealthy) this.log(`quota storage unreachable, counting in memory: ${error instanceof Error ? error.message : String(error)}`);
          this.storageHealthy = false;
        },
      )
      .finally(() => {
        window.busy = undefined;
        if (!window.inflight && isEmpty(window.pending)) this.dirty.delete(window);
      });
    return window.busy;
  }

  private async exchange(window: Window): Promise<void> {
    for (let attempt = 0; attempt < ATTEMPTS_PER_SYNC; attempt++) {
      // With nothing to write, the exchange is a read that folds in other instances' calls.
      if (!window.known || (!window.inflight && isEmpty(window.pending))) {
        const row = await this.store.read(window.counterKey, window.period.key);
        if (row) this.fold(window, row);
        else {
          window.stored = zero();
          window.etag = undefined;
          window.writes = [];
          window.known = true;
        }
      }
      if (!window.inflight) {
        if (isEmpty(window.pending)) return;
        window.inflight = { ...window.pending, id: `${this.instanceId}.${++this.sequence}` };
        window.pending = zero();
      }
      const total = { calls: window.stored.calls + window.inflight.calls, bytes: window.stored.bytes + window.inflight.bytes };
      const writes = [...window.writes, window.inflight.id].slice(-WRITES_KEPT);
      const etag = await this.store.write(rowOf(window, total, writes), window.etag);
      if (etag === 'conflict') {
        window.known = false;
        continue;
      }
      window.stored = total;
      window.etag = etag;
      window.writes = writes;
      window.inflight = undefined;
      return;
    }
  }

  /** Takes a row read from storage as the shared total; an inflight write found in it has landed. */
  private fold(window: Window, row: StoredQuotaRow): void {
    window.stored = { calls: row.calls, bytes: row.bytes };
    window.etag = row.etag;
    window.writes = row.writes;
    window.known = true;
    if (window.inflight && row.writes.includes(window.inflight.id)) window.inflight = undefined;
  }
}

/** Whether `period` is the window `quotaPeriod(limits, now)` names (same start and end: the same key). */
function holds(period: QuotaPeriod, limits: QuotaLimits, now: number): boolean {
  const origin = limits.periodStart.getTime();
  const lengthMs = Math.round(limits.periodSeconds * 1000);
  if (!(lengthMs > 0)) return period.end === null && period.start === origin;
  const start = origin + Math.floor((now - origin) / lengthMs) * lengthMs;
  return period.start === start && period.end === start + lengthMs;
}

/** This instance's calls a row does not hold yet. */
function unwritten(window: Window, row?: StoredQuotaRow): Totals {
  const landed = !window.inflight || (row !== undefined && row.writes.includes(window.inflight.id));
  const inflight = landed ? zero() : (window.inflight as Totals);
  return { calls: window.pending.calls + inflight.calls, bytes: window.pending.bytes + inflight.bytes };
}

function rowOf(window: Window, total: Totals, writes: readonly string[]): QuotaRow {
  return {
    counterKey: window.counterKey,
    periodKey: window.period.key,
    periodStart: window.period.start,
    periodEnd: window.period.end,
    calls: total.calls,
    bytes: total.bytes,
    writes,
  };
}

function describe(row: QuotaRow, extra: Totals): QuotaCounterPeriod {
  return {
    counterKey: row.counterKey,
    periodKey: row.periodKey,
    periodStartTime: new Date(row.periodStart),
    periodEndTime: row.periodEnd === null ? null : new Date(row.periodEnd),
    callsCount: row.calls + extra.calls,
    kbTransferred: kilobytes(row.bytes + extra.bytes),
    bytesTransferred: row.bytes + extra.bytes,
  };
}
