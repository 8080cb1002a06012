import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createDebugCredentials } from '../../src/catalog/debugCredentials';
import { parseDuration } from '../../src/management/debug';

const key = randomBytes(32);
const credentials = createDebugCredentials(key);
const t0 = new Date('2026-11-27T10:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

/** The same text with one character of its signed or sealed part changed. */
function tampered(text: string, index: number): string {
  const c = text[index] === 'A' ? 'B' : 'A';
  return text.slice(0, index) + c + text.slice(index + 1);
}

describe('debug tokens', () => {
  const token = credentials.issue('echo-api', at(60_000));

  it('name their API until they expire, then read as expired', () => {
    expect(credentials.check(token, t0)).toEqual({ apiId: 'echo-api' });
    expect(credentials.check(token, at(59_999))).toEqual({ apiId: 'echo-api' });
    expect(credentials.check(token, at(60_000))).toBe('expired');
  });

  it('are checked by any instance with the same key, and by no other', () => {
    expect(createDebugCredentials(Buffer.from(key)).check(token, t0)).toEqual({ apiId: 'echo-api' });
    expect(createDebugCredentials(randomBytes(32)).check(token, t0)).toBeUndefined();
  });

  it('are refused once changed anywhere, and nothing else passes for one', () => {
    for (const index of [6, 10, token.indexOf('.', 5) + 3, token.length - 2]) {
      expect(credentials.check(tampered(token, index), t0)).toBeUndefined();
    }
    const [prefix, , signature] = token.split('.');
    const otherApi = Buffer.from(JSON.stringify({ api: 'other-api', exp: at(60_000).getTime() })).toString('base64url');
    expect(credentials.check(`${prefix}.${otherApi}.${signature}`, t0)).toBeUndefined();
    for (const text of ['', 'dbg1.', 'dbg1..', `${token}.x`, token.replace('dbg1.', 'dbg2.'), 'x'.repeat(70_000)]) {
      expect(credentials.check(text, t0)).toBeUndefined();
    }
  });
});

describe('trace ids', () => {
  const trace = { traceEntries: { inbound: [{ source: 'api-inspector', data: { n: 1 } }] } };
  const id = credentials.sealTrace(trace, at(3_600_000));

  it('carry the trace until they expire', () => {
    expect(credentials.openTrace(id, t0)).toEqual(trace);
    expect(credentials.openTrace(id, at(3_599_999))).toEqual(trace);
    expect(credentials.openTrace(id, at(3_600_000))).toBeUndefined();
  });

  it('are sealed: not readable as text, not opened with another key, refused once changed', () => {
    expect(Buffer.from(id.split('.')[2]!, 'base64url').toString('utf8')).not.toContain('api-inspector');
    expect(createDebugCredentials(randomBytes(32)).openTrace(id, t0)).toBeUndefined();
    for (const index of [6, 12, id.length - 3]) expect(credentials.openTrace(tampered(id, index), t0)).toBeUndefined();
    for (const text of ['', 'trc1.', 'trc1.a.b', `${id}.x`, id.replace('trc1.', 'dbg1.')]) {
      expect(credentials.openTrace(text, t0)).toBeUndefined();
    }
  });

  it('differ each time, even for the same trace', () => {
    expect(credentials.sealTrace(trace, at(1000))).not.toBe(credentials.sealTrace(trace, at(1000)));
  });
});

describe('credentialsExpireAfter durations', () => {
  it.each([
    ['PT1H', 3_600_000],
    ['PT30M', 1_800_000],
    ['PT90S', 90_000],
    ['PT0.5S', 500],
    ['pt1h', 3_600_000],
    ['P0DT0H15M', 900_000],
    ['P1D', 86_400_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 'P', 'PT', '1H', 'PT1', 'PT-1H', 'PT1H ', 'P1W', 'PT1.5H'])('%j is no duration', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});
