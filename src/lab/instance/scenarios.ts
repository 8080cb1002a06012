import { refOf, rowKeyOf, type CatalogRecord } from '../../catalog/tableCodec';
import { BLANK_API_ID, blankApiRecords } from './blankApi';
import { CALCULATOR_API_ID, calculatorRecords } from './calculator';
import { record } from './common';
import { ECHO_API_ID, echoApiRecords } from './echoApi';
import { PRODUCTSTORE_API_ID, productStoreRecords } from './productStore';
import { adminSubscription, globalPolicy, labProduct, productPolicy, type LabProductId } from './products';
import { RESOURCES_API_ID, resourcesRecords } from './resources';

/**
 * The five scenarios of the APIM troubleshooting series, each with the records it
 * owns in the lab instance. A scenario owns its APIs (their operations, documents
 * and product links), the products those APIs are in with the administrator's
 * subscription to each, and the documents whose faults it teaches. Two scenarios
 * may own one record (Unlimited holds the APIs of scenarios 1 and 2): restoring
 * either writes the same value. Each scenario's page: docs/scenarios/README.md.
 */

export const SCENARIO_NUMBERS = [1, 2, 3, 4, 5] as const;
export type ScenarioNumber = (typeof SCENARIO_NUMBERS)[number];

export interface LabScenario {
  readonly number: ScenarioNumber;
  /** The article's title. */
  readonly title: string;
  /** The APIs whose operations, documents and links the scenario owns. */
  readonly apiIds: readonly string[];
  /** The products whose record (and the administrator's subscription to) the scenario restores. */
  readonly productIds: readonly LabProductId[];
  /** Every record of the scenario in its broken state; subscriptions with fresh keys. */
  records(env?: NodeJS.ProcessEnv, now?: Date): CatalogRecord[];
}

function productRecords(ids: readonly LabProductId[], now: Date): CatalogRecord[] {
  return ids.flatMap((id) => [record.product(labProduct(id)), record.subscription(adminSubscription(id, now))]);
}

export const LAB_SCENARIOS: readonly LabScenario[] = [
  {
    number: 1,
    title: 'API returns a blank response',
    apiIds: [BLANK_API_ID],
    productIds: ['unlimited'],
    records: (env, now = new Date()) => [...blankApiRecords(env), ...productRecords(['unlimited'], now)],
  },
  {
    number: 2,
    title: 'SOAP API returns 404 (and 500)',
    apiIds: [CALCULATOR_API_ID],
    productIds: ['unlimited'],
    records: (env, now = new Date()) => [...calculatorRecords(env), ...productRecords(['unlimited'], now)],
  },
  {
    number: 3,
    title: 'Unauthorized errors (401) while invoking APIs',
    apiIds: [ECHO_API_ID],
    productIds: [],
    records: (env) => echoApiRecords(env),
  },
  {
    number: 4,
    title: 'Slow responses, 500 and an unexpected 429',
    apiIds: [PRODUCTSTORE_API_ID],
    productIds: ['starter'],
    records: (env, now = new Date()) => [...productStoreRecords(env), ...productRecords(['starter'], now), record.policy(productPolicy('starter'))],
  },
  {
    number: 5,
    title: 'Requests throttled: 403 and 429',
    apiIds: [RESOURCES_API_ID],
    productIds: ['standard'],
    records: (env, now = new Date()) => [
      ...resourcesRecords(env),
      ...productRecords(['standard'], now),
      record.policy(productPolicy('standard')),
      record.policy(globalPolicy()),
    ],
  },
];

export function labScenario(number: number): LabScenario | undefined {
  return LAB_SCENARIOS.find((s) => s.number === number);
}

const PARENTS_FIRST: readonly CatalogRecord['kind'][] = ['api', 'product', 'operation', 'link', 'subscription', 'policy'];

/** Records listed once each (by row key, the first occurrence winning), parents before children. */
export function distinctRecords(records: readonly CatalogRecord[]): CatalogRecord[] {
  const seen = new Set<string>();
  return records
    .filter((r) => {
      const key = rowKeyOf(refOf(r));
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => PARENTS_FIRST.indexOf(a.kind) - PARENTS_FIRST.indexOf(b.kind));
}
