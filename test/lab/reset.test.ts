import { describe, expect, it, inject } from 'vitest';
import { resetLab } from '../../src/lab/reset';
import { labPolicies, labSeed, ECHO_API_ID, LAB_SUBSCRIPTIONS } from '../../src/lab/seed';
import { generateKey } from '../../src/catalog/subscriptionKeys';
import { diagnoseLab } from '../../src/lab/diagnosis';
import { labBanner } from '../../src/lab/banner';
import { verifySasToken } from '../../src/management';
import { builders } from '../helpers/builders';
import { testStore, uniqueTableName } from '../helpers/catalog';

const env = { WEBSITE_HOSTNAME: 'localhost:7071' };

describe('lab reset', () => {
  it('puts a changed catalog back to the broken seed, with fresh keys, seen by other instances', async () => {
    const tableName = uniqueTableName();
    const store = testStore({ tableName, seed: () => labSeed(env) });
    await store.ensureStarted();
    const oldKey = store.index.getSubscription(LAB_SUBSCRIPTIONS.starter)!.primaryKey;
    // A learner's fixes and extras.
    await store.mutate((index) => ({
      changes: [
        { put: { kind: 'link', value: builders.link({ productId: 'starter', apiId: ECHO_API_ID }) } },
        { delete: { kind: 'operation', apiId: ECHO_API_ID, id: 'remove-resource' } },
        { put: { kind: 'product', value: { ...index.getProduct('starter')!, id: 'gold', displayName: 'Gold' } } },
        { put: { kind: 'subscription', value: { ...index.getSubscription('master')!, id: 'extra', primaryKey: generateKey(), secondaryKey: generateKey() } } },
        { put: { kind: 'api', value: { ...index.getApi(ECHO_API_ID)!, id: 'other', path: 'other' } } },
        { put: { kind: 'policy', value: { scope: 'global', format: 'xml', value: '<policies />' } } },
        { put: { kind: 'policy', value: { scope: 'api', apiId: ECHO_API_ID, format: 'xml', value: '<policies />' } } },
      ],
      value: 0,
    }));
    const other = testStore({ tableName });
    await other.ensureStarted();

    await resetLab(store, env);

    for (const s of [store, other]) {
      await s.refresh();
      expect(s.index.listApis().map((a) => a.id)).toEqual([ECHO_API_ID]);
      expect(s.index.operationsOf(ECHO_API_ID).map((o) => o.id).sort()).toEqual(
        ['create-resource', 'modify-resource', 'remove-resource', 'retrieve-header-only', 'retrieve-resource', 'retrieve-resource-cached'],
      );
      expect(s.index.listProducts().map((p) => p.id).sort()).toEqual(['starter', 'unlimited']);
      expect(s.index.listSubscriptions().map((x) => x.id).sort()).toEqual(['master', 'starter-admin', 'unlimited-admin']);
      expect(s.index.listLinks()).toEqual([]);
      // Only the seed's documents: Starter's default product policy; the global and Echo API documents are gone.
      expect(s.index.listPolicies()).toEqual(labPolicies());
      expect(diagnoseLab(s.index).status).toBe('broken');
      expect(s.index.subscriptionByKey(oldKey)).toBeUndefined();
    }
  });
});

describe('lab banner', () => {
  it('shows the state, both 401 requests and a working management token', async () => {
    const key = 'banner-test-key';
    const text = await labBanner('http://localhost:7071', {
      ...env,
      CatalogStorage: inject('azuriteConnectionString'),
      CATALOG_TABLE_NAME: uniqueTableName(),
      KEY_ENCRYPTION_KEY: process.env.KEY_ENCRYPTION_KEY,
      MANAGEMENT_PRIMARY_KEY: key,
    });
    expect(text).toContain('Lab state:   broken');
    expect(text).toContain('curl -i "http://localhost:7071/echo/resource?param1=sample"');
    expect(text).toContain('-H "Ocp-Apim-Subscription-Key: 68d312d9cf3b4b3ca07be5abacaf8fc9"');
    const token = /SharedAccessSignature (\S+)/.exec(text)?.[1];
    expect(token).toBeDefined();
    expect(verifySasToken(token!, { identifier: 'integration', primaryKey: key, now: new Date() }).valid).toBe(true);
  });

  it('says so when no management key is configured', async () => {
    const text = await labBanner('http://localhost:7071', {
      ...env,
      CatalogStorage: inject('azuriteConnectionString'),
      CATALOG_TABLE_NAME: uniqueTableName(),
      KEY_ENCRYPTION_KEY: process.env.KEY_ENCRYPTION_KEY,
    });
    expect(text).toContain('No management keys are configured');
    expect(text).not.toContain('SharedAccessSignature uid=');
  });
});
