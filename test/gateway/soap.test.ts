import { describe, expect, it } from 'vitest';
import type { Api } from '../../src/catalog/records';
import { createGateway } from '../../src/gateway/pipeline';
import { NO_SOAP_ACTION, soapActionOf, soapMissReason } from '../../src/gateway/soapAction';
import { traceDocument } from '../../src/gateway/trace';
import { api, bodyOf, catalogOf, headerValues, operation, recordingForwarder, request, subscription } from './fixtures';

const NOT_FOUND = '{ "statusCode": 404, "message": "Resource not found" }';
const KEY = { 'Ocp-Apim-Subscription-Key': 'calc-key' };
const URL_ = 'https://gw.test/calc';
const SOAP12 = (params: string) => ({ 'Content-Type': `application/soap+xml${params}` });

/** An API as stored before APIs had a type. */
function untyped(record: Api): Api {
  const { type: _, ...rest } = record;
  return rest;
}

/** The troubleshooting lab's Calculator: a SOAP pass-through API, Multiply has no operation of its own action here. */
function calculator(extra: Parameters<typeof api>[2] = {}) {
  const catalog = catalogOf({
    apis: [api('calculator', 'calc', { type: 'soap', serviceUrl: 'https://soap.example/calculator.asmx', ...extra }), untyped(api('echo-api', 'echo'))],
    operations: [
      operation('calculator', 'add', 'POST', '/?soapAction=http://tempuri.org/Add'),
      operation('calculator', 'subtract', 'POST', '/?soapAction=http://tempuri.org/Subtract'),
      operation('calculator', 'divide', 'POST', '/?soapAction=http://tempuri.org/Divide'),
      operation('calculator', 'wsdl', 'GET', '/wsdl'),
      operation('echo-api', 'by-query', 'POST', '/?soapAction=urn:echo'),
      operation('echo-api', 'retrieve-resource', 'GET', '/resource'),
    ],
    subscriptions: [subscription('calc-sub', '/apis/calculator', 'calc-key'), subscription('echo-sub', '/apis/echo-api', 'echo-key')],
  });
  const forwarder = recordingForwarder();
  return { gateway: createGateway({ catalog, forwarder }), forwarder, catalog };
}

type Result = Awaited<ReturnType<ReturnType<typeof createGateway>['handle']>>;

async function expectNotFound(response: Result) {
  expect(response.status).toBe(404);
  expect((await bodyOf(response)).toString()).toBe(NOT_FOUND);
  expect(headerValues(response, 'content-length')).toEqual(['54']);
  expect(headerValues(response, 'content-type')).toEqual(['application/json']);
  expect(headerValues(response, 'www-authenticate')).toEqual([]);
  expect(response.trace.outcome).toBe('operationNotFound');
  // Before any key check.
  expect(response.trace.keySource).toBeNull();
}

function matchingMessage(response: Result): string {
  const document = traceDocument(response.trace, { method: 'POST', url: URL_, headerNames: [], queryParameterNames: [] }, response.status, new Date(0), 0) as {
    traceEntries: { inbound: { source: string; data: { message: string } }[] };
  };
  return document.traceEntries.inbound.find((entry) => entry.source === 'api-matching')!.data.message;
}

