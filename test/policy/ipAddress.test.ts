import { describe, expect, it } from 'vitest';
import { addressWithoutPort, parseIpAddress } from '../../src/policy/ipAddress';

describe('addressWithoutPort (caller addresses from X-Forwarded-For or a peer)', () => {
  it.each([
    ['203.0.113.7:51234', '203.0.113.7'],
    ['203.0.113.7', '203.0.113.7'],
    ['[2001:db8::1]:443', '2001:db8::1'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['2001:db8::1', '2001:db8::1'],
    ['::1', '::1'],
  ])('%s -> %s', (input, expected) => {
    expect(addressWithoutPort(input)).toBe(expected);
    expect(parseIpAddress(expected)).not.toBeNull();
  });

  it('leaves what it cannot read as it is', () => {
    expect(addressWithoutPort('[2001:db8::1')).toBe('[2001:db8::1');
    expect(addressWithoutPort(':80')).toBe(':80');
  });
});
