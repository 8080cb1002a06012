/**
 * Policy XML text -> a tree of elements that remembers where everything was
 * written. The XML itself is read by saxes (strict, positions); this file only
 * builds the tree and enforces what a policy document may not contain: no DOCTYPE
 * (so no entity declarations and nothing external), no entities beyond XML's five
 * and character references, no processing instructions, at most 256 KiB, at most
 * 64 levels deep.
 */
import { SaxesParser } from 'saxes';
import { PolicyError, type SourcePosition } from './context';
import { escapeRawxml } from './rawxml';

export const MAX_DOCUMENT_BYTES = 262_144;
export const MAX_DEPTH = 64;

export type PolicyFormat = 'xml' | 'rawxml';

export interface XmlAttribute {
  readonly name: string;
  readonly value: string;
  /** Where the attribute's name starts. */
  readonly position: SourcePosition;
  /** Where its value starts (the character after the opening quote). */
  readonly valuePosition: SourcePosition;
}

export interface XmlText {
  readonly kind: 'text';
  readonly text: string;
  /** Where the first non-blank character of the text is (or the run's start when all blank). */
  readonly position: SourcePosition;
}

export interface XmlElement {
  readonly kind: 'element';
  readonly name: string;
  /** Where the element's `<` is. */
  readonly position: SourcePosition;
  readonly attributes: readonly XmlAttribute[];
  readonly children: readonly XmlNode[];
}

export type XmlNode = XmlElement | XmlText;

interface OpenElement {
  readonly name: string;
  readonly position: SourcePosition;
  readonly attributes: XmlAttribute[];
  readonly children: XmlNode[];
  pendingText: { text: string; offset: number } | null;
}

/** Offsets in a text -> 1-based line and column (UTF-16 units, as editors count). */
export class LineMap {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i += 1) {
      const c = text.charCodeAt(i);
      if (c === 0x0a || (c === 0x0d && text.charCodeAt(i + 1) !== 0x0a)) this.starts.push(i + 1);
    }
  }

  position(offset: number): SourcePosition {
    const { starts } = this;
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (starts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - starts[low]! + 1 };
  }
}

const isBlank = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/** Refuses a document over the size limit before anything reads it. */
function checkSize(text: string): void {
  // Cheap bound first: a UTF-8 byte is at least one UTF-16 unit and at most three.
  if (text.length * 3 <= MAX_DOCUMENT_BYTES) return;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_DOCUMENT_BYTES) {
    throw new PolicyError(
      `The document is ${bytes} bytes long; at most ${MAX_DOCUMENT_BYTES} bytes (256 KiB) are allowed.`,
      'policies',
      { line: 1, column: 1 },
    );
  }
}

/** Parses policy XML (either text form) into a tree; throws PolicyError with the position of the fault. */
export function parsePolicyXml(text: string, format: PolicyFormat): XmlElement {
  checkSize(text);
  if (format === 'rawxml') {
    const escaped = escapeRawxml(text);
    return parseXml(escaped.xml, text, escaped.toSourceOffset);
  }
  return parseXml(text, text, (offset) => offset);
}

function parseXml(xml: string, source: string, toSourceOffset: (offset: number) => number): XmlElement {
  const lines = new LineMap(source);
  const at = (offset: number) => lines.position(toSourceOffset(Math.max(0, Math.min(offset, xml.length))));
  const parser = new SaxesParser({ position: true });
  const stack: OpenElement[] = [];
  let root: XmlElement | null = null;
  /** Offset just after the last markup (tag, comment, CDATA): where a text run starts. */
  let markupEnd = 0;
  let tagStart = 0;

  const innermost = () => stack[stack.length - 1]?.name ?? 'policies';
  const fail = (message: string, offset: number): never => {
    throw new PolicyError(message, innermost(), at(offset));
  };

  const addText = (text: string, offset: number) => {
    const open = stack[stack.length - 1];
    if (open === undefined) return;
    if (open.pendingText) open.pendingText.text += text;
    else open.pendingText = { text, offset };
  };
  const flushText = (open: OpenElement) => {
    const pending = open.pendingText;
    if (!pending) return;
    open.pendingText = null;
    let first = pending.offset;
    while (first < xml.length && isBlank(xml.charCodeAt(first))) first += 1;
    const blank = pending.text.trim() === '';
    open.children.push({ kind: 'text', text: pending.text, position: at(blank ? pending.offset : first) });
  };

  parser.on('error', (error) => {
    const message = error.message.replace(/^\d+:\d+: /, '');
    const reason = message === 'undefined entity.'
      ? 'Only the predefined XML entities (&lt; &gt; &amp; &quot; &apos;) and character references are allowed.'
      : `The document is not well-formed XML: ${message}`;
    fail(reason, parser.position - 1);
  });
  parser.on('doctype', () => fail('A DOCTYPE (and any DTD or entity declaration) is not allowed in a policy document.', markupEnd));
  parser.on('processinginstruction', (pi) => fail(`Processing instructions ('<?${pi.target}') are not allowed in a policy document.`, markupEnd));
  parser.on('xmldecl', () => {
    markupEnd = parser.position;
  });
  parser.on('comment', () => {
    markupEnd = parser.position;
  });
  parser.on('text', (text) => {
    addText(text, markupEnd);
    // The event fires on the `<` that ends the run.
    markupEnd = parser.position - 1;
  });
  parser.on('cdata', (text) => {
    addText(text, markupEnd + '<![CDATA['.length);
    markupEnd = parser.position;
  });
  parser.on('opentagstart', (tag) => {
    tagStart = Math.max(0, xml.lastIndexOf('<', parser.position - 1));
    if (stack.length >= MAX_DEPTH) fail(`Elements are nested more than ${MAX_DEPTH} levels deep.`, tagStart);
    const parent = stack[stack.length - 1];
    if (parent) flushText(parent);
    stack.push({ name: tag.name, position: at(tagStart), attributes: [], children: [], pendingText: null });
  });
  parser.on('attribute', (attribute) => {
    // The event fires just after the closing quote: walk back to the name.
    const close = parser.position - 1;
    const open = xml.lastIndexOf(xml[close]!, close - 1);
    let i = open - 1;
    while (i > 0 && isBlank(xml.charCodeAt(i))) i -= 1;
    i -= 1; // the `=`
    while (i > 0 && isBlank(xml.charCodeAt(i))) i -= 1;
    const nameStart = i - attribute.name.length + 1;
    stack[stack.length - 1]?.attributes.push({
      name: attribute.name,
      value: attribute.value,
      position: at(nameStart),
      valuePosition: at(open + 1),
    });
  });
  parser.on('opentag', () => {
    markupEnd = parser.position;
  });
  parser.on('closetag', () => {
    markupEnd = parser.position;
    const open = stack.pop()!;
    flushText(open);
    const element: XmlElement = {
      kind: 'element',
      name: open.name,
      position: open.position,
      attributes: open.attributes,
      children: open.children,
    };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(element);
    else root = element;
  });

  parser.write(xml).close();
  if (root === null) return fail('The document has no root element.', xml.length);
  return root;
}