describe('SOAP pass-through matching (docs/apim-behaviour.md#soap-pass-through-apis)', () => {
  it.each([
    ['SOAP 1.1, quoted SOAPAction', { SOAPAction: '"http://tempuri.org/Add"' }, 'add'],
    ['SOAP 1.1, unquoted SOAPAction', { SOAPAction: 'http://tempuri.org/Subtract' }, 'subtract'],
    ['SOAP 1.1, header name in another case and spaces around', { soapaction: '  "http://tempuri.org/Divide" ' }, 'divide'],
    ['SOAP 1.2, action parameter', SOAP12('; action="http://tempuri.org/Add"'), 'add'],
    ['SOAP 1.2, action after other parameters, unquoted', SOAP12(';charset=utf-8; action=http://tempuri.org/Subtract'), 'subtract'],
    ['SOAP 1.2, action before other parameters', SOAP12('; action="http://tempuri.org/Divide"; charset=utf-8'), 'divide'],
    ['SOAP 1.2, parameter name and media type in another case', { 'Content-Type': 'Application/SOAP+XML; Charset=UTF-8; ACTION="http://tempuri.org/Add"' }, 'add'],
    ['an action in another case (matching is case-insensitive)', { SOAPAction: '"HTTP://TEMPURI.ORG/add"' }, 'add'],
  ])('%s: matches its operation and the call is forwarded as it came', async (_, headers, operationId) => {
    const { gateway, forwarder } = calculator();
    const r = await gateway.handle(request('POST', URL_, { ...KEY, ...headers }, new TextEncoder().encode('<Envelope/>')));
    expect(r.status).toBe(200);
    expect(r.trace).toMatchObject({ apiId: 'calculator', operationId, operationMiss: null, outcome: 'forwarded' });
    expect(forwarder.calls).toHaveLength(1);
    const call = forwarder.calls[0]!;
    // The template's soapAction query is only a matching device: nothing is added to the backend URL.
    expect(call.origin).toBe('https://soap.example');
    expect(call.path).toBe('/calculator.asmx');
    for (const [name, value] of Object.entries(headers)) {
      expect(call.headers.filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, v]) => v)).toEqual([value.trim()]);
    }
  });

  it('the path / with a trailing slash and a query of its own matches too; the query goes on unchanged', async () => {
    const { gateway, forwarder } = calculator();
    const r = await gateway.handle(request('POST', `${URL_}/?x=1`, { ...KEY, SOAPAction: '"http://tempuri.org/Add"' }));
    expect(r.trace.operationId).toBe('add');
    expect(forwarder.calls[0]!.path).toBe('/calculator.asmx/?x=1');
  });

  it('no action (Multiply defines no SOAPAction default): the standard 404 before the 401, and the trace says why', async () => {
    const { gateway, forwarder } = calculator();
    const r = await gateway.handle(request('POST', URL_, { 'Content-Type': 'text/xml; charset=utf-8' }));
    await expectNotFound(r);
    expect(r.trace.operationMiss).toBe(NO_SOAP_ACTION);
    expect(matchingMessage(r)).toBe(
      "API 'calculator' matched; no operation matched: no SOAPAction was sent (neither a SOAPAction header nor an action parameter of Content-Type: application/soap+xml), and this SOAP API's operations are matched by their SOAP action.",
    );
    expect(forwarder.calls).toHaveLength(0);
    // The same request with a valid key is the same 404; without the key it never becomes a 401.
    await expectNotFound(await gateway.handle(request('POST', URL_, KEY)));
  });

  it('application/soap+xml without an action parameter is no action; neither is a soapAction query parameter', async () => {
    const { gateway } = calculator();
    const r = await gateway.handle(request('POST', URL_, SOAP12('; charset=utf-8; actionx="http://tempuri.org/Add"')));
    await expectNotFound(r);
    expect(r.trace.operationMiss).toBe(NO_SOAP_ACTION);
    await expectNotFound(await gateway.handle(request('POST', `${URL_}?soapAction=http://tempuri.org/Add`, KEY)));
  });

  it('an action no operation has: 404 before the key check, the trace names the action', async () => {
    const { gateway } = calculator();
    const r = await gateway.handle(request('POST', URL_, { SOAPAction: '"http://tempuri.org/Multiply"', 'Ocp-Apim-Subscription-Key': 'wrong' }));
    await expectNotFound(r);
    expect(r.trace.operationMiss).toBe("SOAPAction 'http://tempuri.org/Multiply' matches no operation");
    expect(matchingMessage(r)).toBe("API 'calculator' matched; no operation matched: SOAPAction 'http://tempuri.org/Multiply' matches no operation.");
  });

  it("another operation's action with another method or path is a 404", async () => {
    const { gateway } = calculator();
    await expectNotFound(await gateway.handle(request('GET', URL_, { SOAPAction: 'http://tempuri.org/Add' })));
    await expectNotFound(await gateway.handle(request('POST', `${URL_}/Add`, { SOAPAction: 'http://tempuri.org/Add' })));
    // An action that only starts like one of the operations'.
    await expectNotFound(await gateway.handle(request('POST', URL_, { SOAPAction: 'http://tempuri.org/AddMore' })));
  });

  it("a SOAP API's other operations match by path as usual", async () => {
    const { gateway } = calculator();
    const r = await gateway.handle(request('GET', `${URL_}/wsdl`, KEY));
    expect(r.trace).toMatchObject({ operationId: 'wsdl', outcome: 'forwarded' });
  });

  it('an API that reads its key from the SOAPAction header: the trace does not quote the action', async () => {
    const { gateway } = calculator({ subscriptionKeyParameterNames: { header: 'SOAPAction', query: 'subscription-key' } });
    const r = await gateway.handle(request('POST', URL_, { SOAPAction: 'calc-key' }));
    await expectNotFound(r);
    expect(r.trace.operationMiss).toBe('the SOAPAction matches no operation');
    expect(JSON.stringify(r.trace)).not.toContain('calc-key');
  });
});

