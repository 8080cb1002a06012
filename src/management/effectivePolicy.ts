import { ArmError, resourceNotFound } from '../apim/armErrors';
import type { CatalogIndex } from '../catalog/catalogIndex';
import type { PolicyRecord, PolicyScopeRef } from '../catalog/records';
import { composePolicy, describePolicy, type EffectivePolicy } from '../policy/compose';
import { PolicyError } from '../policy/context';
import { DEFAULT_GLOBAL_POLICY, parsePolicyDocument, type PolicyDocument } from '../policy/document';
import { parsePolicyXml, type XmlElement, type XmlNode } from '../policy/parse';
import { SCOPES, type Scope, type Section, type Step } from '../policy/step';

/**
 * APIM's "Calculate effective policy": the documents of an operation's four
 * scopes composed with `<base />` exactly as the gateway composes them
 * (`composePolicy`), written back as one XML document in which each run of
 * elements is preceded by a comment naming the scope it comes from. The product
 * scope takes part only when a product is named, as for a call made with a
 * subscription to that product.
 */

/** One element of the effective policy, where it was written. */
export interface EffectiveElement {
  readonly section: Section;
  readonly element: string;
  readonly scope: Scope;
  /** The product, API or operation id of the scope; null at global scope. */
  readonly scopeId: string | null;
  readonly line: number;
  readonly column: number;
}

export interface EffectivePolicyView {
  readonly apiId: string;
  readonly operationId: string;
  readonly productId: string | null;
  /** Every scope at APIM's default: forwarded as without policies. */
  readonly isDefault: boolean;
  /** The effective document, `xml` format, with `<!-- scope -->` comments. */
  readonly xml: string;
  readonly elements: readonly EffectiveElement[];
  /** `describePolicy`'s lines: `inbound: rate-limit (product, line 4, column 5)`. */
  readonly summary: readonly string[];
}

export type EffectivePolicyCatalog = Pick<CatalogIndex, 'getApi' | 'getOperation' | 'getProduct' | 'policyDocument'>;

/** One scope of an operation's effective policy: its stored document (if any), compiled and as an element tree. */
export interface ScopeSource {
  /** The scope's document reference; null for the product scope when no product is named. */
  readonly ref: PolicyScopeRef | null;
  readonly scopeId: string | null;
  /** The stored document; undefined when the scope has none (the global scope then runs APIM's default). */
  readonly record: PolicyRecord | undefined;
  readonly document: PolicyDocument | null;
  /** The elements of the scope's text by their position, to write each step back as XML. */
  readonly elements: Map<string, XmlElement>;
}

/** An operation's effective policy, with the scope documents its steps come from. */
export interface ComposedPolicy {
  readonly policy: EffectivePolicy;
  readonly sources: Readonly<Record<Scope, ScopeSource>>;
}

const positionKey = (line: number, column: number) => `${line}:${column}`;

const SECTION_OF: readonly [Section, keyof Omit<EffectivePolicy, 'isDefault'>][] = [
  ['inbound', 'inbound'],
  ['backend', 'backend'],
  ['outbound', 'outbound'],
  ['on-error', 'onError'],
];

/**
 * The documents of an operation's four scopes composed as the gateway composes
 * them, for no product (null) or one product; 404 when one of them does not exist,
 * a ValidationError when a stored document no longer compiles.
 */
export function composeEffectivePolicy(catalog: EffectivePolicyCatalog, apiId: string, operationId: string, productId: string | null): ComposedPolicy {
  if (!catalog.getApi(apiId)) throw resourceNotFound('Api');
  if (!catalog.getOperation(apiId, operationId)) throw resourceNotFound('Operation');
  if (productId !== null && !catalog.getProduct(productId)) throw resourceNotFound('Product');
  const refs: Record<Scope, PolicyScopeRef | null> = {
    global: { scope: 'global' },
    product: productId === null ? null : { scope: 'product', productId },
    api: { scope: 'api', apiId },
    operation: { scope: 'operation', apiId, operationId },
  };
  const ids: Record<Scope, string | null> = { global: null, product: productId, api: apiId, operation: operationId };
  const sources = {} as Record<Scope, ScopeSource>;
  for (const scope of SCOPES) {
    const ref = refs[scope];
    const record = ref === null ? undefined : catalog.policyDocument(ref);
    // No global document: APIM's default, whose steps carry positions in DEFAULT_GLOBAL_POLICY.
    const text = record?.value ?? (scope === 'global' ? DEFAULT_GLOBAL_POLICY : null);
    const format = record?.format ?? 'xml';
    if (text === null) {
      sources[scope] = { ref, scopeId: ids[scope], record, document: null, elements: new Map() };
      continue;
    }
    try {
      sources[scope] = {
        ref,
        scopeId: ids[scope],
        record,
        document: record === undefined ? null : parsePolicyDocument(text, format, scope),
        elements: elementsByPosition(parsePolicyXml(text, format)),
      };
    } catch (error) {
      // Validated when written; a document that no longer compiles makes the gateway answer 500.
      const detail = error instanceof PolicyError ? error.message : String(error);
      throw new ArmError('ValidationError', `The ${scope} policy does not compile any more, so its calls are answered 500: ${detail}`);
    }
  }
  const policy = composePolicy({
    global: sources.global.document,
    product: sources.product.document,
    api: sources.api.document,
    operation: sources.operation.document,
  });
  return { policy, sources };
}

