import type { PolicyRecord, PolicyScopeRef } from '../../catalog/records';
import type { SourcePosition } from '../../policy/context';
import { parsePolicyXml, type PolicyFormat, type XmlElement } from '../../policy/parse';
import { xmlToRawxml } from '../../policy/rawxml';
import type { Section } from '../../policy/step';
import type { FixRequest } from './types';

/**
 * Corrected policy documents for the lab's fixes: a stored document read into an
 * editable tree, one element removed or added, written back in the document's
 * own format with its layout (indentation and line breaks) kept. Comments and an
 * XML declaration are not kept.
 */

/** An element of an editable document; `position` is where it was written (0:0 for an added one). */
export interface EditNode {
  readonly name: string;
  readonly position: SourcePosition;
  readonly attributes: { name: string; value: string }[];
  /** Elements, and text (in a section, only the blanks between elements). */
  children: (EditNode | string)[];
}

export interface EditableDocument {
  readonly ref: PolicyScopeRef;
  readonly format: PolicyFormat;
  readonly root: EditNode;
}

/** What a scope without a document behaves as, written out to be edited: `<base />` in every section. */
const SCOPE_DEFAULT = ['<policies>', ...['inbound', 'backend', 'outbound', 'on-error'].flatMap((s) => [`  <${s}>`, '    <base />', `  </${s}>`]), '</policies>'].join('\n');

/** APIM's default global document, written out to be edited. */
const GLOBAL_DEFAULT = ['<policies>', '  <inbound />', '  <backend>', '    <forward-request />', '  </backend>', '  <outbound />', '  <on-error />', '</policies>'].join('\n');

function toNode(element: XmlElement): EditNode {
  return {
    name: element.name,
    position: element.position,
    attributes: element.attributes.map(({ name, value }) => ({ name, value })),
    children: element.children.map((child) => (child.kind === 'text' ? child.text : toNode(child))),
  };
}

/** A scope's document (or, without one, what the scope behaves as) ready to edit. */
export function editableDocument(ref: PolicyScopeRef, record: PolicyRecord | undefined): EditableDocument {
  if (record === undefined) {
    return { ref, format: 'rawxml', root: toNode(parsePolicyXml(ref.scope === 'global' ? GLOBAL_DEFAULT : SCOPE_DEFAULT, 'xml')) };
  }
  return { ref, format: record.format, root: toNode(parsePolicyXml(record.value, record.format)) };
}

export function newElement(name: string, attributes: Record<string, string> = {}, children: EditNode[] = []): EditNode {
  return { name, position: { line: 0, column: 0 }, attributes: Object.entries(attributes).map(([n, value]) => ({ name: n, value })), children };
}

const elementsOf = (node: EditNode): EditNode[] => node.children.filter((c): c is EditNode => typeof c !== 'string');
const samePosition = (a: SourcePosition, b: SourcePosition) => a.line === b.line && a.column === b.column && a.line > 0;

/** The element written at `position`, with the chain of its ancestors (root first). */
function locate(root: EditNode, position: SourcePosition): EditNode[] | undefined {
  if (samePosition(root.position, position)) return [root];
  for (const child of elementsOf(root)) {
    const path = locate(child, position);
    if (path) return [root, ...path];
  }
  return undefined;
}

/** Drops `child` and the blanks that lead up to it. */
function detach(parent: EditNode, child: EditNode): void {
  const i = parent.children.indexOf(child);
  if (i < 0) return;
  const before = parent.children[i - 1];
  const from = typeof before === 'string' && before.trim() === '' ? i - 1 : i;
  parent.children.splice(from, i - from + 1);
}

/**
 * Removes the element written at `position`. A `when` or `otherwise` left empty
 * goes too, and a `choose` left without a `when` is replaced by what its
 * `otherwise` held (or removed). False when no element is there.
 */
export function removeElement(doc: EditableDocument, position: SourcePosition): boolean {
  const path = locate(doc.root, position);
  if (!path || path.length < 2) return false;
  for (let i = path.length - 1; i >= 1; i -= 1) {
    const node = path[i]!;
    const parent = path[i - 1]!;
    detach(parent, node);
    if (parent.name === 'when' || parent.name === 'otherwise') {
      if (elementsOf(parent).length > 0) return true;
      continue; // the empty branch goes too
    }
    if (parent.name === 'choose') {
      const rest = elementsOf(parent);
      if (rest.some((c) => c.name === 'when')) return true;
      const grand = path[i - 2]!;
      const otherwise = rest.find((c) => c.name === 'otherwise');
      const kept = otherwise ? elementsOf(otherwise) : [];
      if (kept.length > 0) {
        const lead = leadOf(grand, parent);
        grand.children.splice(grand.children.indexOf(parent), 1, ...kept.flatMap((c, k) => (k > 0 && lead ? [lead, c] : [c])));
        return true;
      }
      detach(grand, parent);
      return true;
    }
    return true;
  }
  return true;
}

