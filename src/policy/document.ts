/**
 * A policy document of one scope: parsed, validated and compiled once, when it is
 * written. `<policies>` holds the sections `inbound`, `backend`, `outbound` and
 * `on-error`, each at most once; each section becomes an array of steps.
 */
import { PolicyError, type SourcePosition } from './context';
import { Attributes } from './elements/attributes';
import type { CompileContext, ExpressionCompiler } from './elements/definition';
import { compileElement } from './elements/index';
import { compileExpression } from './expressions';
import { parsePolicyXml, type PolicyFormat, type XmlElement } from './parse';
import { SECTIONS, type Scope, type Section, type Step } from './step';

export interface PolicyDocument {
  readonly scope: Scope;
  /** A section the document leaves out is absent here, and inherits as if it held `<base />`. */
  readonly sections: Readonly<Partial<Record<Section, readonly Step[]>>>;
  /** Where each section the document writes starts (its `<`), for traces that name a section. */
  readonly sectionPositions: Readonly<Partial<Record<Section, SourcePosition>>>;
}

export interface DocumentOptions {
  /** Compiles policy expressions; default the gateway's expression compiler. */
  readonly compileExpression?: ExpressionCompiler;
}

export const DEFAULT_GLOBAL_POLICY = '<policies><inbound /><backend><forward-request /></backend><outbound /><on-error /></policies>';
export const DEFAULT_SCOPE_POLICY =
  '<policies><inbound><base /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>';

/** Parses, validates and compiles a policy document; throws PolicyError naming element, line and column. */
export function parsePolicyDocument(text: string, format: PolicyFormat, scope: Scope, options: DocumentOptions = {}): PolicyDocument {
  const root = parsePolicyXml(text, format);
  if (root.name !== 'policies') {
    throw new PolicyError(`The root element must be 'policies', not '${root.name}'.`, root.name, root.position);
  }
  new Attributes(root, []);
  const compile = options.compileExpression ?? compileExpression;
  const sections: Partial<Record<Section, readonly Step[]>> = {};
  const sectionPositions: Partial<Record<Section, SourcePosition>> = {};
  for (const child of root.children) {
    if (child.kind === 'text') {
      if (child.text.trim() !== '') throw new PolicyError("'policies' takes no text.", 'policies', child.position);
      continue;
    }
    const section = SECTIONS.find((name) => name === child.name);
    if (section === undefined) {
      throw new PolicyError(`'${child.name}' is not a policy section (sections: ${SECTIONS.join(', ')}).`, child.name, child.position);
    }
    if (sections[section] !== undefined) throw new PolicyError(`The section '${section}' appears more than once.`, child.name, child.position);
    sections[section] = compileSection(child, { scope, section, compileExpression: compile, nested: false, compileSteps });
    sectionPositions[section] = child.position;
  }
  return { scope, sections, sectionPositions };
}

function compileSteps(elements: readonly XmlElement[], context: CompileContext): Step[] {
  return elements.map((element) => compileElement(element, context));
}

function compileSection(element: XmlElement, context: CompileContext): Step[] {
  new Attributes(element, []);
  const children: XmlElement[] = [];
  for (const child of element.children) {
    if (child.kind === 'text') {
      if (child.text.trim() !== '') throw new PolicyError(`The section '${element.name}' takes no text.`, element.name, child.position);
    } else {
      children.push(child);
    }
  }
  const steps = compileSteps(children, context);
  const bases = steps.filter((step) => step.marker === 'base');
  if (bases.length > 1) throw new PolicyError("'base' may appear only once in a section.", 'base', bases[1]!.origin.position);
  return steps;
}

/** The document a scope has when none was written: APIM's default at global scope, `<base />` everywhere elsewhere. */
export function defaultPolicyDocument(scope: Scope): PolicyDocument {
  return parsePolicyDocument(scope === 'global' ? DEFAULT_GLOBAL_POLICY : DEFAULT_SCOPE_POLICY, 'xml', scope);
}
