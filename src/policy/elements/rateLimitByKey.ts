import type { PolicyCall } from '../call';
import { CONTINUE } from '../step';
import { Attributes, childElements } from './attributes';
import { ALL_SCOPES, originOf, type ElementDefinition } from './definition';
import { MAX_RATE_LIMIT_PERIOD_SECONDS } from './rateLimit';
import { IETF_HEADERS_ATTRIBUTE, offerRateStatus, publishRemaining, RATE_LIMIT_NAME_ATTRIBUTES, rateLimitNames, rateTrace, readIetfHeaders, remainingAfter, tooManyCalls } from './throttling';
import { attributeCondition, attributeText } from './values';

/**
 * `<rate-limit-by-key calls renewal-period counter-key increment-condition increment-count>`:
 * one sliding window per key value, shared by every scope that uses the same value.
 */
export const rateLimitByKey: ElementDefinition = {
  name: 'rate-limit-by-key',
  sections: ['inbound'],
  scopes: ALL_SCOPES,
  compile(element, context) {
    const attributes = new Attributes(element, ['calls', 'renewal-period', 'counter-key', 'increment-condition', 'increment-count', ...RATE_LIMIT_NAME_ATTRIBUTES, IETF_HEADERS_ATTRIBUTE]);
    childElements(element, []);
    const calls = attributes.integer('calls', { min: 1, max: 2_147_483_647 });
    const periodSeconds = attributes.integer('renewal-period', { min: 1, max: MAX_RATE_LIMIT_PERIOD_SECONDS });
    const counterKey = attributeText(attributes.required('counter-key'), element.name, context);
    const conditionAttribute = attributes.get('increment-condition');
    const condition = conditionAttribute ? attributeCondition(conditionAttribute, element.name, context) : null;
    const count = attributes.integer('increment-count', { min: 1, max: 2_147_483_647 }, 1);
    const names = rateLimitNames(attributes);
    const ietfHeaders = readIetfHeaders(attributes);
    return {
      origin: originOf(element, context),
      run: (call) => {
        const { rateLimiter } = call.services;
        const value = counterKey(call);
        const key = `rate-limit-by-key|${value}`;
        const decision = rateLimiter.peek(key, calls, periodSeconds);
        call.note(() => `${counterKeyTrace(call, value)}: ${rateTrace(decision, periodSeconds, count)}`);
        if (!decision.allowed) {
          if (ietfHeaders) offerRateStatus(call, decision, count, key, periodSeconds);
          return tooManyCalls(call, decision, names);
        }
        if (condition === null) rateLimiter.add(key, periodSeconds, count);
        else call.onResponse(() => condition(call) && rateLimiter.add(key, periodSeconds, count));
        publishRemaining(call, remainingAfter(decision, count), decision.limit, names);
        if (ietfHeaders) offerRateStatus(call, decision, count, key, periodSeconds);
        return CONTINUE;
      },
    };
  },
};

/**
 * Which counter the call was counted on, for the trace (troubleshooting scenario
 * 5: a limit per caller IP address). The value is only shown when it is the
 * caller's address: a counter key may be made of anything, a key included.
 */
function counterKeyTrace(call: PolicyCall, value: string): string {
  return value !== '' && value === call.ipAddress ? `counter key ${value} (the caller's IP address)` : 'counter key from counter-key (its value is not traced)';
}
