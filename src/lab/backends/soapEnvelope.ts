import { SaxesParser, type SaxesTagNS } from 'saxes';

/**
 * Reads a SOAP request's XML into a small element tree with saxes (strict,
 * namespace aware). A DOCTYPE is refused outright (so no DTD and no entity
 * declarations), as are processing instructions other than the XML
 * declaration; only XML's five entities and character references are known.
 */

export const SOAP11_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const SOAP12_NS = 'http://www.w3.org/2003/05/soap-envelope';

/** Deeper than any calculator request; a bound on what a hostile document costs. */
const MAX_DEPTH = 32;

export interface XmlElement {
  readonly uri: string;
  readonly local: string;
  /** 1-based line and column of the element's start tag, as .NET's XML errors count them. */
  readonly line: number;
  readonly column: number;
  readonly children: XmlElement[];
  text: string;
}

/** The document could not be read; `line` and `column` say where. */
export class XmlReadError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

/** The document's root element. Throws `XmlReadError` for anything that is not well-formed or is refused. */
export function readXml(text: string): XmlElement {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const fail = (message: string): never => {
    throw new XmlReadError(message, parser.line, parser.column);
  };
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  parser.on('error', (error) => fail(error.message));
  parser.on('doctype', () => fail('For security reasons DTD is prohibited in this XML document.'));
  parser.on('processinginstruction', () => fail('Processing instructions are not allowed in this XML document.'));
  parser.on('opentag', (tag: SaxesTagNS) => {
    if (stack.length >= MAX_DEPTH) fail('The XML document is nested too deeply.');
    const element: XmlElement = { uri: tag.uri, local: tag.local, line: parser.line, column: parser.column, children: [], text: '' };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(element);
    else root = element;
    stack.push(element);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  const addText = (chunk: string) => {
    const current = stack[stack.length - 1];
    if (current) current.text += chunk;
  };
  parser.on('text', addText);
  parser.on('cdata', addText);
  parser.write(text).close();
  if (!root) fail('Root element is missing.');
  return root as XmlElement;
}