/** The blanks before `child` in `parent`, or '' when written on one line. */
function leadOf(parent: EditNode, child: EditNode): string {
  const i = parent.children.indexOf(child);
  const before = parent.children[i - 1];
  return typeof before === 'string' && before.trim() === '' ? before : '';
}

/**
 * The blanks that lead each element of `parent`: as its elements have them, else
 * one step (two spaces) in from its closing tag or from `parentLead`.
 */
function childLead(parent: EditNode, parentLead: string): string {
  for (const child of elementsOf(parent)) {
    const lead = leadOf(parent, child);
    if (lead.includes('\n')) return lead;
  }
  const last = parent.children[parent.children.length - 1];
  if (typeof last === 'string' && last.includes('\n')) return `\n${last.slice(last.lastIndexOf('\n') + 1)}  `;
  return parentLead.includes('\n') ? `${parentLead}  ` : '';
}

/** The section of the document, added at the end when the document leaves it out. */
function sectionOf(doc: EditableDocument, section: Section): EditNode {
  const found = elementsOf(doc.root).find((c) => c.name === section);
  if (found) return found;
  const created = newElement(section);
  insertAt(doc.root, created, elementsOf(doc.root).length, '\n');
  return created;
}

/**
 * Puts `element` before the `index`-th element of `parent` (at the end when there
 * is none), laid out as its siblings; `parentLead` is the blanks before `parent`.
 */
function insertAt(parent: EditNode, element: EditNode, index: number, parentLead: string): void {
  const lead = childLead(parent, parentLead);
  const placed = lead ? [lead, element] : [element];
  const next = elementsOf(parent)[index];
  if (next) {
    const i = parent.children.indexOf(next);
    const before = parent.children[i - 1];
    parent.children.splice(typeof before === 'string' && before.trim() === '' ? i - 1 : i, 0, ...placed);
    return;
  }
  const last = parent.children[parent.children.length - 1];
  if (typeof last === 'string' && last.trim() === '') {
    parent.children.splice(parent.children.length - 1, 0, ...placed);
  } else {
    // Nothing before the closing tag yet: it goes on its own line, where `parent` started.
    parent.children.push(...placed, ...(lead ? [parentLead.includes('\n') ? parentLead : '\n'] : []));
  }
}

/**
 * Adds `element` to a section: at its start, at its end, or right after its
 * `<base />` (at the start when it has none).
 */
export function addToSection(doc: EditableDocument, section: Section, element: EditNode, where: 'start' | 'end' | 'after-base'): void {
  const target = sectionOf(doc, section);
  const elements = elementsOf(target);
  const base = elements.findIndex((c) => c.name === 'base');
  const index = where === 'start' ? 0 : where === 'end' ? elements.length : base + 1;
  insertAt(target, element, index, leadOf(doc.root, target));
}

/** The document's section; undefined when the document leaves it out (it then inherits as if it held `<base />`). */
export function findSection(doc: EditableDocument, section: Section): EditNode | undefined {
  return elementsOf(doc.root).find((c) => c.name === section);
}

/** The elements directly inside `node`. */
export function elementsIn(node: EditNode): EditNode[] {
  return elementsOf(node);
}

const escapeText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttribute = (text: string) => escapeText(text).replace(/"/g, '&quot;');

function write(node: EditNode): string {
  const attributes = node.attributes.map((a) => ` ${a.name}="${escapeAttribute(a.value)}"`).join('');
  if (node.children.length === 0) return `<${node.name}${attributes} />`;
  return `<${node.name}${attributes}>${node.children.map((c) => (typeof c === 'string' ? escapeText(c) : write(c))).join('')}</${node.name}>`;
}

/** The document's text in its own format (`rawxml`: expressions unescaped, as C# reads). */
export function documentText(doc: EditableDocument): string {
  const xml = write(doc.root);
  return doc.format === 'rawxml' ? xmlToRawxml(xml) : xml;
}

/** The management API's path of a scope's policy document. */
export function policyPath(ref: PolicyScopeRef): string {
  const e = encodeURIComponent;
  switch (ref.scope) {
    case 'global':
      return '/policies/policy';
    case 'product':
      return `/products/${e(ref.productId)}/policies/policy`;
    case 'api':
      return `/apis/${e(ref.apiId)}/policies/policy`;
    case 'operation':
      return `/apis/${e(ref.apiId)}/operations/${e(ref.operationId)}/policies/policy`;
  }
}

/** Writes the edited document back: PUT with the ETag it was read at (`*` when it creates the document). */
export function putDocument(doc: EditableDocument, etag: string | undefined): FixRequest {
  return { method: 'PUT', path: policyPath(doc.ref), body: { properties: { format: doc.format, value: documentText(doc) } }, ifMatch: etag ?? '*' };
}
