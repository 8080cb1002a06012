/**
 * What the policy elements `rate-limit`, `rate-limit-by-key`, `quota` and
 * `quota-by-key` need from the counters. The element side declares the same
 * shapes; TypeScript's structural typing joins the two.
 */

export interface RateDecision {
  readonly allowed: boolean;
  readonly remaining: number;
  readonly retryAfterSeconds: number;
  readonly limit: number;
  readonly count: number;
}

export interface RateLimiter {
  /** Whether one more call under `key` fits `limit` calls per sliding `periodSeconds`; counts nothing. */
  peek(key: string, limit: number, periodSeconds: number): RateDecision;
  /** Counts `count` calls under `key` now (after peek allowed it, or after the response for increment-condition). */
  add(key: string, periodSeconds: number, count: number): void;
  /**
   * Whole seconds, rounded up, until the window of `key` frees a call (its oldest
   * counted call leaves); `periodSeconds` when nothing is counted (a call counted
   * now frees one then). Counts nothing.
   */
  resetSeconds(key: string, periodSeconds: number): number;
}

export interface QuotaLimits {
  readonly calls?: number;
  readonly kilobytes?: number;
  readonly periodSeconds: number;
  /** The first period's start (the subscription's start, or first-period-start); 0 periodSeconds = never renews. */
  readonly periodStart: Date;
}

export interface QuotaDecision {
  readonly allowed: boolean;
  readonly exceeded: 'calls' | 'bandwidth' | null;
  readonly secondsUntilRenewal: number;
  readonly callsUsed: number;
  readonly kilobytesUsed: number;
}

export interface QuotaCounter {
  /** Whether the current period of `key` still has room; counts nothing; never waits for storage. */
  check(key: string, limits: QuotaLimits): QuotaDecision;
  /** Counts calls and bytes in the current period of `key` (batched to storage in the background). */
  add(key: string, limits: QuotaLimits, calls: number, bytes: number): void;
}

/** A clock in epoch milliseconds; injected so window edges are tested without waiting. */
export type Clock = () => number;
