import { isArmError } from '../../apim/armErrors';
import type { CatalogIndex } from '../../catalog/catalogIndex';
import type { Api, Operation } from '../../catalog/records';
import { etagOf } from '../../management/etag';
import type { PolicyScopeRef } from '../../catalog/records';
import { policyRef } from '../../catalog/tableCodec';
import { labScenario, type ScenarioNumber } from '../instance/scenarios';
import { callProducts, operationPolicy, type OperationPolicy } from './effective';
import type { Finding, ScenarioState } from './types';

/** What every scenario's diagnosis shares: its title, a missing API or operation, reading policies safely. */

export function titleOf(number: ScenarioNumber): string {
  return labScenario(number)!.title;
}

/** The state of a scenario whose API or operations are gone: only a reset brings them back. */
export function missingState(number: ScenarioNumber, what: string, whenFixed: string): ScenarioState {
  return {
    number,
    title: titleOf(number),
    status: 'missing',
    findings: [{ code: 'missing', message: `${what} does not exist: reset scenario ${number} (npm run lab:reset -- --scenario ${number}).` }],
    whenFixed,
  };
}

/**
 * The scenario's API and the operations it needs, by id; a `missing` state when
 * one of them is gone.
 */
export function scenarioRecords(
  index: CatalogIndex,
  number: ScenarioNumber,
  apiId: string,
  operationIds: readonly string[],
  whenFixed: string,
): { api: Api; operations: Operation[] } | ScenarioState {
  const api = index.getApi(apiId);
  if (!api) return missingState(number, `The API ${apiId}`, whenFixed);
  const absent = operationIds.filter((id) => !index.getOperation(apiId, id));
  if (absent.length > 0) return missingState(number, `The operation${absent.length > 1 ? 's' : ''} ${absent.join(', ')} of API ${apiId}`, whenFixed);
  return { api, operations: [...index.operationsOf(apiId)] };
}

export const isState = (value: object): value is ScenarioState => 'status' in value;

/**
 * The operation's policy for each product its calls go through; a document that
 * no longer compiles is a finding of its own (the gateway answers such calls 500).
 */
export function policiesOf(index: CatalogIndex, api: Api, operation: Operation, problems: Finding[]): OperationPolicy[] {
  const policies: OperationPolicy[] = [];
  for (const productId of callProducts(index, api.id)) {
    try {
      policies.push(operationPolicy(index, api, operation, productId));
    } catch (error) {
      if (!isArmError(error)) throw error;
      const message = `${operation.displayName} answers 500: ${error.message}`;
      if (!problems.some((p) => p.message === message)) problems.push({ code: 'policyDoesNotCompile', message, apiId: api.id, operationId: operation.id });
    }
  }
  return policies;
}

/** The ETag of a scope's stored document, undefined when it has none. */
export function policyEtag(index: CatalogIndex, ref: PolicyScopeRef): string | undefined {
  return etagOf(index, policyRef(ref));
}

/** `A`, `A and B`, `A, B and C`. */
export function listed(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** `GetHeaders'`, `Multiply's`. */
export function possessive(name: string): string {
  return name.endsWith('s') ? `${name}'` : `${name}'s`;
}

/** `the second call`, ..., `the fifth call`, then `call 7`. */
export function nthCall(n: number): string {
  const words = ['first', 'second', 'third', 'fourth', 'fifth'];
  return n >= 1 && n <= words.length ? `the ${words[n - 1]!} call` : `call ${n}`;
}
