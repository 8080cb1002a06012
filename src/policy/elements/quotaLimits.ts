/** What `quota` and `quota-by-key` share: limits, the 403s, the bytes a call costs, the trace wording. */
import { bandwidthQuotaResponse, callQuotaResponse } from '../../apim/gatewayResponses';
import { PolicyResponse, type PolicyCall } from '../call';
import type { QuotaDecision, QuotaLimits } from '../services';
import type { Attributes } from './attributes';
import { offerLimitStatus, ordinal, wholeSeconds } from './throttling';

export interface QuotaSpec {
  readonly calls: number | undefined;
  readonly kilobytes: number | undefined;
  readonly periodSeconds: number;
}

/** Reads `calls` and/or `bandwidth` (KB), and `renewal-period` (0 = never renews; else at least `minPeriod`). */
export function readQuota(attributes: Attributes, minPeriod: number): QuotaSpec {
  const calls = attributes.has('calls') ? attributes.integer('calls', { min: 1, max: 2_147_483_647 }) : undefined;
  const kilobytes = attributes.has('bandwidth') ? attributes.integer('bandwidth', { min: 1, max: Number.MAX_SAFE_INTEGER }) : undefined;
  if (calls === undefined && kilobytes === undefined) throw attributes.error("'calls' or 'bandwidth' (or both) is required.");
  const periodSeconds = attributes.integer('renewal-period', { min: 0, max: 2_147_483_647 });
  if (periodSeconds !== 0 && periodSeconds < minPeriod) {
    throw attributes.error(`The attribute 'renewal-period' must be 0 (never renews) or at least ${minPeriod} seconds; got '${periodSeconds}'.`, attributes.get('renewal-period'));
  }
  return { calls, kilobytes, periodSeconds };
}

export function limitsOf(spec: QuotaSpec, periodStart: Date): QuotaLimits {
  return {
    ...(spec.calls === undefined ? {} : { calls: spec.calls }),
    ...(spec.kilobytes === undefined ? {} : { kilobytes: spec.kilobytes }),
    periodSeconds: spec.periodSeconds,
    periodStart,
  };
}

export function quotaExceeded(decision: QuotaDecision): PolicyResponse {
  const response = decision.exceeded === 'bandwidth' ? bandwidthQuotaResponse(decision.secondsUntilRenewal) : callQuotaResponse(decision.secondsUntilRenewal);
  return PolicyResponse.from(response);
}

/** Bandwidth counts both directions. */
export const bytesOf = (call: PolicyCall, response: PolicyResponse) => (call.body?.length ?? 0) + response.body.length;

export function quotaTrace(decision: QuotaDecision, spec: QuotaSpec): string {
  const parts: string[] = [];
  if (spec.calls !== undefined) parts.push(`${ordinal(decision.callsUsed + 1)} call of ${spec.calls}`);
  if (spec.kilobytes !== undefined) parts.push(`${decision.kilobytesUsed} KB used of ${spec.kilobytes}`);
  const period = spec.periodSeconds === 0 ? 'no renewal' : `period ${spec.periodSeconds} s`;
  const verdict = decision.allowed ? 'allowed' : `403 (${decision.exceeded}), renews in ${Math.ceil(decision.secondsUntilRenewal)} s`;
  return `${parts.join(', ')} (${period}): ${verdict}`;
}

/**
 * A quota's status for the IETF headers: its calls (its kilobytes when it limits
 * bandwidth alone), what is left once this call is counted, and the seconds until
 * it renews; a spent quota says 0 of the limit that is spent. A quota that never
 * renews says nothing: `RateLimit-Reset` has no way to say "never".
 */
export function offerQuotaStatus(call: PolicyCall, decision: QuotaDecision, spec: QuotaSpec): void {
  if (spec.periodSeconds === 0) return;
  const resetSeconds = wholeSeconds(decision.secondsUntilRenewal);
  if (!decision.allowed) {
    const unit = decision.exceeded === 'bandwidth' ? 'kilobytes' : 'calls';
    const limit = unit === 'kilobytes' ? spec.kilobytes : spec.calls;
    if (limit !== undefined) offerLimitStatus(call, { limit, remaining: 0, resetSeconds, unit });
  } else if (spec.calls !== undefined) {
    offerLimitStatus(call, { limit: spec.calls, remaining: Math.max(0, spec.calls - decision.callsUsed - 1), resetSeconds, unit: 'calls' });
  } else if (spec.kilobytes !== undefined) {
    offerLimitStatus(call, { limit: spec.kilobytes, remaining: Math.max(0, spec.kilobytes - decision.kilobytesUsed), resetSeconds, unit: 'kilobytes' });
  }
}
