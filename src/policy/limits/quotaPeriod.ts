import type { QuotaLimits } from './types';

/** The fixed window of a quota that holds `now`. */
export interface QuotaPeriod {
  /** Names the window within its counter key: the renewal period and the window's start. */
  readonly key: string;
  readonly start: number;
  /** Epoch ms when the next window starts; null when the quota never renews. */
  readonly end: number | null;
}

/**
 * Windows are `periodSeconds` long and counted from `periodStart` (before it,
 * backwards from it, so every moment has a window). `periodSeconds` 0 (or
 * less) is one window from `periodStart` on that never ends.
 */
export function quotaPeriod(limits: QuotaLimits, now: number): QuotaPeriod {
  const origin = limits.periodStart.getTime();
  const lengthMs = Math.round(limits.periodSeconds * 1000);
  if (!(lengthMs > 0)) return { key: `0-${origin}`, start: origin, end: null };
  const start = origin + Math.floor((now - origin) / lengthMs) * lengthMs;
  return { key: `${lengthMs / 1000}-${start}`, start, end: start + lengthMs };
}

/** Whole seconds until the window renews (0 when it never does). */
export function secondsUntilRenewal(period: QuotaPeriod, now: number): number {
  return period.end === null ? 0 : Math.max(0, Math.ceil((period.end - now) / 1000));
}
