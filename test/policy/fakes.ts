/**
 * Test doubles for the policy engine: a tiny expression compiler that knows a few
 * literal forms, in-memory throttling and cache services with a settable clock,
 * and a call builder.
 */
import { PolicyCall, type BackendResponse, type PolicyCallInit } from '../../src/policy/call';
import { PolicyError, type ExpressionContext } from '../../src/policy/context';
import type { ExpressionCompiler } from '../../src/policy/elements/definition';
import { parsePolicyDocument, type PolicyDocument } from '../../src/policy/document';
import type { Scope } from '../../src/policy/step';
import type {
  CachedResponse,
  PolicyServices,
  QuotaCounter,
  QuotaDecision,
  QuotaLimits,
  RateDecision,
  RateLimiter,
  ResponseCache,
} from '../../src/policy/services';

type Read = (c: ExpressionContext) => unknown;

const FORMS: [RegExp, (m: RegExpMatchArray) => Read][] = [
  [/^"([^"]*)"$/, (m) => () => m[1]],
  [/^(true|false)$/, (m) => () => m[1] === 'true'],
  [/^(\d+)$/, (m) => () => Number(m[1])],
  [/^context\.Request\.Method$/, () => (c) => c.Request.Method],
  [/^context\.Request\.IpAddress$/, () => (c) => c.Request.IpAddress],
  [/^context\.Request\.Url\.Path$/, () => (c) => c.Request.Url.Path],
  [/^context\.Subscription\.Id$/, () => (c) => c.Subscription?.Id],
  [/^context\.Response\.StatusCode == (\d+)$/, (m) => (c) => c.Response?.StatusCode === Number(m[1])],
  [/^context\.Request\.Headers\.GetValueOrDefault\("([^"]*)", ?"([^"]*)"\)$/, (m) => (c) => c.Request.Headers.get(m[1]!)?.join(',') ?? m[2]],
  [/^context\.Variables\["([^"]*)"\]$/, (m) => (c) => c.Variables.get(m[1]!)],
  [/^context\.LastError\.Source$/, () => (c) => c.LastError?.Source],
  [/^context\.LastError\.Message$/, () => (c) => c.LastError?.Message],
  [/^throw$/, () => () => {
    throw new Error('expression failed');
  }],
];

/** Knows `@("text")`, `@(true)`, `@(7)` and a few `context` members; refuses anything else at its position. */
export const fakeCompileExpression: ExpressionCompiler = (text, where) => {
  const inner = text.startsWith('@(') && text.endsWith(')') ? text.slice(2, -1).trim() : null;
  if (inner !== null) {
    for (const [pattern, make] of FORMS) {
      const match = inner.match(pattern);
      if (match) return make(match);
    }
  }
  throw new PolicyError(`Unsupported expression '${text}'.`, where.element, where.position);
};

export const compiled = (text: string, scope: Scope = 'api'): PolicyDocument =>
  parsePolicyDocument(text, 'xml', scope, { compileExpression: fakeCompileExpression });

/** Wraps section content: `policies({ inbound: '<base />' })`. */
export function policies(sections: Partial<Record<'inbound' | 'backend' | 'outbound' | 'on-error', string>>): string {
  return `<policies>${(['inbound', 'backend', 'outbound', 'on-error'] as const)
    .filter((s) => sections[s] !== undefined)
    .map((s) => `<${s}>${sections[s]}</${s}>`)
    .join('')}</policies>`;
}

export class Clock {
  constructor(public ms = Date.UTC(2024, 0, 1)) {}
  readonly now = () => this.ms;
  advance(seconds: number) {
    this.ms += seconds * 1000;
  }
}

/** Sliding windows kept as call times. */
export class FakeRateLimiter implements RateLimiter {
  readonly calls = new Map<string, number[]>();
  constructor(private readonly clock: Clock) {}

  private live(key: string, periodSeconds: number): number[] {
    const since = this.clock.ms - periodSeconds * 1000;
    const times = (this.calls.get(key) ?? []).filter((t) => t > since);
    this.calls.set(key, times);
    return times;
  }

  peek(key: string, limit: number, periodSeconds: number): RateDecision {
    const times = this.live(key, periodSeconds);
    const allowed = times.length < limit;
    const oldest = times[0] ?? this.clock.ms;
    const retryAfterSeconds = allowed ? 0 : Math.max(1, Math.ceil((oldest + periodSeconds * 1000 - this.clock.ms) / 1000));
    // As the real limiter: `remaining` is what still fits after this call.
    return { allowed, remaining: Math.max(0, limit - times.length - 1), retryAfterSeconds, limit, count: times.length };
  }

  add(key: string, periodSeconds: number, count: number): void {
    const times = this.live(key, periodSeconds);
    for (let i = 0; i < count; i += 1) times.push(this.clock.ms);
  }

