/**
 * Runs an effective policy for one call: inbound -> backend -> outbound; a step
 * that answers ends the run; anything thrown goes to on-error (with
 * `context.LastError`), and without an answer from there the caller gets APIM's 500.
 */
import { internalErrorResponse } from '../apim/gatewayResponses';
import { PolicyResponse, type PolicyCall } from './call';
import type { EffectivePolicy } from './compose';
import { runSteps, type StepOutcome } from './step';

export async function executePolicy(policy: EffectivePolicy, call: PolicyCall): Promise<PolicyResponse> {
  let response: PolicyResponse;
  try {
    let outcome: StepOutcome = await runSteps(policy.inbound, call);
    if (outcome === undefined) outcome = await runSteps(policy.backend, call);
    if (outcome === undefined) outcome = await runSteps(policy.outbound, call);
    // No forward-request and no answer: APIM's empty 200.
    response = outcome ?? call.response ?? PolicyResponse.empty();
  } catch (error) {
    response = await handleError(policy, call, error);
  }
  call.finish(response);
  return response;
}

async function handleError(policy: EffectivePolicy, call: PolicyCall, error: unknown): Promise<PolicyResponse> {
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
  if (policy.onError.length > 0) {
    try {
      call.responseEdited = false;
      const outcome = await runSteps(policy.onError, call);
      if (outcome !== undefined) return outcome;
      if (call.responseEdited && call.response !== null) return call.response;
    } catch (inner) {
      call.note(`failed: ${inner instanceof Error ? inner.message : String(inner)}`);
    }
  }
  return PolicyResponse.from(internalErrorResponse(call.requestId));
}

/** A short cause for `context.LastError.Reason`: an error's `reason` when it carries one, else its name. */
function reasonOf(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const reason = (error as { reason?: unknown }).reason;
    if (typeof reason === 'string') return reason;
    if (error instanceof Error) return error.name;
  }
  return 'Error';
}
