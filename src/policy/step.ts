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

/** Whether a step's result is a promise (a step that waits for something). */
export const isPromise = <T>(value: T | Promise<T>): value is Promise<T> =>
  typeof (value as { then?: unknown } | undefined)?.then === 'function';

/**
 * Runs steps in order until one answers; returns that answer, or undefined. Steps
 * that answer at once run in the same turn: a promise is only returned (and
 * waited for) from the first step that returns one.
 */
export function runSteps(steps: readonly Step[], call: PolicyCall, from = 0): StepOutcome | Promise<StepOutcome> {
  for (let i = from; i < steps.length; i++) {
    const step = steps[i]!;
    call.currentOrigin = step.origin;
    const entry = call.trace ? call.beginTrace(step.origin) : null;
    const result = step.run(call);
    if (isPromise(result)) {
      return result.then((outcome) => {
        if (entry && entry.decision === '') entry.decision = outcome ? `answered ${outcome.status}` : 'done';
        return outcome ? outcome : runSteps(steps, call, i + 1);
      });
    }
    if (entry && entry.decision === '') entry.decision = result ? `answered ${result.status}` : 'done';
    if (result) return result;
  }
  return CONTINUE;
}
