import type { CatalogIndex } from '../../catalog/catalogIndex';
import type { Api, Operation, Parameter } from '../../catalog/records';
import { soapActionOf } from '../../gateway/soapAction';
import { etagOf } from '../../management/etag';
import { readXml, type XmlElement } from '../backends/soapEnvelope';
import { CALCULATOR_API_ID, CALCULATOR_OPERATIONS, calculatorSample, soapActionHeader, type CalculatorOperation } from '../instance/calculator';
import { representationBody, withExample } from '../representations';
import { isState, possessive, scenarioRecords, titleOf } from './common';
import { statusOf, type Finding, type FixRequest, type ScenarioState } from './types';

/**
 * Scenario 2, a SOAP API that answers 404 and 500. The test console sends an
 * operation's header definitions with their default values and the body and
 * content type of its first representation. An operation of a SOAP API whose
 * template names a SOAP action is matched on that action; when what the console
 * would send names no action or another one (in the lab: Multiply has no
 * SOAPAction header definition), no operation matches: 404. Divide's sample body
 * divides by zero: the backend's SOAP fault, 500.
 */

const WHEN_FIXED = 'Pick Multiply and Divide again: the console sends the SOAPAction header and a non-zero intB, and both answer 200.';

/** The divisor the fix writes into a sample that divides by zero. */
export const FIXED_DIVISOR = 1;

export function diagnoseScenario2(index: CatalogIndex): ScenarioState {
  const records = scenarioRecords(index, 2, CALCULATOR_API_ID, ['multiply', 'divide'], WHEN_FIXED);
  if (isState(records)) return records;
  const { api, operations } = records;
  const findings: Finding[] = [];
  for (const operation of operations) {
    const action = actionOfTemplate(operation.urlTemplate);
    if (action !== null) {
      const problem = soapActionProblem(index, api, operation, action);
      if (problem) findings.push(problem);
    }
    const division = divisionByZero(index, api, operation);
    if (division) findings.push(division);
  }
  return { number: 2, title: titleOf(2), status: statusOf(['soapActionMissing', 'divideByZero'], findings), findings, whenFixed: WHEN_FIXED };
}

/** The SOAP action of a `/?soapAction=<action>` template, else null. */
export function actionOfTemplate(urlTemplate: string): string | null {
  const q = urlTemplate.indexOf('?');
  if (q < 0 || urlTemplate.slice(0, q) !== '/') return null;
  for (const [name, value] of new URLSearchParams(urlTemplate.slice(q + 1))) {
    if (name.toLowerCase() === 'soapaction') return value;
  }
  return null;
}

const isSoapActionHeader = (header: Parameter) => header.name.toLowerCase() === 'soapaction';

/** The action the console's request names, read as the gateway reads it: the SOAPAction header, else the SOAP 1.2 `action` parameter. */
function consoleAction(operation: Operation): string | null {
  const header = operation.request.headers.find(isSoapActionHeader);
  const contentType = representationBody(operation.request.representations[0]).contentType;
  const headers = new Headers();
  try {
    if (header?.defaultValue) headers.set('SOAPAction', header.defaultValue);
    if (contentType) headers.set('Content-Type', contentType);
  } catch {
    return null; // not a value a header can carry: the console cannot send it either
  }
  return soapActionOf(headers);
}

function soapActionProblem(index: CatalogIndex, api: Api, operation: Operation, action: string): Finding | undefined {
  const sent = consoleAction(operation);
  if (sent !== null && sent.toLowerCase() === action.toLowerCase()) return undefined;
  const name = operation.displayName;
  const cause =
    sent === null
      ? 'its definition has no SOAPAction header default, so the test console sends no SOAP action'
      : `its definition's SOAPAction header default is ${sent}, not ${action}`;
  const header = CALCULATOR_OPERATIONS.includes(name as CalculatorOperation) ? soapActionHeader(name as CalculatorOperation) : soapActionParameter(action);
  const headers = [...operation.request.headers.filter((h) => !isSoapActionHeader(h)), header];
  return {
    code: 'soapActionMissing',
    apiId: api.id,
    operationId: operation.id,
    message: `${name} answers 404 "Resource not found": ${cause} and no operation matches.`,
    fix: {
      label: `Add the SOAPAction header ${action} to ${name}`,
      done: `${possessive(name)} definition has the SOAPAction header ${action} now: the console fills it in.`,
      requests: [patchRequest(index, api, operation, { headers })],
    },
  };
}

function soapActionParameter(action: string): Parameter {
  return { name: 'SOAPAction', description: null, type: 'string', defaultValue: action, required: false, values: [action] };
}

/** Divide's sample (the body the console sends) with a divisor of 0. */
function divisionByZero(index: CatalogIndex, api: Api, operation: Operation): Finding | undefined {
  const representations = operation.request.representations;
  const { example } = representationBody(representations[0]);
  const call = soapCall(example);
  if (!call || call.operation.local !== 'Divide') return undefined;
  const intA = call.operation.children.find((c) => c.local === 'intA');
  const intB = call.operation.children.find((c) => c.local === 'intB');
  if (!intB || Number(intB.text.trim()) !== 0 || intB.text.trim() === '') return undefined;
  const name = operation.displayName;
  const dividend = Number(intA?.text.trim() ?? '');
  const fixed = calculatorSample('Divide', [Number.isInteger(dividend) ? dividend : 1, FIXED_DIVISOR]);
  return {
    code: 'divideByZero',
    apiId: api.id,
    operationId: operation.id,
    message: `${name} answers 500 (SOAP fault "Attempted to divide by zero"): the sample body in its definition, which the test console sends, has intB = 0.`,
    fix: {
      label: `Make ${possessive(name)} sample divide by ${FIXED_DIVISOR}`,
      done: `${possessive(name)} sample body has intB = ${FIXED_DIVISOR} now: the console sends it.`,
      requests: [patchRequest(index, api, operation, { representations: [withExample(representations[0], fixed), ...representations.slice(1)] })],
    },
  };
}

/** The operation element of a SOAP envelope's body, or undefined when the text is no envelope. */
function soapCall(text: string): { operation: XmlElement } | undefined {
  if (text.trim() === '') return undefined;
  try {
    const envelope = readXml(text);
    const body = envelope.children.find((c) => c.local === 'Body');
    const operation = body?.children[0];
    return operation ? { operation } : undefined;
  } catch {
    return undefined;
  }
}

function patchRequest(index: CatalogIndex, api: Api, operation: Operation, request: Record<string, unknown>): FixRequest {
  return {
    method: 'PATCH',
    path: `/apis/${encodeURIComponent(api.id)}/operations/${encodeURIComponent(operation.id)}`,
    body: { properties: { request } },
    ifMatch: etagOf(index, { kind: 'operation', apiId: api.id, id: operation.id }) ?? '*',
  };
}
