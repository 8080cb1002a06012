import type { CatalogIndex } from '../../catalog/catalogIndex';
import type { Api, Operation } from '../../catalog/records';
import { SCOPES } from '../../policy/step';
import { BLANK_API_ID, GET_HEADERS_ID } from '../instance/blankApi';
import { isState, policiesOf, policyEtag, possessive, scenarioRecords, titleOf } from './common';
import { documentAt, documentName, type OperationPolicy } from './effective';
import { addToSection, editableDocument, elementsIn, findSection, newElement, putDocument } from './policyEdit';
import { statusOf, type Finding, type ScenarioState } from './types';

/**
 * Scenario 1, a blank response: an operation of the Blank API whose effective
 * backend section has no `forward-request`. The cause is the innermost document
 * whose backend section has neither `<forward-request />` nor `<base />` (in the
 * lab: GetHeaders' own); the fix adds `<base />` there (`<forward-request />` at
 * the global scope).
 */

const WHEN_FIXED = 'GetHeaders is forwarded again: Send it for a 200 with the headers httpbin received.';

export function diagnoseScenario1(index: CatalogIndex): ScenarioState {
  const records = scenarioRecords(index, 1, BLANK_API_ID, [GET_HEADERS_ID], WHEN_FIXED);
  if (isState(records)) return records;
  const { api, operations } = records;
  const findings: Finding[] = [];
  for (const operation of operations) {
    const unforwarded = policiesOf(index, api, operation, findings).find((policy) => !policy.sections.backend.some((p) => p.element.name === 'forward-request'));
    if (unforwarded) findings.push(notForwarded(index, api, operation, unforwarded));
  }
  return { number: 1, title: titleOf(1), status: statusOf(['noForwardRequest'], findings), findings, whenFixed: WHEN_FIXED };
}

function notForwarded(index: CatalogIndex, api: Api, operation: Operation, policy: OperationPolicy): Finding {
  const name = operation.displayName;
  const what = `${name} answers 200 with an empty body: its effective backend section has no forward-request`;
  const base = { code: 'noForwardRequest', apiId: api.id, operationId: operation.id } as const;
  // The innermost document that has a backend section without <base /> decides what the section holds.
  for (const scope of [...SCOPES].reverse()) {
    const source = policy.composed.sources[scope];
    if (source.ref === null || (source.record === undefined && scope !== 'global')) continue;
    const doc = editableDocument(source.ref, source.record);
    const backend = findSection(doc, 'backend');
    if (backend === undefined || elementsIn(backend).some((e) => e.name === 'base')) continue;
    const global = scope === 'global';
    addToSection(doc, 'backend', newElement(global ? 'forward-request' : 'base'), global ? 'end' : 'start');
    const element = global ? '<forward-request />' : '<base />';
    const where = scope === 'operation' ? `${possessive(name)} backend section` : `the backend section of ${documentName(source.ref)}`;
    return {
      ...base,
      message: `${what}; the backend section (${documentAt(source.ref, backend.position)}) has neither <forward-request /> nor <base />.`,
      fix: {
        label: `Add ${element} to ${where}`,
        done: `Added ${element} to the backend section of ${documentName(source.ref)}: ${name} is forwarded again.`,
        requests: [putDocument(doc, policyEtag(index, source.ref))],
      },
    };
  }
  return { ...base, message: `${what} (a forward-request only in a choose branch that does not apply to it).` };
}