  resetSeconds(key: string, periodSeconds: number): number {
    const oldest = this.live(key, periodSeconds)[0];
    return oldest === undefined ? periodSeconds : Math.ceil((oldest + periodSeconds * 1000 - this.clock.ms) / 1000);
  }
}

/** Fixed periods from the limits' start. */
export class FakeQuotas implements QuotaCounter {
  readonly used = new Map<string, { period: number; calls: number; bytes: number }>();
  constructor(private readonly clock: Clock) {}

  private period(limits: QuotaLimits): number {
    if (limits.periodSeconds === 0) return 0;
    return Math.floor((this.clock.ms - limits.periodStart.getTime()) / (limits.periodSeconds * 1000));
  }

  private entry(key: string, limits: QuotaLimits) {
    const period = this.period(limits);
    const entry = this.used.get(key);
    if (entry && entry.period === period) return entry;
    const fresh = { period, calls: 0, bytes: 0 };
    this.used.set(key, fresh);
    return fresh;
  }

  check(key: string, limits: QuotaLimits): QuotaDecision {
    const entry = this.entry(key, limits);
    const kilobytesUsed = Math.floor(entry.bytes / 1024);
    const exceeded =
      limits.calls !== undefined && entry.calls >= limits.calls ? 'calls' : limits.kilobytes !== undefined && kilobytesUsed >= limits.kilobytes ? 'bandwidth' : null;
    const end = limits.periodStart.getTime() + (this.period(limits) + 1) * limits.periodSeconds * 1000;
    return { allowed: exceeded === null, exceeded, secondsUntilRenewal: Math.max(0, (end - this.clock.ms) / 1000), callsUsed: entry.calls, kilobytesUsed };
  }

  add(key: string, limits: QuotaLimits, calls: number, bytes: number): void {
    const entry = this.entry(key, limits);
    entry.calls += calls;
    entry.bytes += bytes;
  }
}

export class FakeCache implements ResponseCache {
  readonly entries = new Map<string, { response: CachedResponse; until: number }>();
  constructor(private readonly clock: Clock) {}
  get(key: string) {
    const entry = this.entries.get(key);
    return entry && entry.until > this.clock.ms ? entry.response : undefined;
  }
  set(key: string, response: CachedResponse, durationSeconds: number) {
    this.entries.set(key, { response, until: this.clock.ms + durationSeconds * 1000 });
  }
}

export function fakeServices(clock = new Clock()): PolicyServices & { clock: Clock; rateLimiter: FakeRateLimiter; quotas: FakeQuotas; cache: FakeCache } {
  return { clock, now: clock.now, rateLimiter: new FakeRateLimiter(clock), quotas: new FakeQuotas(clock), cache: new FakeCache(clock) };
}

export const okBackend = (body = 'from backend'): PolicyCallInit['backend'] => async (): Promise<BackendResponse> => ({
  status: 200,
  headers: [['Content-Type', 'text/plain']],
  body: Buffer.from(body),
});

export const SUBSCRIPTION = {
  id: 'sub-1',
  name: 'Starter admin',
  ownerId: 'user-1',
  createdDate: new Date('2024-01-01T00:00:00Z'),
  startDate: new Date('2024-01-01T00:00:00Z'),
  endDate: null,
};

export const PRODUCT = {
  id: 'starter',
  name: 'Starter',
  state: 'published',
  approvalRequired: false,
  subscriptionRequired: true,
  subscriptionsLimit: 1,
};

export function makeCall(overrides: Partial<PolicyCallInit> = {}): PolicyCall {
  return new PolicyCall({
    method: 'GET',
    url: { scheme: 'https', host: 'gw.example', port: 443, path: '/echo/resource', query: [['param1', 'sample']] },
    backendPath: '/resource',
    backendUrl: 'https://backend.example/api',
    headers: [['Accept', 'application/json']],
    body: null,
    api: {
      id: 'echo-api',
      name: 'Echo API',
      path: 'echo',
      protocols: ['https'],
      serviceUrl: 'https://backend.example/api',
      subscriptionKeyHeaderName: 'Ocp-Apim-Subscription-Key',
      subscriptionKeyQueryName: 'subscription-key',
    },
    operation: { id: 'retrieve-resource', name: 'Retrieve resource', method: 'GET', urlTemplate: '/resource' },
    product: PRODUCT,
    subscription: SUBSCRIPTION,
    ipAddress: '10.0.0.5',
    requestId: '00000000-0000-4000-8000-000000000001',
    services: fakeServices(),
    backend: okBackend(),
    trace: true,
    ...overrides,
  });
}

export const bodyText = (body: Uint8Array) => Buffer.from(body).toString('utf8');

/** The write-time refusal of an inbound section at a scope; throws when the document is accepted. */
export function inboundRefusal(inbound: string, scope: Scope): PolicyError {
  try {
    compiled(policies({ inbound }), scope);
  } catch (error) {
    if (error instanceof PolicyError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}
