/**
 * What the lab's diagnosis answers: per scenario of the troubleshooting series,
 * its state and one finding per fault, each with the fix the test console can
 * apply through the management API as plain data (docs/lab-diagnosis.md).
 * Types only, without Node: the console's browser script reads them too.
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
  /** 1 to 5, as `LAB_SCENARIOS` numbers them. */
  readonly number: number;
  /** The article's title. */
  readonly title: string;
  readonly status: ScenarioStatus;
  readonly findings: readonly Finding[];
  /** What to try, in the console, once the scenario is fixed. */
  readonly whenFixed: string;
}

/** One thing standing between the administrator and a 200 from the Echo API (scenario 3). */
export interface LabFinding extends Finding<'apiMissing' | 'apiInNoProduct' | 'noActiveAdminSubscription' | 'hardCodedKeyHeader'> {
  /** The operation concerned, for `hardCodedKeyHeader`. */
  operationId?: string;
}

/** Scenario 3's state, as the lab state has had it at its top since before the other scenarios. */
export interface LabState {
  /** `broken`: both faults of scenario 3; `partly fixed`: one left; `fixed`: none. */
  status: 'broken' | 'partly fixed' | 'fixed' | 'missing';
  findings: LabFinding[];
  /** Products that contain the Echo API and that the administrator has an active subscription to. */
  usableProducts: string[];
}

/** What `GET /lab/state` answers: scenario 3's state at the top, and every scenario's in order. */
export interface LabStateView extends LabState {
  scenarios: ScenarioState[];
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
