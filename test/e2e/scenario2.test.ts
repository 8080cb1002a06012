import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOT_FOUND_BODY } from '../../src/apim/gatewayResponses';
import { consoleRequest, startLabHost, type CallInit, type LabHost } from '../helpers/labHost';

/**
 * Troubleshooting scenario 2, "SOAP API returns 404 (and 500)", end to end on the
 * local host (docs/scenarios/2-soap-404.md). The Calculator is called as the test
 * console calls it, from each operation's definition: its header defaults (the
 * SOAPAction), the administrator's Unlimited key, the representation's content
 * type (SOAP 1.2) and its sample body. Add and Subtract work; Multiply's
 * definition has no SOAPAction default, so nothing matches (404 before any key
 * check); Divide's sample divides by zero (the backend's SOAP fault, 500).
 */

let lab: LabHost;
let key: string;

beforeAll(async () => {
  lab = await startLabHost();
  key = await lab.adminKey('unlimited-admin');
});

afterAll(async () => {
  await lab?.stop();
});

const SOAP12 = 'application/soap+xml; charset=utf-8';
const ENVELOPE =
  '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body>';
const result = (operation: string, value: number) =>
  `${ENVELOPE}<${operation}Response xmlns="http://tempuri.org/"><${operation}Result>${value}</${operation}Result></${operation}Response></soap:Body></soap:Envelope>`;
const DIVIDE_BY_ZERO = `${ENVELOPE}<soap:Fault><soap:Code><soap:Value>soap:Receiver</soap:Value></soap:Code><soap:Reason><soap:Text xml:lang="en">Server was unable to process request. ---&gt; Attempted to divide by zero.</soap:Text></soap:Reason><soap:Detail /></soap:Fault></soap:Body></soap:Envelope>`;
const NOT_FOUND = NOT_FOUND_BODY.toString('utf8');

const fromConsole = (operationId: string) => consoleRequest(lab, 'calculator', operationId, key);
const send = async ({ path, init }: { path: string; init: CallInit }) => lab.call(path, init);

function expectSoap(answer: Awaited<ReturnType<typeof send>>, status: number, body: string) {
  expect([answer.status, answer.headers['content-type'], answer.text]).toEqual([status, SOAP12, body]);
  expect(answer.headers['content-length']).toBe(String(Buffer.byteLength(body)));
}

function expectNotFound(answer: Awaited<ReturnType<typeof send>>) {
  expect([answer.status, answer.reason, answer.headers['content-type'], answer.text]).toEqual([404, 'Not Found', 'application/json', NOT_FOUND]);
  expect(answer.headers['content-length']).toBe('54');
  expect(answer.headers['www-authenticate']).toBeUndefined();
}

async function expectBroken() {
  const multiply = await fromConsole('multiply');
  expect(multiply.init.headers).not.toHaveProperty('SOAPAction');
  expectNotFound(await send(multiply));
  // Before any key check: without a key it is the same 404, never a 401.
  const { 'Ocp-Apim-Subscription-Key': _key, ...withoutKey } = multiply.init.headers!;
  expectNotFound(await send({ path: multiply.path, init: { ...multiply.init, headers: withoutKey } }));
  expectSoap(await send(await fromConsole('divide')), 500, DIVIDE_BY_ZERO);
}

describe('scenario 2: SOAP API returns 404 and 500', () => {
  it('Add and Subtract answer 200 with SOAP 1.2 results, called as the console calls them', async () => {
    const add = await fromConsole('add');
    expect(add.path).toBe('/calc/?soapAction=http%3A%2F%2Ftempuri.org%2FAdd');
    expect(add.init).toMatchObject({ method: 'POST', headers: { SOAPAction: 'http://tempuri.org/Add', 'Content-Type': 'application/soap+xml', 'Ocp-Apim-Subscription-Key': key } });
    expect(add.init.body).toContain('<Add xmlns="http://tempuri.org/">');
    expectSoap(await send(add), 200, result('Add', 2));
    expectSoap(await send(await fromConsole('subtract')), 200, result('Subtract', 0));
  });

  it("broken as seeded: Multiply (no SOAPAction in its definition) answers APIM's 404 before any key check; Divide's sample answers the backend's 500 SOAP fault", async () => {
    await expectBroken();
  });

  it('the trace says no operation matched because no SOAPAction was sent; and that Divide was forwarded and the backend answered 500', async () => {
    const multiply = await fromConsole('multiply');
    const { result: answer, lines } = await lab.traced('calculator', multiply.path, multiply.init);
    expect(answer.status).toBe(404);
    expect(lines).toContain(
      "inbound \u00b7 api-matching: API 'calculator' matched; no operation matched: no SOAPAction was sent (neither a SOAPAction header nor an action parameter of Content-Type: application/soap+xml), and this SOAP API's operations are matched by their SOAP action.",
    );
    expect(lines.at(-1)).toBe('outbound \u00b7 gateway: The API has no operation for this method and path: 404, checked before any key.');
    const divide = await fromConsole('divide');
    const traced = await lab.traced('calculator', divide.path, divide.init);
    expect(traced.result.status).toBe(500);
    expect(traced.lines).toContain("inbound \u00b7 api-matching: API 'calculator' and operation 'divide' matched.");
    expect(traced.lines).toContain('backend \u00b7 forward-request: forward-request (global, line 10): backend answered 500');
  });

  it("fixed: Multiply's definition gets the SOAPAction header default, Divide a non-zero intB; the reset breaks both again", async () => {
    const patched = await lab.manage(
      'PATCH',
      '/apis/calculator/operations/multiply',
      { properties: { request: { headers: [{ name: 'SOAPAction', type: 'string', defaultValue: 'http://tempuri.org/Multiply', required: false, values: ['http://tempuri.org/Multiply'] }] } } },
      { 'If-Match': '*' },
    );
    expect(patched.status, patched.text).toBe(200);
    const multiply = await fromConsole('multiply');
    expect(multiply.init.headers).toMatchObject({ SOAPAction: 'http://tempuri.org/Multiply', 'Content-Type': 'application/soap+xml' });
    expectSoap(await send(multiply), 200, result('Multiply', 30));
    const divide = await fromConsole('divide');
    expect(divide.init.body).toContain('<intB>0</intB>');
    expectSoap(await send({ path: divide.path, init: { ...divide.init, body: String(divide.init.body).replace('<intB>0</intB>', '<intB>4</intB>') } }), 200, result('Divide', 0));
    const ten = String(divide.init.body).replace('<intA>1</intA>', '<intA>10</intA>').replace('<intB>0</intB>', '<intB>3</intB>');
    expectSoap(await send({ path: divide.path, init: { ...divide.init, body: ten } }), 200, result('Divide', 3));

    await lab.reset(2);
    await expectBroken();
    expectSoap(await send(await fromConsole('add')), 200, result('Add', 2));
  });
});
