import { CONTINUE } from '../step';
import { Attributes, childElements } from './attributes';
import { ALL_SCOPES, originOf, type ElementDefinition } from './definition';
import { bytesOf, limitsOf, offerQuotaStatus, quotaExceeded, quotaTrace, readQuota } from './quotaLimits';
import { IETF_HEADERS_ATTRIBUTE, readIetfHeaders } from './throttling';
import { attributeCondition, attributeText } from './values';

export const MIN_QUOTA_BY_KEY_PERIOD_SECONDS = 300;
/** APIM's default first period start: the beginning of the year 1. */
const DEFAULT_FIRST_PERIOD_START = new Date('0001-01-01T00:00:00Z');
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/** `<quota-by-key calls bandwidth renewal-period counter-key increment-condition first-period-start>`: one fixed-period quota per key value. */
export const quotaByKey: ElementDefinition = {
  name: 'quota-by-key',
  sections: ['inbound'],
  scopes: ALL_SCOPES,
  compile(element, context) {
    const attributes = new Attributes(element, ['calls', 'bandwidth', 'renewal-period', 'counter-key', 'increment-condition', 'first-period-start', IETF_HEADERS_ATTRIBUTE]);
    childElements(element, []);
    const spec = readQuota(attributes, MIN_QUOTA_BY_KEY_PERIOD_SECONDS);
    const counterKey = attributeText(attributes.required('counter-key'), element.name, context);
    const conditionAttribute = attributes.get('increment-condition');
    const condition = conditionAttribute ? attributeCondition(conditionAttribute, element.name, context) : null;
    const startAttribute = attributes.get('first-period-start');
    let start = DEFAULT_FIRST_PERIOD_START;
    if (startAttribute !== undefined) {
      const text = startAttribute.value.trim();
      const when = ISO_DATE.test(text) ? new Date(/T/.test(text) && !/(Z|[+-]\d{2}:\d{2})$/.test(text) ? `${text}Z` : text) : new Date(NaN);
      if (Number.isNaN(when.getTime())) throw attributes.error(`The attribute 'first-period-start' must be an ISO 8601 date; got '${startAttribute.value}'.`, startAttribute);
      start = when;
    }
    const limits = limitsOf(spec, start);
    const ietfHeaders = readIetfHeaders(attributes);
    return {
      origin: originOf(element, context),
      run: (call) => {
        const { quotas } = call.services;
        const key = `quota-by-key|${counterKey(call)}`;
        const decision = quotas.check(key, limits);
        call.note(() => quotaTrace(decision, spec));
        if (ietfHeaders) offerQuotaStatus(call, decision, spec);
        if (!decision.allowed) return quotaExceeded(decision);
        call.onResponse((response) => {
          if (condition === null || condition(call)) quotas.add(key, limits, 1, bytesOf(call, response));
        });
        return CONTINUE;
      },
    };
  },
};
