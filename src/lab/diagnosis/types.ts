import type { ScenarioNumber } from '../instance/scenarios';

/**
 * What the lab's diagnosis answers: per scenario of the troubleshooting series,
 * its state and one finding per fault, each with the fix the test console can
 * apply through the management API as plain data (docs/lab-diagnosis.md).
 */

/** `broken`: every fault of the scenario is there; `partly fixed`: some; `fixed`: none; `missing`: its API or an operation is gone. */
export type ScenarioStatus = 'broken' | 'partly fixed' | 'fixed' | 'missing';

/** One call to the management API: a path below the service, to which the caller adds `api-version`. */
export interface FixRequest {
  readonly method: 'PUT' | 'PATCH' | 'DELETE';
  /** Below `.../service/{name}`, ids URL-encoded: `/apis/blank-api/operations/getheaders/policies/policy`. */
  readonly path: string;
  /** The JSON body, as the management API takes it. */
  readonly body?: unknown;
  /**
   * `If-Match` to send: the ETag of the record the fix was computed from (changed
   * since: 412, read the state again), or `*`. Absent: no `If-Match`.
   */
  readonly ifMatch?: string;
}

/** A fix as data: the console sends its requests in order and then says `done`. */
export interface Fix {
  /** The button's label. */
  readonly label: string;
  /** What to say once every request succeeded. */
  readonly done: string;
  readonly requests: readonly FixRequest[];
}

export interface Finding<Code extends string = string> {
  readonly code: Code;
  /** What the learner sees, and its cause, in plain words. */
  readonly message: string;
  readonly apiId?: string;
  /** The operation concerned, when there is one. */
  readonly operationId?: string;
  /**
   * Something the learner sees that the catalog cannot change (a backend's own
   * failure): shown, but it does not count toward the scenario's state.
   */
  readonly informational?: true;
  /** The fix through the management API; absent when there is none to apply from the console. */
  readonly fix?: Fix;
}

export interface ScenarioState {
  readonly number: ScenarioNumber;
  /** The article's title. */
  readonly title: string;
  readonly status: ScenarioStatus;
  readonly findings: readonly Finding[];
  /** What to try, in the console, once the scenario is fixed. */
  readonly whenFixed: string;
}

/**
 * A scenario's state from its findings: `fixed` without faults, `broken` when
 * every kind of fault the scenario teaches is there, else `partly fixed`.
 * Informational findings do not count.
 */
export function statusOf(kinds: readonly string[], findings: readonly Finding[], kindOf: (finding: Finding) => string = (f) => f.code): Exclude<ScenarioStatus, 'missing'> {
  const present = new Set(findings.filter((f) => !f.informational).map(kindOf));
  if (present.size === 0) return 'fixed';
  return kinds.every((kind) => present.has(kind)) ? 'broken' : 'partly fixed';
}
