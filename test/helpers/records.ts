import type { Subscription } from '../../src/catalog/records';
import { generateKey } from '../../src/catalog/subscriptionKeys';

/**
 * A complete subscription record with fresh random keys, every optional property
 * spelled out (as a stored record has them), active, created `created`.
 */
export function fullSubscription(id: string, created: string, extra: Partial<Subscription> = {}): Subscription {
  return {
    id,
    displayName: null,
    scope: '/apis',
    ownerId: '/users/1',
    state: 'active',
    primaryKey: generateKey(),
    secondaryKey: generateKey(),
    createdDate: created,
    startDate: created,
    expirationDate: null,
    endDate: null,
    notificationDate: null,
    stateComment: null,
    allowTracing: false,
    ...extra,
  };
}
