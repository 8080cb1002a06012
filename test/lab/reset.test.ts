import { describe, expect, it, inject } from 'vitest';
import { LAB_SCENARIOS, labScenario } from '../../src/lab/instance/scenarios';
import { resetLab } from '../../src/lab/reset';
import { labPolicies, labSeed, ECHO_API_ID, LAB_SUBSCRIPTIONS } from '../../src/lab/seed';
import { generateKey } from '../../src/catalog/subscriptionKeys';
import { policyScopeKey, type PolicyRecord } from '../../src/catalog/records';
import { diagnoseLab } from '../../src/lab/diagnosis';
import { consoleBase, labBanner } from '../../src/lab/banner';
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

    const seed = labSeed(env);
    const idsOf = (kind: string) => seed.flatMap((r) => (r.kind === kind && 'id' in r.value ? [r.value.id] : [])).sort();
    for (const s of [store, other]) {
      await s.refresh();
      expect(s.index.listApis().map((a) => a.id).sort()).toEqual(['blank-api', 'calculator', ECHO_API_ID, 'productstore', 'resources']);
      expect(s.index.operationsOf(ECHO_API_ID).map((o) => o.id).sort()).toEqual(
        ['create-resource', 'modify-resource', 'remove-resource', 'retrieve-header-only', 'retrieve-resource', 'retrieve-resource-cached'],
      );
      expect(s.index.listProducts().map((p) => p.id).sort()).toEqual(['standard', 'starter', 'unlimited']);
      expect(s.index.listSubscriptions().map((x) => x.id).sort()).toEqual(['master', 'standard-admin', 'starter-admin', 'unlimited-admin']);
      expect(s.index.listSubscriptions().map((x) => x.id).sort()).toEqual(idsOf('subscription'));
      // The Echo API is in no product again; the others are where the lab puts them.
      expect(s.index.productsOfApi(ECHO_API_ID)).toEqual([]);
      expect(s.index.listLinks().map((l) => `${l.productId}/${l.apiId}`).sort()).toEqual(
        ['standard/resources', 'starter/productstore', 'unlimited/blank-api', 'unlimited/calculator'],
      );
      // Only the seed's documents: the learner's global and Echo API documents are gone.
      const byScope = (list: readonly PolicyRecord[]) => [...list].sort((a, b) => policyScopeKey(a).localeCompare(policyScopeKey(b)));
      expect(byScope(s.index.listPolicies())).toEqual(byScope(seed.flatMap((r) => (r.kind === 'policy' ? [r.value] : []))));
      expect(s.index.listPolicies()).toEqual(expect.arrayContaining(labPolicies()));
      expect(diagnoseLab(s.index).status).toBe('broken');
      expect(s.index.subscriptionByKey(oldKey)).toBeUndefined();
    }
  });
});

describe('lab reset of one scenario', () => {
  it("restores the scenario's records and leaves the other scenarios' fixes alone; existing subscriptions keep their keys", async () => {
    const tableName = uniqueTableName();
    const store = testStore({ tableName, seed: () => labSeed(env) });
    await store.ensureStarted();
    const standardKey = store.index.getSubscription(LAB_SUBSCRIPTIONS.standard)!.primaryKey;
    const fixedGetHeaders: PolicyRecord = { scope: 'operation', apiId: 'blank-api', operationId: 'getheaders', format: 'xml', value: '<policies><backend><base /></backend></policies>' };
    // Fixes of scenario 1, 3 and 5, and an extra operation in scenario 5's API.
    await store.mutate((index) => ({
      changes: [
        { put: { kind: 'policy', value: fixedGetHeaders } },
        { put: { kind: 'link', value: builders.link({ productId: 'starter', apiId: ECHO_API_ID }) } },
        { delete: { kind: 'policy', scope: 'global' } },
        { put: { kind: 'policy', value: { scope: 'product', productId: 'standard', format: 'xml', value: '<policies><inbound><base /></inbound></policies>' } } },
        { put: { kind: 'operation', value: builders.operation({ apiId: 'resources', id: 'getalbums', urlTemplate: '/albums' }) } },
        { put: { kind: 'subscription', value: { ...index.getSubscription(LAB_SUBSCRIPTIONS.standard)!, state: 'suspended' } } },
      ],
      value: 0,
    }));

    await resetLab(store, env, labScenario(5));

    const seed = labSeed(env);
    const seeded = (ref: PolicyRecord) => seed.find((r) => r.kind === 'policy' && policyScopeKey(r.value) === policyScopeKey(ref))?.value;
    expect(store.index.policyDocument({ scope: 'global' })).toEqual(seeded({ scope: 'global', format: 'xml', value: '' }));
    expect(store.index.policyDocument({ scope: 'product', productId: 'standard' })).toEqual(seeded({ scope: 'product', productId: 'standard', format: 'xml', value: '' }));
    expect(store.index.operationsOf('resources').map((o) => o.id).sort()).toEqual(['getcomments', 'getphotos', 'getposts', 'getusers']);
    const standard = store.index.getSubscription(LAB_SUBSCRIPTIONS.standard)!;
    expect(standard.state).toBe('active');
    expect(standard.primaryKey).toBe(standardKey);
    expect(store.index.subscriptionByKey(standardKey)?.subscription.id).toBe(LAB_SUBSCRIPTIONS.standard);
    // Scenarios 1 and 3 keep the learner's fixes.
    expect(store.index.policyDocument(fixedGetHeaders)).toEqual(fixedGetHeaders);
    expect(store.index.productsOfApi(ECHO_API_ID).map((p) => p.id)).toEqual(['starter']);

    // Scenario 3's reset takes the Echo API out of Starter again; scenario 1 keeps its fix.
    await resetLab(store, env, labScenario(3));
    expect(store.index.productsOfApi(ECHO_API_ID)).toEqual([]);
    expect(store.index.getProduct('starter')).toBeDefined();
    expect(store.index.policyDocument(fixedGetHeaders)).toEqual(fixedGetHeaders);
    // Scenario 1's reset brings back its broken GetHeaders document.
    await resetLab(store, env, labScenario(1));
    expect(store.index.policyDocument(fixedGetHeaders)?.value).toContain('<backend>\n  </backend>');
  });
});

