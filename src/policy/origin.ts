/**
 * Where a policy step was written and what the trace says of it: the names shared
 * by the call, the steps and the executor.
 */
import type { SourcePosition } from './context';

export type Section = 'inbound' | 'backend' | 'outbound' | 'on-error';
export const SECTIONS: readonly Section[] = ['inbound', 'backend', 'outbound', 'on-error'];

export type Scope = 'global' | 'product' | 'api' | 'operation';
/** Outermost first: the order in which `<base />` nests them. */
export const SCOPES: readonly Scope[] = ['global', 'product', 'api', 'operation'];

/** Where a step was written: for traces and `context.LastError`. */
export interface StepOrigin {
  readonly element: string;
  readonly scope: Scope;
  readonly section: Section;
  readonly position: SourcePosition;
}

/** One line of the trace: a step that ran and what it decided. */
export interface PolicyTraceEntry {
  readonly section: Section;
  readonly element: string;
  readonly scope: Scope;
  /** The product, API or operation id of the scope (none for global). */
  readonly scopeName: string | null;
  readonly line: number;
  readonly column: number;
  decision: string;
}

/**
 * `rate-limit (product starter, line 3): 6th call in 60 s, limit 5: 429, retry in 42 s`:
 * the element, the document it is written in (scope and id) and its line there.
 */
export function formatTraceEntry(entry: PolicyTraceEntry): string {
  const scope = entry.scopeName === null ? entry.scope : `${entry.scope} ${entry.scopeName}`;
  return `${entry.element} (${scope}, line ${entry.line}): ${entry.decision}`;
}

/** The document of a scope in words: `the global document`, `the document of product standard`. */
export function documentOf(scope: Scope, scopeName: string | null): string {
  if (scope === 'global') return 'the global document';
  const what = scope === 'api' ? 'API' : scope;
  return scopeName === null ? `the ${what} document` : `the document of ${what} ${scopeName}`;
}
