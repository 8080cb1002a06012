/**
 * A compiled policy element: a closure over one call, with where it was written.
 * Sections of a document are arrays of steps; the executor runs them in order.
 */
import type { PolicyCall, PolicyResponse } from './call';

export { SCOPES, SECTIONS, formatTraceEntry, type PolicyTraceEntry, type Scope, type Section, type StepOrigin } from './origin';
import type { StepOrigin } from './origin';

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

const isPromise = (value: unknown): value is Promise<StepOutcome> =>
  typeof (value as { then?: unknown } | undefined)?.then === 'function';

/** Runs steps in order until one answers; returns that answer, or undefined. */
export async function runSteps(steps: readonly Step[], call: PolicyCall): Promise<StepOutcome> {
  for (const step of steps) {
    call.currentOrigin = step.origin;
    const entry = call.trace ? call.beginTrace(step.origin) : null;
    const result = step.run(call);
    const outcome = isPromise(result) ? await result : result;
    if (entry && entry.decision === '') entry.decision = outcome ? `answered ${outcome.status}` : 'done';
    if (outcome) return outcome;
  }
  return CONTINUE;
}
