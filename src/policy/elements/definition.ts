/**
 * The shape every policy element file exports: its name, where it may appear, and
 * a factory that validates the element and compiles it to a Step, once, when the
 * document is written.
 */
import type { ExpressionContext, SourcePosition } from '../context';
import type { XmlElement } from '../parse';
import { SCOPES, SECTIONS, type Scope, type Section, type Step, type StepOrigin } from '../step';

export type CompiledExpression = (context: ExpressionContext) => unknown;

/** Compiles the text of one expression (`@(...)` or `@{...}`); throws PolicyError at the fault. */
export type ExpressionCompiler = (
  text: string,
  where: { element: string; position: SourcePosition },
) => CompiledExpression;

export interface CompileContext {
  readonly scope: Scope;
  readonly section: Section;
  readonly compileExpression: ExpressionCompiler;
  /** True inside `choose` branches, where `base` has no meaning. */
  readonly nested: boolean;
  /** Compiles the policy elements of a branch (as in a section, with the same checks). */
  compileSteps(elements: readonly XmlElement[], context: CompileContext): Step[];
}

export interface ElementDefinition {
  readonly name: string;
  readonly sections: readonly Section[];
  readonly scopes: readonly Scope[];
  compile(element: XmlElement, context: CompileContext): Step;
}

export const ALL_SECTIONS = SECTIONS;
export const ALL_SCOPES = SCOPES;

export function originOf(element: XmlElement, context: CompileContext): StepOrigin {
  return { element: element.name, scope: context.scope, section: context.section, position: element.position };
}

/** Whether the section works on the response (outbound, on-error) rather than the request. */
export const onResponse = (section: Section) => section === 'outbound' || section === 'on-error';
