import { describe, expect, it } from 'vitest';
import { createGateway } from '../../src/gateway/pipeline';
import type { PolicyDocuments, PolicyRecord, PolicyScopeRef } from '../../src/gateway/policies';
import { createPolicyServices } from '../../src/gateway/policyServices';
import { TableQuotaStore } from '../../src/policy/limits/quotaStore';
import { testTableClient, uniqueTableName } from '../helpers/catalog';
import { Clock } from '../policy/fakes';
import { api, catalogOf, operation, product, recordingForwarder, request, subscription } from './fixtures';

/** Quotas through the gateway with their counts in Table Storage (Azurite): shared by instances, kept across restarts. */

const KEY = 'q'.repeat(32);
const catalog = catalogOf({
  apis: [api('echo-api', 'echo')],
  operations: [operation('echo-api', 'retrieve-resource', 'GET', '/resource')],
  products: [product('starter')],
  links: [['starter', 'echo-api']],
  subscriptions: [subscription('starter-sub', '/products/starter', KEY)],
});

const QUOTA = '<policies><inbound><base /><quota calls="3" renewal-period="604800" /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>';
const documents: PolicyDocuments = {
  version: 1,
  policyDocument: (ref: PolicyScopeRef): PolicyRecord | undefined => (ref.scope === 'product' && ref.productId === 'starter' ? { ...ref, format: 'rawxml', value: QUOTA } : undefined),
};

function instance(tableName: string, clock: Clock) {
  const services = createPolicyServices({ quotaStore: new TableQuotaStore(testTableClient(tableName)), now: clock.now, timers: false });
  const forwarder = recordingForwarder();
  const gateway = createGateway({ catalog, forwarder, policies: documents, policyServices: services });
  const call = async () => (await gateway.handle(request('GET', 'https://gw.test/echo/resource', { 'Ocp-Apim-Subscription-Key': KEY }))).status;
  return { services, forwarder, call };
}

describe('quota through the gateway, counted in Table Storage', () => {
  it('keeps the count across a restart mid-window, and a second instance sees it', async () => {
    const tableName = uniqueTableName('gwquota');
    const clock = new Clock(Date.UTC(2026, 0, 5));
    const first = instance(tableName, clock);
    expect(await first.call()).toBe(200);
    expect(await first.call()).toBe(200);
    await first.services.close();

    // A new instance (a restart) loads the current windows before its first call.
    const restarted = instance(tableName, clock);
    await restarted.services.load();
    expect(await restarted.call()).toBe(200);
    expect(await restarted.call()).toBe(403);
    await restarted.services.close();

    const other = instance(tableName, clock);
    await other.services.load();
    expect(await other.call()).toBe(403);
    expect(other.forwarder.calls).toHaveLength(0);
    await other.services.close();
  });
});
