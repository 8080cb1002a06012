import { describe, expect, it } from 'vitest';
import { generateKey } from '../../src/catalog/subscriptionKeys';

describe('subscription key generation', () => {
  it('makes 32 lowercase hex characters in the layout of a UUID v4', () => {
    const key = generateKey();
    expect(key).toMatch(/^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$/);
  });

  it('makes a different key each time', () => {
    const keys = new Set(Array.from({ length: 100 }, generateKey));
    expect(keys.size).toBe(100);
  });
});
