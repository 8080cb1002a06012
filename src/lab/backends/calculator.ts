import type { GatewayResponse } from '../../gateway/types';
import { textResponse, type BackendRequest } from './http';
import { readXml, SOAP11_NS, SOAP12_NS, XmlReadError, type XmlElement } from './soapEnvelope';

/**
 * The lab's SOAP calculator, the classic ASMX `calculator.asmx`: Add, Subtract,
 * Multiply and Divide of two `int`s (`intA`, `intB`) in the `http://tempuri.org/`
 * namespace, over SOAP 1.1 (`text/xml`, operation named by the `SOAPAction`
 * header) and SOAP 1.2 (`application/soap+xml`, operation named by its `action`
 * parameter, else by the body's element). Arithmetic is .NET's `int`: unchecked
 * (it wraps), division truncates, and dividing by zero throws.
 *
 * Every fault is HTTP 500, whatever its code, as ASMX answers them: the client's
 * faults (unreadable request, unknown operation) carry `soap:Client` (1.1) or
 * `soap:Sender` (1.2); a failing operation `soap:Server` or `soap:Receiver`.
 */

export const TEMPURI = 'http://tempuri.org/';
export const OPERATIONS = ['Add', 'Subtract', 'Multiply', 'Divide'] as const;
export type Operation = (typeof OPERATIONS)[number];
export type SoapVersion = '1.1' | '1.2';

export const SOAP11_CONTENT_TYPE = 'text/xml; charset=utf-8';
export const SOAP12_CONTENT_TYPE = 'application/soap+xml; charset=utf-8';

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

type FaultKind = 'client' | 'server' | 'versionMismatch';

class SoapFault extends Error {
  constructor(
    readonly kind: FaultKind,
    message: string,
  ) {
    super(message);
  }
}

/** Answers a request to `/backend/calculator/<path>`; only `calculator.asmx` exists. */
export function calculator(request: BackendRequest, path: string): GatewayResponse {
  if (path.replace(/\/+$/, '').toLowerCase() !== 'calculator.asmx') {
    return textResponse(404, 'text/plain; charset=utf-8', 'The resource cannot be found.');
  }
  if (request.method.toUpperCase() !== 'POST') {
    return textResponse(405, 'text/plain; charset=utf-8', 'The calculator takes SOAP requests: POST only.', [['allow', 'POST']]);
  }
  const contentType = parseContentType(request.headers.get('content-type'));
  const version: SoapVersion | undefined =
    contentType.mediaType === 'text/xml' ? '1.1' : contentType.mediaType === 'application/soap+xml' ? '1.2' : undefined;
  if (!version) {
    return textResponse(415, 'text/plain; charset=utf-8', 'Request format is unrecognized: send text/xml (SOAP 1.1) or application/soap+xml (SOAP 1.2).');
  }
  try {
    const action = version === '1.1' ? unquote(request.headers.get('soapaction')) : contentType.parameters.get('action');
    const { operation, element } = readRequest(version, request.body, action);
    const result = compute(operation, readInt(element, 'intA'), readInt(element, 'intB'));
    return envelope(version, 200, `<${operation}Response xmlns="${TEMPURI}"><${operation}Result>${result}</${operation}Result></${operation}Response>`);
  } catch (error) {
    if (error instanceof SoapFault) return fault(version, error.kind, error.message);
    throw error;
  }
}

/** The operation the request names and its element in the body. */
function readRequest(version: SoapVersion, body: Uint8Array | null, action: string | null | undefined): { operation: Operation; element: XmlElement } {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body ?? new Uint8Array(0));
  } catch {
    throw unreadable('Invalid character in the given encoding.');
  }
  let root: XmlElement;
  try {
    root = readXml(text);
  } catch (error) {
    if (error instanceof XmlReadError) throw unreadable(error.message, error.line, error.column);
    throw error;
  }
  const expected = version === '1.1' ? SOAP11_NS : SOAP12_NS;
  if (root.local !== 'Envelope') throw unreadable(`<${root.local} xmlns='${root.uri}'> was not expected.`, root.line, root.column);
  if (root.uri !== expected) {
    throw new SoapFault('versionMismatch', `Possible SOAP version mismatch: Envelope namespace ${root.uri} was unexpected. Expecting ${expected}.`);
  }
  const soapBody = root.children.find((child) => child.uri === expected && child.local === 'Body');
  if (!soapBody) throw unreadable('The SOAP Body element is missing.', root.line, root.column);
  const element = soapBody.children[0];

  let operation: Operation | undefined;
  if (action) {
    operation = OPERATIONS.find((name) => `${TEMPURI}${name}` === action);
    if (!operation) throw new SoapFault('client', `Server did not recognize the value of HTTP Header SOAPAction: ${action}.`);
  } else if (version === '1.1') {
    throw new SoapFault('client', 'Server did not recognize the value of HTTP Header SOAPAction: .');
  } else {
    operation = OPERATIONS.find((name) => element?.uri === TEMPURI && element.local === name);
    if (!operation) throw new SoapFault('client', 'Unable to handle request without a valid action parameter. Please supply a valid soap action.');
  }
  if (!element) throw unreadable(`The SOAP Body has no ${operation} element.`, soapBody.line, soapBody.column);
  if (element.uri !== TEMPURI || element.local !== operation) {
    throw unreadable(`<${element.local} xmlns='${element.uri}'> was not expected.`, element.line, element.column);
  }
  return { operation, element };
}

