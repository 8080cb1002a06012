/**
 * Runs an effective policy for one call: inbound -> backend -> outbound; a step
 * that answers ends the run; anything thrown goes to on-error (with
 * `context.LastError`), and without an answer from there the caller gets APIM's 500.
 */
import { internalErrorResponse } from '../apim/gatewayResponses';
import { PolicyResponse, type PolicyCall } from './call';
import { backendSourceOf, type EffectivePolicy } from './compose';
import { documentOf } from './origin';
import { isPromise, runSteps, type StepOutcome } from './step';

export function executePolicy(policy: EffectivePolicy, call: PolicyCall): PolicyResponse | Promise<PolicyResponse> {
  let outcome: StepOutcome | Promise<StepOutcome>;
  try {
    outcome = runSections(policy, call, 0);
  } catch (error) {
    return finishWith(call, handleError(policy, call, error));
  }
  if (isPromise(outcome)) {
    return outcome.then(
      (answer) => finishWith(call, answerOf(call, answer)),
      (error: unknown) => finishWith(call, handleError(policy, call, error)),
    );
  }
  return finishWith(call, answerOf(call, outcome));
}

const SECTIONS = ['inbound', 'backend', 'outbound'] as const;

/** Runs inbound, backend and outbound from `index` on, in the same turn until a step waits. */
function runSections(policy: EffectivePolicy, call: PolicyCall, index: number): StepOutcome | Promise<StepOutcome> {
  for (let i = index; i < SECTIONS.length; i++) {
    const outcome = runSteps(policy[SECTIONS[i]!], call);
    if (isPromise(outcome)) {
      return outcome.then((answer) => {
        if (answer !== undefined) return answer;
        sectionDone(policy, call, i);
        return runSections(policy, call, i + 1);
      });
    }
    if (outcome !== undefined) return outcome;
    sectionDone(policy, call, i);
  }
  return undefined;
}

const BACKEND = SECTIONS.indexOf('backend');

/** After a section ran to its end: a traced call whose backend section forwarded nothing says so, and why. */
function sectionDone(policy: EffectivePolicy, call: PolicyCall, index: number): void {
  if (index !== BACKEND || call.trace === null || call.response !== null) return;
  const source = backendSourceOf(policy);
  const position = source.position ?? { line: 0, column: 0 };
  const entry = call.beginTrace({ element: 'backend', scope: source.scope, section: 'backend', position });
  entry.decision = nothingForwarded(policy, source, entry.scopeName);
}

/**
 * Why nothing was forwarded, in the words of troubleshooting scenario 1: the
 * effective backend section has no forward-request, and which document's
 * `<backend>` it comes from (docs/policies.md#in-the-trace).
 */
function nothingForwarded(policy: EffectivePolicy, { scope, position }: ReturnType<typeof backendSourceOf>, scopeName: string | null): string {
  const where = position === null ? 'its backend section' : `its <backend> at line ${position.line}`;
  const cause =
    scope === 'global'
      ? `it is ${documentOf(scope, scopeName)}'s own: ${where} has no <forward-request />`
      : `it comes from ${documentOf(scope, scopeName)}: ${where} has neither <forward-request /> nor <base />, so the <forward-request /> of the outer scopes is not inherited`;
  const what = policy.backend.length === 0 ? 'the effective backend section is empty' : 'no forward-request ran in the effective backend section';
  return `nothing was forwarded to the backend: ${what}; ${cause}. Without a forward-request the answer is 200 with an empty body`;
}

/** A step's answer, else the response so far (the backend's, edited by outbound); no forward-request and no answer: APIM's empty 200. */
function answerOf(call: PolicyCall, outcome: StepOutcome): PolicyResponse {
  if (outcome === undefined && call.response !== null) return call.response;
  call.answeredByPolicy = true;
  return outcome ?? PolicyResponse.empty();
}

function finishWith(call: PolicyCall, response: PolicyResponse | Promise<PolicyResponse>): PolicyResponse | Promise<PolicyResponse> {
  if (isPromise(response)) {
    return response.then((answer) => {
      call.finish(answer);
      return answer;
    });
  }
  call.finish(response);
  return response;
}

function handleError(policy: EffectivePolicy, call: PolicyCall, error: unknown): PolicyResponse | Promise<PolicyResponse> {
  call.answeredByPolicy = true;
  const failed = call.currentOrigin;
  const message = error instanceof Error ? error.message : String(error);
  call.note(`failed: ${message}`);
  call.lastError = {
    Source: failed?.element ?? 'policy',
    Reason: reasonOf(error),
    Message: message,
    Scope: failed?.scope ?? '',
    Section: failed?.section ?? '',
    PolicyId: '',
  };
  if (policy.onError.length === 0) return internalError(call);
  let outcome: StepOutcome | Promise<StepOutcome>;
  try {
    call.responseEdited = false;
    outcome = runSteps(policy.onError, call);
  } catch (inner) {
    return innerFailure(call, inner);
  }
  if (isPromise(outcome)) return outcome.then((answer) => onErrorAnswer(call, answer), (inner: unknown) => innerFailure(call, inner));
  return onErrorAnswer(call, outcome);
}

function onErrorAnswer(call: PolicyCall, outcome: StepOutcome): PolicyResponse {
  if (outcome !== undefined) return outcome;
  if (call.responseEdited && call.response !== null) return call.response;
  return internalError(call);
}

function innerFailure(call: PolicyCall, inner: unknown): PolicyResponse {
  call.note(`failed: ${inner instanceof Error ? inner.message : String(inner)}`);
  return internalError(call);
}

const internalError = (call: PolicyCall) => PolicyResponse.from(internalErrorResponse(call.requestId));

/** A short cause for `context.LastError.Reason`: an error's `reason` when it carries one, else its name. */
function reasonOf(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const reason = (error as { reason?: unknown }).reason;
    if (typeof reason === 'string') return reason;
    if (error instanceof Error) return error.name;
  }
  return 'Error';
}