/** The element of its scope's text a step of a composed policy was compiled from. */
export function elementOfStep(composed: ComposedPolicy, step: Step): XmlElement | undefined {
  return composed.sources[step.origin.scope].elements.get(positionKey(step.origin.position.line, step.origin.position.column));
}

/** The effective policy of an operation, for no product (null) or one product; 404 when one of them does not exist. */
export function effectivePolicyOf(catalog: EffectivePolicyCatalog, apiId: string, operationId: string, productId: string | null): EffectivePolicyView {
  const { policy, sources } = composeEffectivePolicy(catalog, apiId, operationId, productId);
  const elements: EffectiveElement[] = [];
  const lines = ['<policies>'];
  for (const [section, key] of SECTION_OF) {
    const steps = policy[key];
    if (steps.length === 0) {
      lines.push(`  <${section} />`);
      continue;
    }
    lines.push(`  <${section}>`);
    let origin = '';
    for (const step of steps) {
      const source = sources[step.origin.scope];
      const comment = source.scopeId === null ? step.origin.scope : `${step.origin.scope} ${source.scopeId}`;
      if (comment !== origin) lines.push(`    <!-- ${escapeComment(comment)} -->`);
      origin = comment;
      lines.push(...writeStep(step, source, '    '));
      elements.push({ section, element: step.origin.element, scope: step.origin.scope, scopeId: source.scopeId, ...step.origin.position });
    }
    lines.push(`  </${section}>`);
  }
  lines.push('</policies>');
  return { apiId, operationId, productId, isDefault: policy.isDefault, xml: lines.join('\n'), elements, summary: describePolicy(policy) };
}

function elementsByPosition(root: XmlElement): Map<string, XmlElement> {
  const found = new Map<string, XmlElement>();
  const stack: XmlElement[] = [root];
  while (stack.length > 0) {
    const element = stack.pop()!;
    found.set(positionKey(element.position.line, element.position.column), element);
    for (const child of element.children) if (child.kind === 'element') stack.push(child);
  }
  return found;
}

function writeStep(step: Step, source: ScopeSource, indent: string): string[] {
  const element = source.elements.get(positionKey(step.origin.position.line, step.origin.position.column));
  return element ? writeElement(element, indent) : [`${indent}<${step.origin.element} />`];
}

/** An element, indented; one with text in it is written on one line, its text as it is. */
function writeElement(element: XmlElement, indent: string): string[] {
  const open = `<${element.name}${attributesOf(element)}`;
  const children = element.children.filter((child) => child.kind === 'element' || child.text.trim() !== '');
  if (children.length === 0) return [`${indent}${open} />`];
  if (children.some((child) => child.kind === 'text')) return [`${indent}${open}>${element.children.map(inline).join('')}</${element.name}>`];
  return [`${indent}${open}>`, ...children.flatMap((child) => writeElement(child as XmlElement, `${indent}  `)), `${indent}</${element.name}>`];
}

function inline(node: XmlNode): string {
  if (node.kind === 'text') return escapeText(node.text);
  const open = `<${node.name}${attributesOf(node)}`;
  return node.children.length === 0 ? `${open} />` : `${open}>${node.children.map(inline).join('')}</${node.name}>`;
}

function attributesOf(element: XmlElement): string {
  return element.attributes.map((attribute) => ` ${attribute.name}="${escapeAttribute(attribute.value)}"`).join('');
}

const escapeText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttribute = (text: string) => escapeText(text).replace(/"/g, '&quot;');
/** Ids cannot hold `--`-breaking text that matters, but a comment must never end early. */
const escapeComment = (text: string) => text.replace(/--/g, '- -');
