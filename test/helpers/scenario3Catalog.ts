import type { CatalogRecord } from '../../src/catalog/tableCodec';
import { policyDocument } from '../../src/lab/instance/common';
import { LAB_SUBSCRIPTIONS, labSeed } from '../../src/lab/seed';

/** The administrator's subscriptions in this catalog. */
export const SCENARIO3_SUBSCRIPTIONS: readonly string[] = [LAB_SUBSCRIPTIONS.starter, LAB_SUBSCRIPTIONS.unlimited, LAB_SUBSCRIPTIONS.master];

/** APIM's default document of its built-in Starter product: 5 calls a minute, 100 a week. */
export const STARTER_DEFAULT_POLICY = policyDocument({ inbound: ['<base />', '<rate-limit calls="5" renewal-period="60" />', '<quota calls="100" renewal-period="604800" />'] });

/**
 * A small catalog for the management contract tests: the lab's Echo API (in no
 * product), products Starter (with APIM's default document) and Unlimited, and the
 * administrator's subscriptions to them and the all-access one. No global
 * document: the gateway's default. The management tests count and filter these
 * records, so they do not follow the lab instance as it grows.
 */
export function scenario3Catalog(env: NodeJS.ProcessEnv = { WEBSITE_HOSTNAME: 'localhost:7071' }): CatalogRecord[] {
  const subscriptions = new Set(SCENARIO3_SUBSCRIPTIONS);
  const starterDocument: CatalogRecord = { kind: 'policy', value: { scope: 'product', productId: 'starter', format: 'rawxml', value: STARTER_DEFAULT_POLICY } };
  return [
    ...labSeed(env).filter((r) => {
      switch (r.kind) {
        case 'api':
          return r.value.id === 'echo-api';
        case 'operation':
          return r.value.apiId === 'echo-api';
        case 'product':
          return r.value.id === 'starter' || r.value.id === 'unlimited';
        case 'subscription':
          return subscriptions.has(r.value.id);
        default:
          return false;
      }
    }),
    starterDocument,
  ];
}
