/**
 * What the throttling and cache elements need at run time. The implementations
 * (sliding windows, stored quotas, the response cache) live in limits/ and
 * cache/ and are handed to each call; tests hand in small fakes with an injected clock.
 */
import type { ResponseCache } from './cache/types';
import type { QuotaCounter, RateLimiter } from './limits/types';

export type { CachedResponse, ResponseCache } from './cache/types';
export type { QuotaCounter, QuotaDecision, QuotaLimits, RateDecision, RateLimiter } from './limits/types';

export interface PolicyServices {
  readonly rateLimiter: RateLimiter;
  readonly quotas: QuotaCounter;
  readonly cache: ResponseCache;
  readonly now: () => number;
}
