import type { CatalogIndex } from '../../catalog/catalogIndex';
import type { Api, Operation, PolicyScopeRef } from '../../catalog/records';
import type { SourcePosition } from '../../policy/context';
import type { XmlElement } from '../../policy/parse';
import { DEFAULT_DELAY_MS } from '../backends/productStore';
import { PRODUCTSTORE_API_ID } from '../instance/productStore';
import { isState, listed, policiesOf, policyEtag, possessive, scenarioRecords, titleOf } from './common';
import { attributeOf, children, documentAt, documentName, type OperationPolicy } from './effective';
import { addToSection, editableDocument, newElement, putDocument, removeElement } from './policyEdit';
import { statusOf, type Finding, type ScenarioState } from './types';

/**
 * Scenario 4, ProductStore: slow, failing, and a 429 that is not one. What the
 * catalog shows: GetAllProducts has no response cache in its effective policy
 * (its backend's slowness itself shows only in a call's time), and an operation
 * whose effective outbound section holds a `return-response` answers with it
 * whatever the backend did (in the lab: the API's fake 429, which only
 * PutProduct inherits). DeleteProduct's 500 is the backend's own failure: told,
 * but nothing in the catalog fixes it.
 */

/** The lab's backend lists its products slowly (src/lab/backends/productStore.ts). */
export const SLOW_OPERATION = 'Products_GetAllProducts';
/** The lab's backend fails every delete with ASP.NET Web API's generic 500. */
export const FAILING_OPERATION = 'Products_DeleteProduct';
/** How long the fix caches GetAllProducts' answer, in seconds. */
export const CACHE_SECONDS = 60;

const WHEN_FIXED =
  'GetAllProducts is answered from the cache after its first call (see the time of the call), and PutProduct answers what the backend answered. DeleteProduct still fails: that is the backend itself.';

export function diagnoseScenario4(index: CatalogIndex): ScenarioState {
  const records = scenarioRecords(index, 4, PRODUCTSTORE_API_ID, [SLOW_OPERATION, FAILING_OPERATION, 'Products_PutProduct'], WHEN_FIXED);
  if (isState(records)) return records;
  const { api, operations } = records;
  const findings: Finding[] = [];
  const policies = new Map(operations.map((operation) => [operation, policiesOf(index, api, operation, findings)] as const));

  const slow = operations.find((o) => o.id === SLOW_OPERATION)!;
  const uncached = policies.get(slow)!.find((p) => !has(p, 'inbound', 'cache-lookup') || !has(p, 'outbound', 'cache-store'));
  if (uncached) findings.push(noCache(index, api, slow, uncached));

  findings.push(...fakeResponses(index, api, operations, policies));

  const failing = operations.find((o) => o.id === FAILING_OPERATION)!;
  findings.push({
    code: 'backendFails',
    apiId: api.id,
    operationId: failing.id,
    informational: true,
    message: `${failing.displayName} answers 500 {"Message":"An error has occurred."}: the ProductStore backend itself fails on every delete (no policy fixes that, the backend's code does; a traced call shows the backend's 500).`,
  });
  return { number: 4, title: titleOf(4), status: statusOf(['noResponseCache', 'fakeResponse'], findings), findings, whenFixed: WHEN_FIXED };
}

const has = (policy: OperationPolicy, section: 'inbound' | 'outbound', name: string) => policy.sections[section].some((p) => p.element.name === name);

function noCache(index: CatalogIndex, api: Api, operation: Operation, policy: OperationPolicy): Finding {
  const ref: PolicyScopeRef = { scope: 'operation', apiId: api.id, operationId: operation.id };
  const doc = editableDocument(ref, index.policyDocument(ref));
  const added: string[] = [];
  if (!has(policy, 'inbound', 'cache-lookup')) {
    addToSection(doc, 'inbound', newElement('cache-lookup', { 'vary-by-developer': 'false', 'vary-by-developer-groups': 'false' }), 'after-base');
    added.push('cache-lookup');
  }
  if (!has(policy, 'outbound', 'cache-store')) {
    addToSection(doc, 'outbound', newElement('cache-store', { duration: String(CACHE_SECONDS) }), 'end');
    added.push('cache-store');
  }
  const name = operation.displayName;
  return {
    code: 'noResponseCache',
    apiId: api.id,
    operationId: operation.id,
    message:
      `${name} takes about ${DEFAULT_DELAY_MS / 1000} s on each call: its backend is slow (the catalog cannot show that; a call's time does), ` +
      `and its effective policy has no ${listed(added)} to answer from the cache.`,
    fix: {
      label: `Cache ${possessive(name)} answer for ${CACHE_SECONDS} s`,
      done: `Added ${listed(added)} to ${documentName(ref)}: after its first call, ${name} is answered from the cache for ${CACHE_SECONDS} s.`,
      requests: [putDocument(doc, policyEtag(index, ref))],
    },
  };
}

/** One finding per `return-response` found in an effective outbound section, naming the operations that inherit it. */
function fakeResponses(index: CatalogIndex, api: Api, operations: readonly Operation[], policies: Map<Operation, OperationPolicy[]>): Finding[] {
  const found = new Map<string, { ref: PolicyScopeRef; position: SourcePosition; status: string; operations: Operation[] }>();
  for (const operation of operations) {
    for (const policy of policies.get(operation)!) {
      for (const placed of policy.sections.outbound) {
        if (placed.element.name !== 'return-response') continue;
        const key = `${documentName(placed.ref)}:${placed.element.position.line}:${placed.element.position.column}`;
        const entry = found.get(key) ?? { ref: placed.ref, position: placed.element.position, status: statusSet(placed.element), operations: [] };
        if (!entry.operations.includes(operation)) entry.operations.push(operation);
        found.set(key, entry);
      }
    }
  }
  return [...found.values()].map(({ ref, position, status, operations: affected }) => {
    const names = affected.map((o) => o.displayName);
    const others = operations.filter((o) => !affected.includes(o) && index.policyDocument({ scope: 'operation', apiId: api.id, operationId: o.id }));
    const doc = editableDocument(ref, index.policyDocument(ref));
    removeElement(doc, position);
    return {
      code: 'fakeResponse',
      apiId: api.id,
      operationId: affected[0]!.id,
      message:
        `${listed(names)} ${names.length > 1 ? 'answer' : 'answers'} ${status || "the policy's response"} although the backend did the work: ` +
        `${names.length > 1 ? 'their' : 'its'} effective outbound section holds a return-response (${documentAt(ref, position)})` +
        (others.length > 0 ? `; the other operations' documents leave <base /> out of their outbound section, so they do not inherit it.` : '.'),
      fix: {
        label: `Remove the return-response from ${documentName(ref)}`,
        done: `Removed the return-response from ${documentName(ref)}: ${listed(names)} ${names.length > 1 ? 'answer' : 'answers'} what the backend answers.`,
        requests: [putDocument(doc, policyEtag(index, ref))],
      },
    };
  });
}

/** `429 "Too many requests"` from a return-response's set-status, when written plainly. */
function statusSet(returnResponse: XmlElement): string {
  const setStatus = children(returnResponse).find((c) => c.name === 'set-status');
  const code = setStatus ? attributeOf(setStatus, 'code') : undefined;
  if (!code || code.startsWith('@')) return '';
  const reason = setStatus ? attributeOf(setStatus, 'reason') : undefined;
  return reason && !reason.startsWith('@') ? `${code} "${reason}"` : code;
}
