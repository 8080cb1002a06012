/**
 * A compiled policy element: a closure over one call, with where it was written.
 * Sections of a document are arrays of steps; the executor runs them in order.
 */
import type { SourcePosition } from './context';
import type { PolicyCall, PolicyResponse } from './call';

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

/** `undefined` = go on with the next step; a response = stop and answer with it. */
export type StepOutcome = PolicyResponse | undefined;
export const CONTINUE: StepOutcome = undefined;

export interface Step {
  readonly origin: StepOrigin;
  readonly run: (call: PolicyCall) => StepOutcome | Promise<StepOutcome>;
  /**
   * `base`: replaced by the enclosing scope's section when policies are composed.
   * `default-forward`: a `forward-request` with every attribute at its default
   * (how the engine recognises an effective policy that is exactly APIM's default).
   */
  readonly marker?: 'base' | 'default-forward';
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

/** `rate-limit (product starter): 6th call in 60 s, limit 5: 429, retry in 42 s`. */
export function formatTraceEntry(entry: PolicyTraceEntry): string {
  const scope = entry.scopeName === null ? entry.scope : `${entry.scope} ${entry.scopeName}`;
  return `${entry.element} (${scope}): ${entry.decision}`;
}

const isPromise = (value: unknown): value is Promise<StepOutcome> =>
  typeof (value as { then?: unknown } | undefined)?.then === 'function';

/** Runs steps in order until one answers; returns that answer, or undefined. */
export async function runSteps(steps: readonly Step[], call: PolicyCall): Promise<StepOutcome> {
  for (const step of steps) {
    call.currentStep = step;
    const entry = call.trace ? call.beginTrace(step.origin) : null;
    const result = step.run(call);
    const outcome = isPromise(result) ? await result : result;
    if (entry && entry.decision === '') entry.decision = outcome ? `answered ${outcome.status}` : 'done';
    if (outcome) return outcome;
  }
  return CONTINUE;
}
