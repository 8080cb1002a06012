import { describe, expect, it } from 'vitest';
import { decodeSegment } from '../../src/apim/pathSegment';

describe('path segment decoding', () => {
  it('decodes percent-escapes, including an encoded slash', () => {
    expect(decodeSegment('echo%20api')).toBe('echo api');
    expect(decodeSegment('a%2Fb')).toBe('a/b');
    expect(decodeSegment('%C3%A9')).toBe('é');
  });

  it('leaves a segment without escapes as it is', () => {
    expect(decodeSegment('resource')).toBe('resource');
    expect(decodeSegment('')).toBe('');
  });

  it('leaves a malformed escape as received', () => {
    expect(decodeSegment('100%')).toBe('100%');
    expect(decodeSegment('%E0%A4%A')).toBe('%E0%A4%A');
    expect(decodeSegment('%FF')).toBe('%FF');
  });
});
