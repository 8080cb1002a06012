import { describe, expect, it } from 'vitest';
import { calculator, compute, parseContentType } from '../../../src/lab/backends/calculator';

const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';
const SOAP12 = 'http://www.w3.org/2003/05/soap-envelope';

const text = (body: unknown) => Buffer.from(body as Uint8Array).toString('utf8');
const header = (headers: unknown, name: string) => (headers as [string, string][]).find(([n]) => n === name)?.[1];

function envelope(ns: string, op: string, a: string, b: string): string {
  return `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${ns}"><soap:Body><${op} xmlns="http://tempuri.org/"><intA>${a}</intA><intB>${b}</intB></${op}></soap:Body></soap:Envelope>`;
}

function call11(op: string | null, body: string) {
  const headers = new Headers({ 'content-type': 'text/xml; charset=utf-8' });
  if (op !== null) headers.set('soapaction', `"http://tempuri.org/${op}"`);
  return calculator({ method: 'POST', url: '/backend/calculator/calculator.asmx', headers, body: Buffer.from(body) }, 'calculator.asmx');
}

function call12(action: string | null, body: string, contentType = 'application/soap+xml; charset=utf-8') {
  const type = action === null ? contentType : `${contentType}; action="http://tempuri.org/${action}"`;
  return calculator({ method: 'POST', url: '/backend/calculator/calculator.asmx', headers: new Headers({ 'content-type': type }), body: Buffer.from(body) }, 'calculator.asmx');
}

const result11 = (op: string, n: string) =>
  '<?xml version="1.0" encoding="utf-8"?>' +
  `<soap:Envelope xmlns:soap="${SOAP11}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">` +
  `<soap:Body><${op}Response xmlns="http://tempuri.org/"><${op}Result>${n}</${op}Result></${op}Response></soap:Body></soap:Envelope>`;

