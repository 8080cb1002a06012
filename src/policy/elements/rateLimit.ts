import type { RateDecision } from '../services';
import { CONTINUE } from '../step';
import { Attributes } from './attributes';
import { originOf, type ElementDefinition } from './definition';
import { applicableTargets, CounterKeys, IETF_HEADERS_ATTRIBUTE, offerRateStatus, perSubscription, publishRemaining, RATE_LIMIT_NAME_ATTRIBUTES, rateLimitNames, rateTrace, readIetfHeaders, remainingAfter, targetLimits, tooManyCalls } from './throttling';

export const MAX_RATE_LIMIT_PERIOD_SECONDS = 300;

interface RateLimitSpec {
  readonly calls: number;
  readonly periodSeconds: number;
}

const readRate = (attributes: Attributes): RateLimitSpec => ({
  calls: attributes.integer('calls', { min: 1, max: 2_147_483_647 }),
  periodSeconds: attributes.integer('renewal-period', { min: 1, max: MAX_RATE_LIMIT_PERIOD_SECONDS }),
});

/** `<rate-limit calls renewal-period>`: calls per subscription in a sliding window (429 beyond). */
export const rateLimit: ElementDefinition = {
  name: 'rate-limit',
  sections: ['inbound'],
  scopes: ['product', 'api', 'operation'],
  compile(element, context) {
    const attributes = new Attributes(element, ['calls', 'renewal-period', ...RATE_LIMIT_NAME_ATTRIBUTES, IETF_HEADERS_ATTRIBUTE]);
    const own = readRate(attributes);
    const names = rateLimitNames(attributes);
    const ietfHeaders = readIetfHeaders(attributes);
    const targets = targetLimits(element, ['calls', 'renewal-period'], readRate);
    const origin = originOf(element, context);
    const counterKeys = new CounterKeys('rate-limit', origin);
    return {
      origin,
      run: perSubscription(counterKeys, (call, key) => {
        const { rateLimiter } = call.services;
        if (targets.length === 0) {
          // The usual form: one limit, nothing to collect.
          const decision = rateLimiter.peek(key, own.calls, own.periodSeconds);
          if (!decision.allowed) {
            if (call.trace !== null) call.note(rateTrace(decision, own.periodSeconds));
            if (ietfHeaders) offerRateStatus(call, decision, 1, key, own.periodSeconds);
            return tooManyCalls(call, decision, names);
          }
          rateLimiter.add(key, own.periodSeconds, 1);
          publishRemaining(call, remainingAfter(decision, 1), decision.limit, names);
          if (ietfHeaders) offerRateStatus(call, decision, 1, key, own.periodSeconds);
          if (call.trace !== null) call.note(rateTrace(decision, own.periodSeconds));
          return CONTINUE;
        }
        const limits = [{ suffix: '', limit: own }, ...applicableTargets(targets, call)];
        const decisions: RateDecision[] = [];
        for (const { suffix, limit } of limits) {
          const decision = rateLimiter.peek(key + suffix, limit.calls, limit.periodSeconds);
          if (!decision.allowed) {
            call.note(() => rateTrace(decision, limit.periodSeconds));
            if (ietfHeaders) offerRateStatus(call, decision, 1, key + suffix, limit.periodSeconds);
            return tooManyCalls(call, decision, names);
          }
          decisions.push(decision);
        }
        for (const { suffix, limit } of limits) rateLimiter.add(key + suffix, limit.periodSeconds, 1);
        const tightest = decisions.reduce((a, b) => (remainingAfter(b, 1) < remainingAfter(a, 1) ? b : a));
        publishRemaining(call, remainingAfter(tightest, 1), tightest.limit, names);
        if (ietfHeaders) limits.forEach(({ suffix, limit }, i) => offerRateStatus(call, decisions[i]!, 1, key + suffix, limit.periodSeconds));
        call.note(() => rateTrace(decisions[0]!, own.periodSeconds));
        return CONTINUE;
      }),
    };
  },
};
