import type { HeaderBag } from './types';

/**
 * The SOAP action a request names, for SOAP pass-through APIs: the `SOAPAction`
 * header (SOAP 1.1, usually quoted), else the `action` parameter of a
 * `Content-Type: application/soap+xml` (SOAP 1.2). `null` when it names none.
 *
 * Decision: when both are present the `SOAPAction` header wins; a SOAP 1.2 client
 * sends none, and a 1.1 client no `application/soap+xml`.
 */
export function soapActionOf(headers: HeaderBag): string | null {
  const header = headers.get('soapaction');
  if (header !== null) return unquote(header.trim());
  const contentType = headers.get('content-type');
  return contentType === null ? null : soap12Action(contentType);
}

const SOAP12_MEDIA_TYPE = 'application/soap+xml';

// `; name=value`, the value a token or a quoted string (RFC 9110 media type parameters).
const PARAMETER = /\s*;\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/y;

function soap12Action(contentType: string): string | null {
  const semicolon = contentType.indexOf(';');
  const mediaType = (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  if (mediaType !== SOAP12_MEDIA_TYPE || semicolon < 0) return null;
  PARAMETER.lastIndex = semicolon;
  for (let m = PARAMETER.exec(contentType); m !== null; m = PARAMETER.exec(contentType)) {
    // Parameter names are case-insensitive.
    if (m[1]!.toLowerCase() === 'action') {
      const value = m[2]!.trim();
      return value.startsWith('"') ? value.slice(1, -1).replace(/\\(.)/g, '$1') : value;
    }
  }
  return null;
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}

/** Longest action a trace quotes. */
const MAX_TRACED_ACTION = 200;

/** The miss of troubleshooting scenario 2: an operation whose definition has no SOAPAction default, called from the console. */
export const NO_SOAP_ACTION =
  "no SOAPAction was sent (neither a SOAPAction header nor an action parameter of Content-Type: application/soap+xml), and this SOAP API's operations are matched by their SOAP action";

/**
 * Why no operation of a SOAP API matched, for the trace. The action is quoted
 * unless the API reads its subscription key from the header it came in.
 */
export function soapMissReason(action: string | null, keyHeader: string): string {
  if (action === null) return NO_SOAP_ACTION;
  const header = keyHeader.toLowerCase();
  if (header === 'soapaction' || header === 'content-type') return 'the SOAPAction matches no operation';
  const shown = action.length > MAX_TRACED_ACTION ? `${action.slice(0, MAX_TRACED_ACTION)}...` : action;
  return `SOAPAction '${shown}' matches no operation`;
}