describe('SOAP calculator backend', () => {
  it('answers the four operations over SOAP 1.1 under text/xml', () => {
    for (const [op, expected] of [['Add', '10'], ['Subtract', '4'], ['Multiply', '21'], ['Divide', '2']] as const) {
      const r = call11(op, envelope(SOAP11, op, '7', '3'));
      expect(r.status, text(r.body)).toBe(200);
      expect(header(r.headers, 'content-type')).toBe('text/xml; charset=utf-8');
      expect(text(r.body)).toBe(result11(op, expected));
    }
  });

  it('answers SOAP 1.2 under application/soap+xml, by the action parameter or else the body element', () => {
    const byAction = call12('Multiply', envelope(SOAP12, 'Multiply', '6', '7'));
    expect(byAction.status).toBe(200);
    expect(header(byAction.headers, 'content-type')).toBe('application/soap+xml; charset=utf-8');
    expect(text(byAction.body)).toContain(`<soap:Envelope xmlns:soap="${SOAP12}"`);
    expect(text(byAction.body)).toContain('<MultiplyResponse xmlns="http://tempuri.org/"><MultiplyResult>42</MultiplyResult></MultiplyResponse>');
    const byElement = call12(null, envelope(SOAP12, 'Subtract', ' -5 ', '+2'));
    expect(text(byElement.body)).toContain('<SubtractResult>-7</SubtractResult>');
  });

  it('reads the lab sample: a default-namespace SOAP 1.2 envelope', () => {
    const body = `<Envelope xmlns="${SOAP12}"><Body><Add xmlns="http://tempuri.org/"><intA>1</intA><intB>2</intB></Add></Body></Envelope>`;
    expect(text(call12('Add', body).body)).toContain('<AddResult>3</AddResult>');
  });

  it('divides by zero into a 500 fault of the request version', () => {
    const f11 = call11('Divide', envelope(SOAP11, 'Divide', '1', '0'));
    expect(f11.status).toBe(500);
    expect(header(f11.headers, 'content-type')).toBe('text/xml; charset=utf-8');
    expect(text(f11.body)).toContain(
      '<soap:Fault><faultcode>soap:Server</faultcode><faultstring>Server was unable to process request. ---&gt; Attempted to divide by zero.</faultstring><detail /></soap:Fault>',
    );
    const f12 = call12('Divide', envelope(SOAP12, 'Divide', '1', '0'));
    expect(f12.status).toBe(500);
    expect(header(f12.headers, 'content-type')).toBe('application/soap+xml; charset=utf-8');
    expect(text(f12.body)).toContain(
      '<soap:Fault><soap:Code><soap:Value>soap:Receiver</soap:Value></soap:Code><soap:Reason><soap:Text xml:lang="en">Server was unable to process request. ---&gt; Attempted to divide by zero.</soap:Text></soap:Reason><soap:Detail /></soap:Fault>',
    );
  });

  it('computes as .NET int arithmetic', () => {
    expect(compute('Add', 2147483647, 1)).toBe(-2147483648);
    expect(compute('Multiply', 65536, 65536)).toBe(0);
    expect(compute('Divide', -7, 2)).toBe(-3);
    expect(() => compute('Divide', -2147483648, -1)).toThrow('overflow');
  });

  it('faults unknown or missing actions as the client fault', () => {
    const unknown = call11('Power', envelope(SOAP11, 'Power', '1', '2'));
    expect(unknown.status).toBe(500);
    expect(text(unknown.body)).toContain(
      '<faultcode>soap:Client</faultcode><faultstring>Server did not recognize the value of HTTP Header SOAPAction: http://tempuri.org/Power.</faultstring>',
    );
    expect(text(call11(null, envelope(SOAP11, 'Add', '1', '2')).body)).toContain('SOAPAction: .</faultstring>');
    const noAction = call12(null, envelope(SOAP12, 'Power', '1', '2'));
    expect(noAction.status).toBe(500);
    expect(text(noAction.body)).toContain('<soap:Value>soap:Sender</soap:Value>');
    expect(text(noAction.body)).toContain('Please supply a valid soap action.');
  });

  it('faults malformed XML, a DTD, bad numbers and mismatched elements, never throws', () => {
    const cases = [
      '<soap:Envelope xmlns:soap="' + SOAP11 + '"><soap:Body>',
      'not xml at all',
      '',
      `<!DOCTYPE x [<!ENTITY a "b">]><soap:Envelope xmlns:soap="${SOAP11}"><soap:Body/></soap:Envelope>`,
      envelope(SOAP11, 'Add', 'seven', '1'),
      envelope(SOAP11, 'Add', '2147483648', '1'),
      envelope(SOAP11, 'Subtract', '1', '1'),
      `<soap:Envelope xmlns:soap="${SOAP11}"><soap:Header/></soap:Envelope>`,
      `<Other/>`,
      `<soap:Envelope xmlns:soap="${SOAP11}"><soap:Body><Add xmlns="http://tempuri.org/"><intA>&foo;</intA></Add></soap:Body></soap:Envelope>`,
    ];
    for (const body of cases) {
      const r = call11('Add', body);
      expect(r.status, body).toBe(500);
      expect(text(r.body), body).toContain('<faultcode>soap:Client</faultcode><faultstring>Server was unable to read request. ---&gt;');
    }
    expect(text(call11('Add', cases[3]!).body)).toContain('DTD is prohibited');
    const invalidUtf8 = calculator(
      { method: 'POST', url: '/x', headers: new Headers({ 'content-type': 'text/xml', soapaction: 'http://tempuri.org/Add' }), body: new Uint8Array([0xff, 0xfe]) },
      'calculator.asmx',
    );
    expect(invalidUtf8.status).toBe(500);
  });

  it('answers a version mismatch when the envelope is of the other version', () => {
    const r = call11('Add', envelope(SOAP12, 'Add', '1', '2'));
    expect(r.status).toBe(500);
    expect(text(r.body)).toContain(`<faultcode>soap:VersionMismatch</faultcode><faultstring>Possible SOAP version mismatch: Envelope namespace ${SOAP12} was unexpected. Expecting ${SOAP11}.</faultstring>`);
    const r12 = call12('Add', envelope(SOAP11, 'Add', '1', '2'));
    expect(text(r12.body)).toContain('<soap:Value>soap:VersionMismatch</soap:Value>');
  });

  it('treats an absent parameter as 0, as the .NET serializer leaves it', () => {
    const body = `<soap:Envelope xmlns:soap="${SOAP11}"><soap:Body><Add xmlns="http://tempuri.org/"><intA>5</intA></Add></soap:Body></soap:Envelope>`;
    expect(text(call11('Add', body).body)).toContain('<AddResult>5</AddResult>');
  });

  it('answers 404 off calculator.asmx, 405 for other methods, 415 for other content types', () => {
    const base = { url: '/x', headers: new Headers({ 'content-type': 'text/xml' }), body: null };
    expect(calculator({ ...base, method: 'POST' }, 'other.asmx').status).toBe(404);
    expect(calculator({ ...base, method: 'GET' }, 'calculator.asmx').status).toBe(405);
    expect(calculator({ ...base, method: 'POST', headers: new Headers({ 'content-type': 'application/json' }) }, 'Calculator.asmx').status).toBe(415);
  });

  it('parses Content-Type parameters, quoted or not', () => {
    const parsed = parseContentType('Application/SOAP+XML; charset=utf-8; action="http://tempuri.org/Add;x"');
    expect(parsed.mediaType).toBe('application/soap+xml');
    expect(parsed.parameters.get('action')).toBe('http://tempuri.org/Add;x');
    expect(parseContentType('text/xml;action=a').parameters.get('action')).toBe('a');
  });
});
