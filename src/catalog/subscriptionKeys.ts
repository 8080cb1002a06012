import { randomUUID } from 'node:crypto';

/**
 * A new subscription key, as APIM generates one: 32 lowercase hex characters in
 * the layout of a UUID v4. Used for keys that a create or regenerate call does not
 * supply, and for the lab's seeded subscriptions.
 */
export function generateKey(): string {
  return randomUUID().replace(/-/g, '');
}
