import { describe, expect, it } from 'vitest';
import { CACHE_MAX_BYTES_SETTING, DEFAULT_CACHE_MAX_BYTES, LruResponseCache, cacheMaxBytesFromEnv } from '../../../src/policy/cache/responseCache';
import type { CachedResponse } from '../../../src/policy/cache/types';

const T0 = 1_700_000_000_000;
const response = (body: string, headers: [string, string][] = []): CachedResponse => ({ status: 200, headers, body: Buffer.from(body) });

function cache(maxBytes?: number) {
  const clock = { t: T0 };
  return { clock, cache: new LruResponseCache({ maxBytes, now: () => clock.t }) };
}

describe('response cache', () => {
  it('serves a stored response until its duration has passed, then misses and frees it', () => {
    const { clock, cache: c } = cache();
    c.set('k', response('hello', [['content-type', 'text/plain']]), 10);
    expect(c.get('k')).toEqual({ status: 200, headers: [['content-type', 'text/plain']], body: new Uint8Array(Buffer.from('hello')) });
    clock.t = T0 + 9_999;
    expect(c.get('k')).toBeDefined();
    clock.t = T0 + 10_000;
    expect(c.get('k')).toBeUndefined();
    expect(c.size).toBe(0);
    expect(c.bytes).toBe(0);
  });

  it('stores nothing for a duration of 0 or less, and a new store replaces the old entry', () => {
    const { cache: c } = cache();
    c.set('k', response('a'), 0);
    c.set('n', response('a'), -5);
    expect(c.size).toBe(0);
    c.set('k', response('first'), 60);
    c.set('k', response('second!'), 60);
    expect(Buffer.from(c.get('k')!.body).toString()).toBe('second!');
    expect(c.bytes).toBe(1 + 7);
    c.set('k', response('gone'), 0);
    expect(c.get('k')).toBeUndefined();
    expect(c.bytes).toBe(0);
  });

  it('counts key, header names and values, and body in UTF-8 bytes', () => {
    const { cache: c } = cache();
    c.set('ключ', response('€', [['x-a', 'é']]), 60);
    expect(c.bytes).toBe(8 + 3 + 2 + 3);
  });

  it('evicts the least recently used entries once over its size; a hit counts as use', () => {
    const { cache: c } = cache(30);
    c.set('a', response('123456789'), 60); // 10 bytes
    c.set('b', response('123456789'), 60);
    c.set('c', response('123456789'), 60);
    expect(c.bytes).toBe(30);
    c.get('a');
    c.set('d', response('123456789'), 60);
    expect(c.get('b')).toBeUndefined();
    expect([c.get('a'), c.get('c'), c.get('d')].every(Boolean)).toBe(true);
    expect(c.bytes).toBe(30);
    // An entry larger than the whole cache is not stored, and evicts nothing.
    c.set('big', response('x'.repeat(40)), 60);
    expect(c.get('big')).toBeUndefined();
    expect(c.size).toBe(3);
  });

  it('keeps its own copy: a reused buffer does not change what it serves', () => {
    const { cache: c } = cache();
    const body = Buffer.from('original');
    const headers: [string, string][] = [['etag', '"1"']];
    c.set('k', { status: 200, headers, body }, 60);
    body.write('mutated!');
    headers[0]![1] = '"2"';
    const hit = c.get('k')!;
    expect(Buffer.from(hit.body).toString()).toBe('original');
    expect(hit.headers).toEqual([['etag', '"1"']]);
    expect(Object.isFrozen(hit.headers)).toBe(true);
  });

  it('takes its size from POLICY_CACHE_MAX_BYTES, refusing anything but whole bytes up to 1 GiB', () => {
    expect(cacheMaxBytesFromEnv({})).toBe(DEFAULT_CACHE_MAX_BYTES);
    expect(DEFAULT_CACHE_MAX_BYTES).toBe(64 * 1024 * 1024);
    expect(cacheMaxBytesFromEnv({ [CACHE_MAX_BYTES_SETTING]: ' 1024 ' })).toBe(1024);
    expect(cacheMaxBytesFromEnv({ [CACHE_MAX_BYTES_SETTING]: '0' })).toBe(0);
    for (const bad of ['-1', '1.5', '64MB', String(2 ** 30 + 1)]) {
      expect(() => cacheMaxBytesFromEnv({ [CACHE_MAX_BYTES_SETTING]: bad })).toThrow(CACHE_MAX_BYTES_SETTING);
    }
  });
});
