export type { Clock, QuotaCounter, QuotaDecision, QuotaLimits, RateDecision, RateLimiter } from './types';
export { BUCKETS, SlidingWindowRateLimiter, type SlidingWindowOptions } from './slidingWindow';
export { quotaPeriod, secondsUntilRenewal, type QuotaPeriod } from './quotaPeriod';
export {
  DEFAULT_QUOTA_TABLE_NAME,
  TableQuotaStore,
  partitionKeyOf,
  quotaTableClientFromEnv,
  type QuotaRow,
  type QuotaStore,
  type StoredQuotaRow,
} from './quotaStore';
export {
  SharedQuotaCounter,
  type QuotaCounterPeriod,
  type QuotaCounterValue,
  type SharedQuotaCounterOptions,
} from './quotaCounter';
export { MemoryQuotaStore } from './memoryQuotaStore';
