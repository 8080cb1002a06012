import { subscriptionSchema, type Subscription } from './records';

/**
 * A subscription's fields as the codec and the index's subscription table walk
 * them, derived from `subscriptionSchema` (the one declaration of the record).
 */

/** A subscription's two keys, by slot. */
export type KeySlot = 'primary' | 'secondary';
export const KEY_SLOTS: readonly KeySlot[] = ['primary', 'secondary'];

/** A subscription's properties other than its keys. */
export type SubscriptionProperties = Omit<Subscription, 'primaryKey' | 'secondaryKey'>;
export type PropertyName = keyof SubscriptionProperties;

/** The names of `SubscriptionProperties`, in schema order: the order stored rows hold them in. */
export const PROPERTY_NAMES: readonly PropertyName[] = subscriptionSchema
  .keyof()
  .options.filter((name): name is PropertyName => name !== 'primaryKey' && name !== 'secondaryKey');

/** Sets every property of `from` on `to` (undefined ones too, so every copy has the same shape), in schema order. */
export function copyProperties(to: object, from: SubscriptionProperties): void {
  const target = to as Record<PropertyName, unknown>;
  for (const name of PROPERTY_NAMES) target[name] = from[name];
}

/** The properties of a subscription without its keys (read without opening them). */
export function propertiesOf(subscription: SubscriptionProperties): SubscriptionProperties {
  const properties = {} as SubscriptionProperties;
  copyProperties(properties, subscription);
  return properties;
}

/**
 * A base class for a record that defines the properties of `T` itself, in its
 * constructor: its instances are typed as `T` without restating T's properties.
 */
export function recordClass<T extends object>(): new () => T {
  return class {} as new () => T;
}
