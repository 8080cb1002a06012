/**
 * What the rate-limit and quota elements share: their `<api>`/`<operation>`
 * children, the counter scope, the 429 with its optional header names, and the
 * trace wording.
 */
import { rateLimitResponse, type ApimResponse } from '../../apim/gatewayResponses';
import { PolicyResponse, type CallSubscription, type LimitStatus, type PolicyCall } from '../call';
import { PolicyError } from '../context';
import type { XmlElement } from '../parse';
import type { RateDecision } from '../services';
import { CONTINUE, type StepOrigin, type StepOutcome } from '../step';
import { Attributes, childElements } from './attributes';

/** `1st`, `2nd`, `3rd`, `6th`, `11th`. */
export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${suffix}`;
}

/** The document a step belongs to, as part of a counter key: one counter per scope entity. */
export function scopeKey(call: PolicyCall, origin: StepOrigin): string {
  switch (origin.scope) {
    case 'product':
      return `product/${call.product?.id ?? ''}`;
    case 'api':
      return `api/${call.api.id}`;
    case 'operation':
      return `operation/${call.api.id}/${call.operation.id}`;
    default:
      return 'global';
  }
}

/**
 * The counter keys of one throttling step (`prefix|scope|subscription`), kept per
 * subscription so a call finds its key without building the string again. A key is
 * checked against the scope entities it was made for, so a step reused in another
 * context never takes a key of another scope.
 */
export class CounterKeys {
  private readonly keys = new WeakMap<CallSubscription, { product: string | undefined; api: string; operation: string; key: string }>();

  constructor(
    private readonly prefix: string,
    private readonly origin: StepOrigin,
  ) {}

  of(call: PolicyCall, subscription: CallSubscription): string {
    const product = call.product?.id;
    const api = call.api.id;
    const operation = call.operation.id;
    const known = this.keys.get(subscription);
    if (known !== undefined && known.product === product && known.api === api && known.operation === operation) return known.key;
    const key = `${this.prefix}|${scopeKey(call, this.origin)}|${subscription.id}`;
    this.keys.set(subscription, { product, api, operation, key });
    return key;
  }
}

/**
 * The run of a per-subscription limit (`rate-limit`, `quota`): a call without a
 * subscription is not counted (and the trace says so); any other call runs `count`
 * with its subscription and its counter key.
 */
export function perSubscription(
  counterKeys: CounterKeys,
  count: (call: PolicyCall, key: string, subscription: CallSubscription) => StepOutcome,
): (call: PolicyCall) => StepOutcome {
  return (call) => {
    const subscription = call.subscription;
    if (subscription === null) {
      call.note('no subscription: not counted');
      return CONTINUE;
    }
    return count(call, counterKeys.of(call, subscription), subscription);
  };
}

/** An `<api>` or `<operation>` child: a separate limit for calls to that API or operation. */
export interface TargetLimit<L> {
  readonly kind: 'api' | 'operation';
  /** Matches by `name` (display name) or `id`. */
  readonly name: string | undefined;
  readonly id: string | undefined;
  readonly limit: L;
  readonly operations: readonly TargetLimit<L>[];
}

/**
 * Reads `<api name|id ...>` children (each with optional `<operation name|id ...>`
 * children) of a throttling element; `readLimit` reads their limit attributes.
 */
export function targetLimits<L>(
  element: XmlElement,
  limitAttributes: readonly string[],
  readLimit: (attributes: Attributes) => L,
): TargetLimit<L>[] {
  const read = (child: XmlElement, kind: 'api' | 'operation'): TargetLimit<L> => {
    const attributes = new Attributes(child, ['name', 'id', ...limitAttributes]);
    const name = attributes.string('name');
    const id = attributes.string('id');
    if (name === undefined && id === undefined) throw new PolicyError(`'${kind}' needs a 'name' or an 'id'.`, child.name, child.position);
    const operations = kind === 'api' ? childElements(child, ['operation']).map((op) => read(op, 'operation')) : (childElements(child, []), []);
    return { kind, name, id, limit: readLimit(attributes), operations };
  };
  return childElements(element, ['api']).map((child) => read(child, 'api'));
}

const matches = (target: { name: string | undefined; id: string | undefined }, name: string, id: string) =>
  (target.id !== undefined && target.id === id) || (target.name !== undefined && target.name === name);

/** The API limit and operation limit that apply to this call, with their counter key suffixes. */
export function applicableTargets<L>(targets: readonly TargetLimit<L>[], call: PolicyCall): { suffix: string; limit: L }[] {
  const found: { suffix: string; limit: L }[] = [];
  for (const api of targets) {
    if (!matches(api, call.api.name, call.api.id)) continue;
    found.push({ suffix: `|api/${call.api.id}`, limit: api.limit });
    for (const operation of api.operations) {
      if (matches(operation, call.operation.name, call.operation.id)) {
        found.push({ suffix: `|operation/${call.api.id}/${call.operation.id}`, limit: operation.limit });
      }
    }
  }
  return found;
}

/** The optional header and variable names of the rate-limit elements. */
export interface RateLimitNames {
  readonly retryAfterHeader: string;
  readonly retryAfterVariable: string | undefined;
  readonly remainingHeader: string | undefined;
  readonly remainingVariable: string | undefined;
  readonly totalHeader: string | undefined;
}

export const RATE_LIMIT_NAME_ATTRIBUTES = [
  'retry-after-header-name',
  'retry-after-variable-name',
  'remaining-calls-header-name',
  'remaining-calls-variable-name',
  'total-calls-header-name',
] as const;

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function rateLimitNames(attributes: Attributes): RateLimitNames {
  const header = (name: string) => {
    const value = attributes.string(name)?.trim();
    if (value !== undefined && !HEADER_NAME.test(value)) throw attributes.error(`The attribute '${name}' must be a header name; got '${value}'.`, attributes.get(name));
    return value;
  };
  return {
    retryAfterHeader: header('retry-after-header-name') ?? 'Retry-After',
    retryAfterVariable: attributes.string('retry-after-variable-name')?.trim(),
    remainingHeader: header('remaining-calls-header-name'),
    remainingVariable: attributes.string('remaining-calls-variable-name')?.trim(),
    totalHeader: header('total-calls-header-name'),
  };
}

/** A ready 429 and its `Retry-After` value. */
interface RateLimitAnswer {
  readonly response: ApimResponse;
  readonly seconds: string;
}

/** The 429s made so far, by whole seconds: a throttled caller gets the same few again and again. */
const rateLimitAnswers = new Map<number, RateLimitAnswer>();
const MAX_CACHED_RETRY_SECONDS = 3600;

/** Seconds as whole seconds, rounded up, never negative (Retry-After, RateLimit-Reset). */
export const wholeSeconds = (seconds: number): number => (Number.isFinite(seconds) ? Math.max(0, Math.ceil(seconds)) : 0);

function rateLimitAnswer(retryAfterSeconds: number): RateLimitAnswer {
  const whole = wholeSeconds(retryAfterSeconds);
  let answer = rateLimitAnswers.get(whole);
  if (answer === undefined) {
    const response = rateLimitResponse(whole);
    const retryAfter = response.headers.find(([name]) => name.toLowerCase() === 'retry-after');
    answer = Object.freeze({ response: Object.freeze({ ...response, headers: Object.freeze(response.headers.map((pair) => Object.freeze(pair))) }), seconds: retryAfter?.[1] ?? '0' });
    if (whole <= MAX_CACHED_RETRY_SECONDS) rateLimitAnswers.set(whole, answer);
  }
  return answer;
}

/** APIM's 429, with `Retry-After` under the configured name. */
export function tooManyCalls(call: PolicyCall, decision: RateDecision, names: RateLimitNames): PolicyResponse {
  const answer = rateLimitAnswer(decision.retryAfterSeconds);
  const response = PolicyResponse.from(answer.response);
  const seconds = answer.seconds;
  if (names.retryAfterHeader !== 'Retry-After') {
    response.headers.delete('Retry-After');
    response.headers.set(names.retryAfterHeader, [seconds]);
  }
  if (names.retryAfterVariable) call.variables.set(names.retryAfterVariable, Number(seconds));
  if (names.remainingHeader) response.headers.set(names.remainingHeader, ['0']);
  if (names.remainingVariable) call.variables.set(names.remainingVariable, 0);
  if (names.totalHeader) response.headers.set(names.totalHeader, [String(decision.limit)]);
  return response;
}

/**
 * The calls still left once this call's `count` is counted, from the window's count
 * and limit (the limiter's `remaining` already takes one call off).
 */
export const remainingAfter = (decision: RateDecision, count: number): number => Math.max(0, decision.limit - decision.count - count);

/** Publishes the remaining calls of an allowed call (headers go on the final response). */
export function publishRemaining(call: PolicyCall, remaining: number, limit: number, names: RateLimitNames): void {
  if (names.remainingHeader) call.addResponseHeader(names.remainingHeader, String(remaining));
  if (names.remainingVariable) call.variables.set(names.remainingVariable, remaining);
  if (names.totalHeader) call.addResponseHeader(names.totalHeader, String(limit));
}

/** Trace text: `6th call in 60 s, limit 5: 429, retry in 42 s`; `count` is the calls this one counts for. */
export function rateTrace(decision: RateDecision, periodSeconds: number, count = 1): string {
  const head = `${ordinal(decision.count + 1)} call in ${periodSeconds} s, limit ${decision.limit}`;
  return decision.allowed ? `${head}: allowed, ${remainingAfter(decision, count)} left` : `${head}: 429, retry in ${Math.ceil(decision.retryAfterSeconds)} s`;
}

/**
 * Our extension, beyond APIM: `ietf-headers="true"` on `rate-limit`,
 * `rate-limit-by-key`, `quota` and `quota-by-key` adds `RateLimit-Limit`,
 * `RateLimit-Remaining` and `RateLimit-Reset` (draft-ietf-httpapi-ratelimit-headers)
 * to the response the caller gets, allowed or refused. See docs/policies.md.
 */
export const IETF_HEADERS_ATTRIBUTE = 'ietf-headers';

export const readIetfHeaders = (attributes: Attributes): boolean => attributes.boolean(IETF_HEADERS_ATTRIBUTE, false);

/**
 * Whether `a` is more restrictive than `b`: a spent limit first, then a limit on
 * calls before one on kilobytes, then the fewest left, then the longest wait.
 */
function moreRestrictive(a: LimitStatus, b: LimitStatus): boolean {
  if ((a.remaining === 0) !== (b.remaining === 0)) return a.remaining === 0;
  if (a.unit !== b.unit) return a.unit === 'calls';
  if (a.remaining !== b.remaining) return a.remaining < b.remaining;
  return a.resetSeconds > b.resetSeconds;
}

/** Offers one limit's status for the IETF headers; the most restrictive of the call's offers is written on its final response. */
export function offerLimitStatus(call: PolicyCall, status: LimitStatus): void {
  const current = call.limitStatus;
  if (current === null) call.onResponse((response) => writeIetfHeaders(response, call.limitStatus));
  if (current === null || moreRestrictive(status, current)) call.limitStatus = status;
}

function writeIetfHeaders(response: PolicyResponse, status: LimitStatus | null): void {
  if (status === null) return;
  const headers = response.headers;
  headers.set('RateLimit-Limit', [String(status.limit)]);
  headers.set('RateLimit-Remaining', [String(status.remaining)]);
  headers.set('RateLimit-Reset', [String(status.resetSeconds)]);
}

/**
 * A sliding window's status: refused, 0 left until Retry-After; allowed, what is left
 * once `count` calls are counted, and when the window frees a call.
 */
export function offerRateStatus(call: PolicyCall, decision: RateDecision, count: number, key: string, periodSeconds: number): void {
  offerLimitStatus(
    call,
    decision.allowed
      ? { limit: decision.limit, remaining: remainingAfter(decision, count), resetSeconds: call.services.rateLimiter.resetSeconds(key, periodSeconds), unit: 'calls' }
      : { limit: decision.limit, remaining: 0, resetSeconds: wholeSeconds(decision.retryAfterSeconds), unit: 'calls' },
  );
}
