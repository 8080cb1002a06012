import { builders } from '../../catalog/recordBuilders';
import type { CatalogRecord } from '../../catalog/tableCodec';
import { backendUrl, fixedHeader, record, representation } from './common';

/**
 * Scenario 2: the Calculator, a SOAP pass-through API. Each operation is matched
 * by its SOAP action. Add, Subtract and Divide define a `SOAPAction` header whose
 * default the test console sends; Multiply defines none, so the console sends no
 * action and no operation matches (404). Divide's sample body divides by zero
 * (the backend's 500 SOAP fault).
 */

export const CALCULATOR_API_ID = 'calculator';
export const SOAP_NAMESPACE = 'http://tempuri.org/';
export const CALCULATOR_OPERATIONS = ['Add', 'Subtract', 'Multiply', 'Divide'] as const;
export type CalculatorOperation = (typeof CALCULATOR_OPERATIONS)[number];

/** The operations whose definition lacks the SOAPAction header in the broken lab. */
export const WITHOUT_SOAP_ACTION: readonly CalculatorOperation[] = ['Multiply'];

const SAMPLE_OPERANDS: Record<CalculatorOperation, [number, number]> = { Add: [1, 1], Subtract: [1, 1], Multiply: [10, 3], Divide: [1, 0] };

export function soapActionOf(name: CalculatorOperation): string {
  return `${SOAP_NAMESPACE}${name}`;
}

/** The SOAP 1.2 request envelope the operation's definition carries as its sample. */
export function calculatorSample(name: CalculatorOperation, [a, b] = SAMPLE_OPERANDS[name]): string {
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<Envelope xmlns="http://www.w3.org/2003/05/soap-envelope">',
    '  <Body>',
    `    <${name} xmlns="${SOAP_NAMESPACE}">`,
    `      <intA>${a}</intA>`,
    `      <intB>${b}</intB>`,
    `    </${name}>`,
    '  </Body>',
    '</Envelope>',
  ].join('\n');
}

/** The SOAPAction header definition the console fills the header from. */
export function soapActionHeader(name: CalculatorOperation) {
  return fixedHeader('SOAPAction', soapActionOf(name));
}

export function calculatorRecords(env: NodeJS.ProcessEnv = process.env): CatalogRecord[] {
  return [
    record.api(
      builders.api({
        id: CALCULATOR_API_ID,
        displayName: 'Calculator',
        path: 'calc',
        // The ASMX service's own address: the backend function serves only calculator.asmx (docs/lab-backends.md).
        serviceUrl: `${backendUrl('calculator', env)}/calculator.asmx`,
        protocols: ['https'],
        type: 'soap',
      }),
    ),
    ...CALCULATOR_OPERATIONS.map((name) =>
      record.operation(
        builders.operation({
          apiId: CALCULATOR_API_ID,
          id: name.toLowerCase(),
          displayName: name,
          method: 'POST',
          urlTemplate: `/?soapAction=${soapActionOf(name)}`,
          request: {
            description: `${name}SoapIn`,
            queryParameters: [],
            headers: WITHOUT_SOAP_ACTION.includes(name) ? [] : [soapActionHeader(name)],
            representations: [representation('application/soap+xml', calculatorSample(name), name)],
          },
        }),
      ),
    ),
    record.link(builders.link({ productId: 'unlimited', apiId: CALCULATOR_API_ID })),
  ];
}