/** An `int` parameter as .NET's `XmlConvert.ToInt32` reads it; absent is 0, as the serializer leaves it. */
function readInt(operation: XmlElement, name: string): number {
  const element = operation.children.find((child) => child.local === name && child.uri === TEMPURI);
  if (!element) return 0;
  const text = element.text.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
  if (!/^[+-]?\d+$/.test(text)) throw unreadable('Input string was not in a correct format.', element.line, element.column);
  const value = Number(text);
  if (value < INT_MIN || value > INT_MAX) throw unreadable('Value was either too large or too small for an Int32.', element.line, element.column);
  return value;
}

/** .NET `int` arithmetic: unchecked, so sums and products wrap; division truncates toward zero. */
export function compute(operation: Operation, a: number, b: number): number {
  switch (operation) {
    case 'Add':
      return (a + b) | 0;
    case 'Subtract':
      return (a - b) | 0;
    case 'Multiply':
      return Math.imul(a, b);
    case 'Divide':
      if (b === 0) throw new SoapFault('server', 'Server was unable to process request. ---> Attempted to divide by zero.');
      if (a === INT_MIN && b === -1) throw new SoapFault('server', 'Server was unable to process request. ---> Arithmetic operation resulted in an overflow.');
      return Math.trunc(a / b);
  }
}

function unreadable(reason: string, line?: number, column?: number): SoapFault {
  const where = line === undefined ? '' : ` There is an error in XML document (${line}, ${column}). --->`;
  return new SoapFault('client', `Server was unable to read request. --->${where} ${reason}`);
}

function envelope(version: SoapVersion, status: number, body: string): GatewayResponse {
  const ns = version === '1.1' ? SOAP11_NS : SOAP12_NS;
  const xml =
    '<?xml version="1.0" encoding="utf-8"?>' +
    `<soap:Envelope xmlns:soap="${ns}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">` +
    `<soap:Body>${body}</soap:Body></soap:Envelope>`;
  return textResponse(status, version === '1.1' ? SOAP11_CONTENT_TYPE : SOAP12_CONTENT_TYPE, xml, [['cache-control', 'private, max-age=0']]);
}

function fault(version: SoapVersion, kind: FaultKind, message: string): GatewayResponse {
  const text = escapeXml(message);
  if (version === '1.1') {
    const code = kind === 'client' ? 'soap:Client' : kind === 'server' ? 'soap:Server' : 'soap:VersionMismatch';
    return envelope(version, 500, `<soap:Fault><faultcode>${code}</faultcode><faultstring>${text}</faultstring><detail /></soap:Fault>`);
  }
  const code = kind === 'client' ? 'soap:Sender' : kind === 'server' ? 'soap:Receiver' : 'soap:VersionMismatch';
  return envelope(
    version,
    500,
    `<soap:Fault><soap:Code><soap:Value>${code}</soap:Value></soap:Code>` +
      `<soap:Reason><soap:Text xml:lang="en">${text}</soap:Text></soap:Reason><soap:Detail /></soap:Fault>`,
  );
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function unquote(value: string | null): string | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1) : trimmed;
}

/** A `Content-Type`'s media type (lower case) and parameters (names lower case, quoted values unquoted). */
export function parseContentType(header: string | null): { mediaType: string; parameters: Map<string, string> } {
  const parameters = new Map<string, string>();
  if (!header) return { mediaType: '', parameters };
  const [type = '', ...rest] = splitParameters(header);
  for (const part of rest) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim().toLowerCase();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1).replace(/\\(.)/g, '$1');
    parameters.set(name, value);
  }
  return { mediaType: type.trim().toLowerCase(), parameters };
}

/** Splits on `;` outside quoted strings. */
function splitParameters(header: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < header.length; i += 1) {
    const c = header[i]!;
    if (quoted && c === '\\' && i + 1 < header.length) {
      current += c + header[i + 1];
      i += 1;
    } else if (c === '"') {
      quoted = !quoted;
      current += c;
    } else if (c === ';' && !quoted) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts;
}
