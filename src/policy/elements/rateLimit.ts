import type { RateDecision } from '../services';
import { CONTINUE } from '../step';
import { Attributes } from './attributes';
import { originOf, type ElementDefinition } from './definition';
import { applicableTargets, publishRemaining, RATE_LIMIT_NAME_ATTRIBUTES, rateLimitNames, rateTrace, scopeKey, targetLimits, tooManyCalls } from './throttling';

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
    const attributes = new Attributes(element, ['calls', 'renewal-period', ...RATE_LIMIT_NAME_ATTRIBUTES]);
    const own = readRate(attributes);
    const names = rateLimitNames(attributes);
    const targets = targetLimits(element, ['calls', 'renewal-period'], readRate);
    const origin = originOf(element, context);
    return {
      origin,
      run: (call) => {
        const subscription = call.subscription;
        if (subscription === null) {
          call.note('no subscription: not counted');
          return CONTINUE;
        }
        const { rateLimiter } = call.services;
        const key = `rate-limit|${scopeKey(call, origin)}|${subscription.id}`;
        const limits = [{ suffix: '', limit: own }, ...(targets.length === 0 ? [] : applicableTargets(targets, call))];
        const decisions: RateDecision[] = [];
        for (const { suffix, limit } of limits) {
          const decision = rateLimiter.peek(key + suffix, limit.calls, limit.periodSeconds);
          if (!decision.allowed) {
            call.note(() => rateTrace(decision, limit.periodSeconds));
            return tooManyCalls(call, decision, names);
          }
          decisions.push(decision);
        }
        for (const { suffix, limit } of limits) rateLimiter.add(key + suffix, limit.periodSeconds, 1);
        const tightest = decisions.reduce((a, b) => (b.remaining < a.remaining ? b : a));
        publishRemaining(call, Math.max(0, tightest.remaining - 1), tightest.limit, names);
        call.note(() => rateTrace(decisions[0]!, own.periodSeconds));
        return CONTINUE;
      },
    };
  },
};
