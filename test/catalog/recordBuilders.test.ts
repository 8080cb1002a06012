import { describe, expect, it } from 'vitest';
import { apiSchema, operationSchema, productApiLinkSchema, productSchema, subscriptionSchema } from '../../src/catalog/records';
import { builders } from '../helpers/builders';

describe('record builders', () => {
  it('build valid records by default: each schema parses them unchanged', () => {
    expect(apiSchema.parse(builders.api())).toEqual(builders.api());
    expect(operationSchema.parse(builders.operation())).toEqual(builders.operation());
    expect(productSchema.parse(builders.product())).toEqual(builders.product());
    expect(productApiLinkSchema.parse(builders.link())).toEqual(builders.link());
    const subscription = builders.subscription();
    expect(subscriptionSchema.parse(subscription)).toEqual(subscription);
  });

  it('spell out every property a stored record has', () => {
    expect(Object.keys(builders.api()).sort()).toEqual(Object.keys(apiSchema.shape).sort());
    expect(Object.keys(builders.operation()).sort()).toEqual(Object.keys(operationSchema.shape).sort());
    expect(Object.keys(builders.product()).sort()).toEqual(Object.keys(productSchema.shape).sort());
    expect(Object.keys(builders.link()).sort()).toEqual(Object.keys(productApiLinkSchema.shape).sort());
    expect(Object.keys(builders.subscription()).sort()).toEqual(Object.keys(subscriptionSchema.shape).sort());
  });

  it('stay valid with the overrides tests use', () => {
    expect(apiSchema.parse(builders.api({ id: 'orders', path: 'shop/orders' }))).toMatchObject({ id: 'orders', displayName: 'orders', path: 'shop/orders' });
    expect(operationSchema.parse(builders.operation({ apiId: 'orders', id: 'get-order', urlTemplate: '/orders/{id}' }))).toMatchObject({ apiId: 'orders', urlTemplate: '/orders/{id}' });
    expect(productSchema.parse(builders.product({ id: 'gold', state: 'notPublished' }))).toMatchObject({ id: 'gold', displayName: 'gold' });
    expect(subscriptionSchema.parse(builders.subscription({ id: 's1', scope: '/products/gold', state: 'suspended' }))).toMatchObject({ id: 's1', scope: '/products/gold' });
  });

  it('derive dependent defaults from the override they follow', () => {
    expect(builders.api({ id: 'orders' })).toMatchObject({ displayName: 'orders', path: 'orders' });
    expect(builders.operation({ id: 'list' })).toMatchObject({ displayName: 'list', urlTemplate: '/list' });
    expect(builders.product({ id: 'gold' }).displayName).toBe('gold');
    const created = '2024-01-01T00:00:00.000Z';
    expect(builders.subscription({ createdDate: created })).toMatchObject({ createdDate: created, startDate: created });
    expect(builders.subscription({ createdDate: created, startDate: null }).startDate).toBeNull();
  });

  it('give every subscription two fresh, different keys', () => {
    const a = builders.subscription();
    const b = builders.subscription();
    expect(a.primaryKey).not.toBe(a.secondaryKey);
    expect(new Set([a.primaryKey, a.secondaryKey, b.primaryKey, b.secondaryKey]).size).toBe(4);
  });
});
