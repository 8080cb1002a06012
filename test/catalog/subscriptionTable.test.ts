import { describe, expect, it } from 'vitest';
import { CatalogIndex } from '../../src/catalog/catalogIndex';
import { createKeyProtector } from '../../src/catalog/keyProtector';
import type { Subscription } from '../../src/catalog/records';
import { sealSubscription } from '../../src/catalog/tableCodec';
import { generateKey } from '../../src/catalog/subscriptionKeys';
import { builders } from '../helpers/builders';

const protector = createKeyProtector(Buffer.alloc(32, 5));

/** Named, and created at a time that depends on the id, so records differ in more than their keys. */
function subscription(id: string, extra: Partial<Subscription> = {}): Subscription {
  const createdDate = new Date(Date.UTC(2024, 0, 1) + id.length * 1000).toISOString();
  return builders.subscription({ id, displayName: `Subscription ${id}`, createdDate, ...extra });
}

/** A plain copy with every property read (keys opened), for comparisons. */
const plain = (s: Subscription): Subscription => ({ ...s });

/** A small deterministic random generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x80000000;
  };
}

describe('subscriptions in the index', () => {
  it('keeps sealed subscriptions whole: every property, both keys, and which key matched', () => {
    const index = new CatalogIndex(protector.digest);
    const original = subscription('s-1', { displayName: 'Ünïcødé name', stateComment: 'note', expirationDate: '2030-01-01T00:00:00.000Z', allowTracing: true, startDate: '2024-02-02T00:00:00.000Z' });
    index.putSubscription(sealSubscription(original, protector));

    const stored = index.getSubscription('s-1')!;
    // Keys are read (opened) on access, not held: no own data property carries them.
    expect(Object.getOwnPropertyDescriptor(stored, 'primaryKey')).toMatchObject({ enumerable: true, get: expect.any(Function) });
    expect(Object.getOwnPropertyDescriptor(stored, 'primaryKey')).not.toHaveProperty('value');
    expect(plain(stored)).toEqual(original);
    expect(JSON.parse(JSON.stringify(stored))).toEqual(JSON.parse(JSON.stringify(original)));
    expect(index.subscriptionByKey(original.primaryKey)).toMatchObject({ which: 'primary', subscription: { id: 's-1', state: 'active', scope: '/apis' } });
    expect(index.subscriptionByKey(original.secondaryKey)?.which).toBe('secondary');
    // The gateway's object reads the other properties through the index too.
    const match = index.subscriptionByKey(original.primaryKey)!;
    expect(match.subscription.displayName).toBe('Ünïcødé name');
    expect(match.subscription.primaryKey).toBe(original.primaryKey);
    expect(index.subscriptionByKey(generateKey())).toBeUndefined();
    expect(index.subscriptionUsingKey(original.secondaryKey)?.id).toBe('s-1');
  });

  it('keeps undefined, null and repeated dates apart', () => {
    const index = new CatalogIndex(protector.digest);
    const sparse: Subscription = { ...subscription('sparse'), displayName: undefined, startDate: undefined, ownerId: null, expirationDate: undefined };
    const differentStart = subscription('later', { startDate: '2025-05-05T05:05:05.005Z' });
    for (const s of [sparse, differentStart]) index.putSubscription(sealSubscription(s, protector));
    const back = index.getSubscription('sparse')!;
    expect(back.displayName).toBeUndefined();
    expect(back.startDate).toBeUndefined();
    expect(back.ownerId).toBeNull();
    expect(back.expirationDate).toBeUndefined();
    expect(JSON.parse(JSON.stringify(back))).toEqual(JSON.parse(JSON.stringify(sparse)));
    expect(Object.keys(back).sort()).toEqual(Object.keys(sparse).sort());
    expect(index.getSubscription('later')?.startDate).toBe('2025-05-05T05:05:05.005Z');
  });

  it('stays consistent over many puts, replacements and deletes (plain and sealed mixed)', () => {
    const index = new CatalogIndex(protector.digest);
    const expected = new Map<string, Subscription>();
    const retired: string[] = [];
    const next = random(7);
    for (let step = 0; step < 12000; step++) {
      const id = `s-${Math.floor(next() * 1500)}`;
      const action = next();
      if (action < 0.6) {
        const value = subscription(id, { state: next() < 0.5 ? 'active' : 'suspended', scope: `/apis/api-${Math.floor(next() * 20)}` });
        const previous = expected.get(id);
        if (previous) retired.push(previous.primaryKey, previous.secondaryKey);
        index.putSubscription(next() < 0.8 ? sealSubscription(value, protector) : value);
        expected.set(id, value);
      } else if (action < 0.75) {
        const previous = expected.get(id);
        if (!previous) continue;
        // A new primary key only, as regenerateKey does.
        const value = { ...previous, primaryKey: generateKey() };
        retired.push(previous.primaryKey);
        index.putSubscription(sealSubscription(value, protector));
        expected.set(id, value);
      } else {
        const previous = expected.get(id);
        if (previous) retired.push(previous.primaryKey, previous.secondaryKey);
        index.deleteSubscription(id);
        expected.delete(id);
      }
    }
    expect(index.listSubscriptions()).toHaveLength(expected.size);
    for (const [id, value] of expected) {
      expect(plain(index.getSubscription(id)!)).toEqual(value);
      expect(index.subscriptionByKey(value.primaryKey)).toMatchObject({ which: 'primary', subscription: { id, state: value.state, scope: value.scope } });
      expect(index.subscriptionByKey(value.secondaryKey)).toMatchObject({ which: 'secondary', subscription: { id } });
    }
    const live = new Set([...expected.values()].flatMap((s) => [s.primaryKey, s.secondaryKey]));
    for (const key of retired) if (!live.has(key)) expect(index.subscriptionByKey(key)).toBeUndefined();
  });

  it('keeps the record of a subscription object the gateway still holds after it was replaced', () => {
    const index = new CatalogIndex(protector.digest);
    const first = subscription('held', { displayName: 'first' });
    index.putSubscription(sealSubscription(first, protector));
    const held = index.subscriptionByKey(first.primaryKey)!.subscription;
    // Replaced, then its slot reused by another subscription.
    index.putSubscription(sealSubscription({ ...first, displayName: 'second', primaryKey: generateKey() }, protector));
    index.deleteSubscription('held');
    index.putSubscription(sealSubscription(subscription('other', { displayName: 'other' }), protector));
    expect(held.displayName).toBe('first');
    expect(held.primaryKey).toBe(first.primaryKey);
    expect(index.subscriptionByKey(first.primaryKey)).toBeUndefined();
  });

  it('keeps a subscription sealed with another protector whole, and finds it by key', () => {
    const index = new CatalogIndex(protector.digest);
    const other = createKeyProtector(Buffer.alloc(32, 6));
    index.putSubscription(sealSubscription(subscription('mine'), protector));
    const foreign = subscription('foreign');
    index.putSubscription(sealSubscription(foreign, other));
    expect(plain(index.getSubscription('foreign')!)).toEqual(foreign);
    expect(index.subscriptionByKey(foreign.secondaryKey)).toMatchObject({ which: 'secondary', subscription: { id: 'foreign' } });
  });

  it('keeps revisions of subscriptions apart from their records', () => {
    const index = new CatalogIndex(protector.digest);
    index.putSubscription(sealSubscription(subscription('r'), protector));
    expect(index.revisions.get('subscription|r')).toBeUndefined();
    index.revisions.set({ kind: 'subscription', id: 'r' }, 'subscription|r', 42);
    expect(index.revisions.get('subscription|r')).toBe(42);
    index.deleteSubscription('r');
    expect(index.revisions.get('subscription|r')).toBeUndefined();
  });
});
