import { CONTINUE } from '../step';
import { Attributes } from './attributes';
import { originOf, type ElementDefinition } from './definition';
import { bytesOf, limitsOf, quotaExceeded, quotaTrace, readQuota, type QuotaSpec } from './quotaLimits';
import { applicableTargets, scopeKey, targetLimits } from './throttling';

const QUOTA_ATTRIBUTES = ['calls', 'bandwidth', 'renewal-period'];
const read = (attributes: Attributes): QuotaSpec => readQuota(attributes, 0);

/** `<quota calls bandwidth renewal-period>`: per subscription, fixed periods from the subscription's start (product scope only). */
export const quota: ElementDefinition = {
  name: 'quota',
  sections: ['inbound'],
  scopes: ['product'],
  compile(element, context) {
    const own = read(new Attributes(element, QUOTA_ATTRIBUTES));
    const targets = targetLimits(element, QUOTA_ATTRIBUTES, read);
    const origin = originOf(element, context);
    return {
      origin,
      run: (call) => {
        const subscription = call.subscription;
        if (subscription === null) {
          call.note('no subscription: not counted');
          return CONTINUE;
        }
        const { quotas } = call.services;
        const start = subscription.startDate ?? subscription.createdDate;
        const key = `quota|${scopeKey(call, origin)}|${subscription.id}`;
        const counted = [{ suffix: '', limit: own }, ...(targets.length === 0 ? [] : applicableTargets(targets, call))].map(
          ({ suffix, limit }) => ({ key: key + suffix, spec: limit, limits: limitsOf(limit, start) }),
        );
        for (const { key: counterKey, spec, limits } of counted) {
          const decision = quotas.check(counterKey, limits);
          if (counterKey === key) call.note(() => quotaTrace(decision, spec));
          if (!decision.allowed) {
            call.note(() => quotaTrace(decision, spec));
            return quotaExceeded(decision);
          }
        }
        call.onResponse((response) => {
          const bytes = bytesOf(call, response);
          for (const { key: counterKey, limits } of counted) quotas.add(counterKey, limits, 1, bytes);
        });
        return CONTINUE;
      },
    };
  },
};