describe('HTTP APIs are unaffected', () => {
  it('an http API matches /?soapAction= templates by the query only, and ignores SOAPAction headers', async () => {
    const { gateway } = calculator();
    const byQuery = await gateway.handle(request('POST', 'https://gw.test/echo?soapAction=urn:echo', { 'Ocp-Apim-Subscription-Key': 'echo-key' }));
    expect(byQuery.trace).toMatchObject({ apiId: 'echo-api', operationId: 'by-query', outcome: 'forwarded' });
    const byHeader = await gateway.handle(request('POST', 'https://gw.test/echo', { SOAPAction: 'urn:echo' }));
    await expectNotFound(byHeader);
    expect(byHeader.trace.operationMiss).toBeNull();
    expect(matchingMessage(byHeader)).toBe("API 'echo-api' matched; no operation matched.");
  });

  it('an API without a type (a row stored before types) is http', async () => {
    const { gateway, catalog } = calculator();
    expect(catalog.getApi('echo-api')).not.toHaveProperty('type');
    const r = await gateway.handle(request('GET', 'https://gw.test/echo/resource', { 'Ocp-Apim-Subscription-Key': 'echo-key', SOAPAction: 'x' }));
    expect(r.trace).toMatchObject({ operationId: 'retrieve-resource', outcome: 'forwarded' });
  });
});

describe('soapActionOf', () => {
  const of = (headers: Record<string, string>) => soapActionOf(new Headers(headers));
  it.each([
    [{}, null],
    [{ SOAPAction: '""' }, ''],
    [{ SOAPAction: '"urn:a"' }, 'urn:a'],
    [{ SOAPAction: 'urn:a' }, 'urn:a'],
    [{ 'Content-Type': 'text/xml; action="urn:a"' }, null],
    [{ 'Content-Type': 'application/soap+xml' }, null],
    [{ 'Content-Type': 'application/soap+xml;action="urn:a;b"' }, 'urn:a;b'],
    [{ 'Content-Type': 'application/soap+xml; action="urn:\\"q\\""' }, 'urn:"q"'],
    [{ 'Content-Type': 'application/soap+xml; Action=urn:a ; charset=utf-8' }, 'urn:a'],
    // Both: the SOAPAction header wins.
    [{ SOAPAction: 'urn:header', 'Content-Type': 'application/soap+xml; action=urn:type' }, 'urn:header'],
  ])('%j -> %j', (headers, expected) => {
    expect(of(headers)).toBe(expected);
  });

  it('a long action is shortened in the trace', () => {
    const reason = soapMissReason('a'.repeat(500), 'Ocp-Apim-Subscription-Key');
    expect(reason).toBe(`SOAPAction '${'a'.repeat(200)}...' matches no operation`);
  });
});
