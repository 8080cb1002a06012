import type { PolicyRecord } from '../catalog/records';
import type { CatalogRecord } from '../catalog/tableCodec';
import { record } from './instance/common';
import { adminSubscription, globalPolicy, productPolicy } from './instance/products';
import { distinctRecords, LAB_SCENARIOS } from './instance/scenarios';

/**
 * The lab instance of the APIM troubleshooting series, in its broken state: five
 * APIs, three products, the administrator's subscriptions and the documents of
 * the five scenarios (docs/scenarios/README.md). Each piece lives in
 * `instance/`; this module puts them together.
 */

export { ADMIN_USER, selfBaseUrl } from './instance/common';
export { ECHO_API_ID, HARD_CODED_KEY, echoApi, echoOperations } from './instance/echoApi';
export { LAB_SUBSCRIPTIONS, STARTER_POLICY, labProducts, labSubscriptions } from './instance/products';

/** The lab's stored policy documents at the global and product scopes. */
export function labPolicies(): PolicyRecord[] {
  return [globalPolicy(), productPolicy('starter'), productPolicy('standard')];
}

/** Every record of the broken lab instance, each once; subscriptions with fresh keys. */
export function labSeed(env: NodeJS.ProcessEnv = process.env, now = new Date()): CatalogRecord[] {
  return distinctRecords([...LAB_SCENARIOS.flatMap((s) => s.records(env, now)), record.subscription(adminSubscription('master', now))]);
}
