import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cacheKey, encodeParts, type CacheKeyParts } from '../../../src/policy/cache/cacheKey';

const base: CacheKeyParts = { apiId: 'echo-api', operationId: 'retrieve-resource', url: '/echo/resource?param1=sample' };

describe('cache keys', () => {
  it('differ when parts differ only in where one ends and the next begins', () => {
    expect(cacheKey({ ...base, apiId: 'ab', operationId: 'c' })).not.toBe(cacheKey({ ...base, apiId: 'a', operationId: 'bc' }));
    expect(encodeParts(['ab', 'c'])).not.toBe(encodeParts(['a', 'bc']));
    expect(encodeParts(['1:a'])).not.toBe(encodeParts(['a', undefined]));
  });

  it('tell an absent value from an empty one, and a header from a query parameter', () => {
    const absent = cacheKey({ ...base, headers: [['Accept', undefined]] });
    const empty = cacheKey({ ...base, headers: [['Accept', '']] });
    expect(absent).not.toBe(empty);
    expect(cacheKey({ ...base, headers: [['x', '1']] })).not.toBe(cacheKey({ ...base, query: [['x', '1']] }));
    expect(cacheKey({ ...base, developer: '' })).not.toBe(cacheKey(base));
    expect(cacheKey({ ...base, developerGroups: [] })).not.toBe(cacheKey(base));
  });

  it('ignore header-name case and the order vary-by elements are listed in', () => {
    expect(cacheKey({ ...base, headers: [['Accept', 'a'], ['X-Id', '1']] })).toBe(cacheKey({ ...base, headers: [['x-id', '1'], ['ACCEPT', 'a']] }));
    expect(cacheKey({ ...base, query: [['b', '2'], ['a', '1']] })).toBe(cacheKey({ ...base, query: [['a', '1'], ['b', '2']] }));
    expect(cacheKey({ ...base, query: [['A', '1']] })).not.toBe(cacheKey({ ...base, query: [['a', '1']] }));
  });

  it('are one-to-one over any parts: the encoding reads back to exactly the parts', () => {
    const decode = (key: string) => {
      const parts: (string | undefined)[] = [];
      for (let at = 0; at < key.length; ) {
        if (key[at] === '-') {
          parts.push(undefined);
          at += 1;
          continue;
        }
        const colon = key.indexOf(':', at);
        const length = Number(key.slice(at, colon));
        parts.push(key.slice(colon + 1, colon + 1 + length));
        at = colon + 1 + length;
      }
      return parts;
    };
    const value = fc.option(fc.string({ maxLength: 8 }), { nil: undefined });
    fc.assert(
      fc.property(fc.array(value, { maxLength: 8 }), (parts) => {
        expect(decode(encodeParts(parts))).toEqual(parts);
      }),
      { numRuns: 300 },
    );
  });
});