describe('lab banner', () => {
  it("gives a local host's console by 127.0.0.1 and leaves any other address as it is", () => {
    expect(consoleBase('http://localhost:7071')).toBe('http://127.0.0.1:7071');
    expect(consoleBase('http://localhost')).toBe('http://127.0.0.1');
    expect(consoleBase('https://apim-lab.azurewebsites.net')).toBe('https://apim-lab.azurewebsites.net');
    expect(consoleBase('http://localhostess.example:80')).toBe('http://localhostess.example:80');
  });

  it("shows each scenario's state, a line per fault, the calls that show it, never a subscription key, and a working management token", async () => {
    const key = 'banner-test-key';
    const banner = { ...env, CatalogStorage: inject('azuriteConnectionString'), CATALOG_TABLE_NAME: uniqueTableName(), KEY_ENCRYPTION_KEY: process.env.KEY_ENCRYPTION_KEY };
    const text = await labBanner('http://localhost:7071', { ...banner, MANAGEMENT_PRIMARY_KEY: key });
    const lines = text.split('\n');
    expect(lines.length).toBeLessThanOrEqual(40);
    for (const [n, title] of LAB_SCENARIOS.map((s) => [s.number, s.title] as const)) expect(lines).toContain(`  ${n}  ${title}: broken`);
    // One line per fault, informational ones too (scenario 4's failing backend): 1 + 2 + 3 + 3 + 2.
    expect(lines.filter((l) => l.startsWith('     - '))).toHaveLength(11);
    expect(text).toContain("     - GetHeaders answers 200 with an empty body: its effective backend section has no forward-request;");
    expect(text).toContain('     - GetPosts answers 403 "Forbidden": the ip-filter (product standard, line 6)');
    // Scenario 3's two 401s, its hard-coded key being part of the lab.
    expect(text).toContain('     $ curl -i "http://localhost:7071/echo/resource?param1=sample"');
    expect(text).toContain('     $ curl -i -H "Ocp-Apim-Subscription-Key: 68d312d9cf3b4b3ca07be5abacaf8fc9" "http://localhost:7071/echo/resource?param1=sample"');
    // The other calls name the subscription whose key they need, and where to get it.
    expect(text).toContain('     $ curl -i "http://localhost:7071/httpbin/headers" -H "Ocp-Apim-Subscription-Key: <key of unlimited-admin>"');
    expect(text).toContain('"http://localhost:7071/resource/comments" -H "Ocp-Apim-Subscription-Key: <key of standard-admin>"; done');
    expect(text).toContain('"http://localhost:7071/productstore/api/Products" -H "Ocp-Apim-Subscription-Key: <key of starter-admin>"');
    // The console over the IPv4 loopback: a browser then calls as curl does (scenario 5's ip-filter is IPv4).
    expect(text).toContain('  Console:     http://127.0.0.1:7071/lab   (');
    expect(text).toMatch(/subscriptions\/X\/listSecrets\?api-version=2024-05-01" -H "Authorization: <the token below>"/);
    const store = testStore({ tableName: banner.CATALOG_TABLE_NAME });
    await store.ensureStarted();
    const keys = store.index.listSubscriptions().flatMap((s) => [s.primaryKey, s.secondaryKey]);
    expect(keys).toHaveLength(8);
    for (const secret of keys) expect(text).not.toContain(secret);
    const token = /SharedAccessSignature (\S+)/.exec(text)?.[1];
    expect(token).toBeDefined();
    expect(verifySasToken(token!, { identifier: 'integration', primaryKey: key, now: new Date() }).valid).toBe(true);
  });

  it('shows a fixed scenario as fixed, without findings', async () => {
    const tableName = uniqueTableName();
    const store = testStore({ tableName, seed: () => labSeed(env) });
    await store.ensureStarted();
    await store.mutate(() => ({ changes: [{ delete: { kind: 'policy', scope: 'operation', apiId: 'blank-api', operationId: 'getheaders' } }], value: 0 }));
    const text = await labBanner('http://localhost:7071', { ...env, CatalogStorage: inject('azuriteConnectionString'), CATALOG_TABLE_NAME: tableName, KEY_ENCRYPTION_KEY: process.env.KEY_ENCRYPTION_KEY });
    const lines = text.split('\n');
    const first = lines.indexOf('  1  API returns a blank response: fixed');
    expect(first).toBeGreaterThan(0);
    expect(lines[first + 1]).toMatch(/^ {5}\$ curl -i "http:\/\/localhost:7071\/httpbin\/headers"/);
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
