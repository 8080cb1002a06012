import { LruResponseCache } from '../policy/cache';
import { MemoryQuotaStore, SharedQuotaCounter, SlidingWindowRateLimiter, type QuotaStore } from '../policy/limits';
import type { PolicyServices } from '../policy/services';

/** The counters and cache a gateway runs policies with, and how to stop their timers. */
export interface GatewayPolicyServices extends PolicyServices {
  /** Loads the quota windows still current (at start). */
  load(): Promise<void>;
  /** Writes pending quota counts and stops the timers (at shutdown). */
  close(): Promise<void>;
}

export interface PolicyServicesOptions {
  /** Where quotas are shared and kept; default in this process only. */
  readonly quotaStore?: QuotaStore;
  /** Bytes of the response cache (`POLICY_CACHE_MAX_BYTES`). */
  readonly cacheMaxBytes?: number;
  /** The clock of every counter and the cache; default `Date.now`. */
  readonly now?: () => number;
  /** Background timers (sweeps, batched quota writes); off for tests that drive the clock. */
  readonly timers?: boolean;
  readonly log?: (message: string) => void;
}

/**
 * Rate limits in memory (sliding windows, idle ones swept), quotas counted here
 * and shared through `quotaStore` (batched, never waited for on a request), and
 * the LRU response cache: one set per gateway instance.
 */
export function createPolicyServices(options: PolicyServicesOptions = {}): GatewayPolicyServices {
  const now = options.now ?? Date.now;
  const timers = options.timers ?? true;
  const rateLimiter = new SlidingWindowRateLimiter({ now, sweepIntervalMs: timers ? 5000 : 0 });
  const quotas = new SharedQuotaCounter({ store: options.quotaStore ?? new MemoryQuotaStore(), now, ...(timers ? {} : { timerMs: 0 }), ...(options.log ? { log: options.log } : {}) });
  const cache = new LruResponseCache({ maxBytes: options.cacheMaxBytes, now });
  return {
    rateLimiter,
    quotas,
    cache,
    now,
    load: () => quotas.load(),
    async close() {
      rateLimiter.close();
      quotas.close();
      await quotas.flush().catch(() => undefined);
    },
  };
}
