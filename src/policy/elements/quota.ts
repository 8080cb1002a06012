import { CONTINUE } from '../step';
import { Attributes } from './attributes';
import { originOf, type ElementDefinition } from './definition';
import { bytesOf, limitsOf, offerQuotaStatus, quotaExceeded, quotaTrace, readQuota, type QuotaSpec } from './quotaLimits';
import { applicableTargets, CounterKeys, IETF_HEADERS_ATTRIBUTE, perSubscription, readIetfHeaders, targetLimits } from './throttling';
import type { QuotaDecision, QuotaLimits } from '../services';

const QUOTA_ATTRIBUTES = ['calls', 'bandwidth', 'renewal-period'];
const read = (attributes: Attributes): QuotaSpec => readQuota(attributes, 0);

/** `<quota calls bandwidth renewal-period>`: per subscription, fixed periods from the subscription's start (product scope only). */
export const quota: ElementDefinition = {
  name: 'quota',
  sections: ['inbound'],
  scopes: ['product'],
  compile(element, context) {
    const attributes = new Attributes(element, [...QUOTA_ATTRIBUTES, IETF_HEADERS_ATTRIBUTE]);
    const own = read(attributes);
    const ietfHeaders = readIetfHeaders(attributes);
    const targets = targetLimits(element, QUOTA_ATTRIBUTES, read);
    const origin = originOf(element, context);
    const counterKeys = new CounterKeys('quota', origin);
    /** The limits of each first-period start (a subscription's start date, the same object call after call). */
    const ownLimits = new WeakMap<Date, QuotaLimits>();
    return {
      origin,
      run: perSubscription(counterKeys, (call, key, subscription) => {
        const { quotas } = call.services;
        const start = subscription.startDate ?? subscription.createdDate;
        if (targets.length === 0) {
          // The usual form: one quota, nothing to collect.
          let limits = ownLimits.get(start);
          if (limits === undefined) ownLimits.set(start, (limits = limitsOf(own, start)));
          const decision = quotas.check(key, limits);
          if (call.trace !== null) call.note(quotaTrace(decision, own));
          if (ietfHeaders) offerQuotaStatus(call, decision, own);
          if (!decision.allowed) return quotaExceeded(decision);
          const counted = limits;
          call.onResponse((response) => quotas.add(key, counted, 1, bytesOf(call, response)));
          return CONTINUE;
        }
        const counted = [{ suffix: '', limit: own }, ...applicableTargets(targets, call)].map(
          ({ suffix, limit }) => ({ key: key + suffix, spec: limit, limits: limitsOf(limit, start) }),
        );
        const decisions: QuotaDecision[] = [];
        for (const { key: counterKey, spec, limits } of counted) {
          const decision = quotas.check(counterKey, limits);
          if (counterKey === key) call.note(() => quotaTrace(decision, spec));
          if (!decision.allowed) {
            call.note(() => quotaTrace(decision, spec));
            if (ietfHeaders) offerQuotaStatus(call, decision, spec);
            return quotaExceeded(decision);
          }
          decisions.push(decision);
        }
        if (ietfHeaders) counted.forEach(({ spec }, i) => offerQuotaStatus(call, decisions[i]!, spec));
        call.onResponse((response) => {
          const bytes = bytesOf(call, response);
          for (const { key: counterKey, limits } of counted) quotas.add(counterKey, limits, 1, bytes);
        });
        return CONTINUE;
      }),
    };
  },
};
