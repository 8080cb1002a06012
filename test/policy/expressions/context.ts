/** A policy expression context for tests, with overrides; dictionaries as the pipeline will build them. */

import type { ExpressionContext, ReadOnlyDictionary, UrlView } from '../../../src/policy/context';
import { type CompiledExpression, compileExpression } from '../../../src/policy/expressions';

/** A dictionary over a Map; `ignoreCase` for headers and query parameters, as APIM's. */
export function dictionary<V>(entries: Record<string, V>, ignoreCase = false): ReadOnlyDictionary<V> {
  const fold = (key: string) => (ignoreCase ? key.toLowerCase() : key);
  const map = new Map(Object.entries(entries).map(([k, v]) => [fold(k), v] as const));
  return { Keys: Object.keys(entries), get: (key) => map.get(fold(key)) };
}

export function url(path: string, query: Record<string, string[]> = {}): UrlView {
  const queryString = Object.entries(query).flatMap(([k, vs]) => vs.map((v) => `${k}=${v}`)).join('&');
  return {
    Scheme: 'https',
    Host: 'contoso.azure-api.net',
    Port: 443,
    Path: path,
    Query: dictionary(query, true),
    QueryString: queryString === '' ? '' : `?${queryString}`,
  };
}

type Overrides = { -readonly [K in keyof ExpressionContext]?: ExpressionContext[K] };

export function makeContext(overrides: Overrides = {}): ExpressionContext {
  return {
    Api: {
      Id: 'echo-api',
      Name: 'Echo API',
      Path: 'echo',
      Protocols: ['https'],
      ServiceUrl: url('/'),
      SubscriptionKeyParameterNames: { Header: 'Ocp-Apim-Subscription-Key', Query: 'subscription-key' },
    },
    Operation: { Id: 'get-posts', Name: 'GetPosts', Method: 'GET', UrlTemplate: '/posts' },
    Product: {
      Id: 'starter',
      Name: 'Starter',
      State: 'published',
      ApprovalRequired: false,
      SubscriptionRequired: true,
      SubscriptionLimit: 1,
    },
    Subscription: {
      Id: 'sub-1',
      Name: 'Developer',
      CreatedDate: new Date('2024-01-02T03:04:05.678Z'),
      StartDate: null,
      EndDate: null,
    },
    Request: {
      Method: 'GET',
      Url: url('/echo/posts', { q: ['apim'], tag: ['a', 'b'] }),
      OriginalUrl: url('/echo/posts', { q: ['apim'], tag: ['a', 'b'] }),
      Headers: dictionary({ 'X-Client': ['lab'], Accept: ['text/plain', 'application/json'] }, true),
      IpAddress: '10.0.0.7',
      MatchedParameters: dictionary({ id: '42' }),
      Body: { As: () => '{"hello":"world"}' },
    },
    Response: {
      StatusCode: 200,
      StatusReason: 'OK',
      Headers: dictionary({ 'Content-Type': ['application/json'] }, true),
      Body: null,
    },
    Variables: dictionary<unknown>({ name: 'apim', count: 3, enabled: true, ratio: 0.5 }),
    Deployment: { ServiceName: 'contoso', Region: 'West Europe' },
    RequestId: '8c5ba0a0-0000-4000-8000-000000000001',
    Timestamp: new Date('2025-06-01T12:00:00.000Z'),
    Elapsed: 1500,
    LastError: null,
    ...overrides,
  };
}

export const where = { element: 'set-header', position: { line: 1, column: 1 } };

export function compile(text: string): CompiledExpression {
  return compileExpression(text, where);
}

/** Compiles `text` and runs it against a context. */
export function evaluate(text: string, overrides: Overrides = {}): unknown {
  return compile(text)(makeContext(overrides));
}
