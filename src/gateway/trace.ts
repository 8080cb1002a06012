import type { SubscriptionState } from '../catalog/records';
import { formatTraceEntry, type PolicyTraceEntry } from '../policy/origin';
import type { RejectReason } from './types';

/**
 * How the gateway decided, one field per stage (compare APIM's debug trace: docs/apim-behaviour.md#request-tracing).
 * Holds ids and states only — never a key — so it is safe to log or return.
 */
export interface GatewayTrace {
  apiId: string | null;
  operationId: string | null;
  /** Why no operation matched, when the gateway can say more than "none" (a SOAP API's action). */
  operationMiss: string | null;
  keySource: 'header' | 'query' | 'none' | null;
  subscriptionId: string | null;
  subscriptionState: SubscriptionState | null;
  /** The product whose context the call runs in (product key or open product). */
  productId: string | null;
  /** `policyAnswered`: the effective policy gave the answer (return-response, a limit, the cache, no forward-request, on-error). */
  outcome: 'forwarded' | 'policyAnswered' | RejectReason;
  backendStatus: number | null;
  /** An error code such as `ECONNREFUSED` when the backend call failed. */
  backendError: string | null;
  /** The policy steps that ran, in order, when the call was traced and its policy was not the default. */
  policySteps: readonly PolicyTraceEntry[] | null;
}

/** A blank trace; the pipeline fills it in as the request moves through the stages. */
export function newTrace(): GatewayTrace {
  return {
    apiId: null,
    operationId: null,
    operationMiss: null,
    keySource: null,
    subscriptionId: null,
    subscriptionState: null,
    productId: null,
    outcome: 'internalError',
    backendStatus: null,
    backendError: null,
    policySteps: null,
  };
}

/** Reason of each outcome, in the words a trace reader needs. */
const OUTCOME_MESSAGES: Record<GatewayTrace['outcome'], string> = {
  forwarded: 'The call was allowed and forwarded to the backend.',
  policyAnswered: 'The call was allowed; the effective policy gave the answer (see the policy entries).',
  apiNotFound: 'No API matches the request path: 404, checked before any key.',
  operationNotFound: "The API has no operation for this method and path: 404, checked before any key.",
  keyMissing: "No subscription key under the API's header or query parameter name, and the API is in no product that needs none: 401 (missing key).",
  keyUnknown: 'The subscription key belongs to no subscription: 401 (invalid key).',
  subscriptionInactive: 'The subscription of this key is not active: 401 (invalid key).',
  keyOutOfScope: "The subscription of this key does not cover this API (its scope is another API, or a product that does not contain it): 401 (invalid key).",
  bodyTooLarge: 'The request body is over the gateway limit: 413.',
  noBackend: 'The API has no usable backend URL: 500.',
  backendUnreachable: 'The backend could not be reached: 500.',
  backendTimeout: 'The backend did not answer in time: 500.',
  clientAborted: 'The caller went away before the backend answered.',
  catalogUnavailable: 'The catalog has not been loaded since the gateway started: 503, nothing is let through.',
  policyUnusable: 'A stored policy document of this call\'s scopes does not compile: 500, the call is not run without it.',
  internalError: 'The gateway failed unexpectedly: 500.',
};

/** What a trace document says about the request; no header or query value, so never a key. */
export interface TracedRequest {
  readonly method: string;
  /** Scheme, host and path; the query is left out. */
  readonly url: string;
  readonly headerNames: readonly string[];
  readonly queryParameterNames: readonly string[];
}

/**
 * The trace `listTrace` returns for a traced request: entries grouped as APIM
 * groups them (inbound, backend, outbound), one per pipeline stage, from the
 * gateway's own record of the decision. Shaped like APIM's trace, not a copy of
 * its text. Holds names, ids and states only: never a key or a header value.
 * The stages are not timed one by one: each entry carries the time the request
 * arrived, and the last one the gateway's time for the whole request.
 */
export function traceDocument(trace: GatewayTrace, request: TracedRequest, status: number, started: Date, elapsedMs: number): object {
  const entry = (source: string, data: object, ms = 0) => ({ source, timestamp: started.toISOString(), elapsed: elapsed(ms), data });
  const inbound: object[] = [entry('api-inspector', { request })];
  inbound.push(
    entry('api-matching', {
      apiId: trace.apiId,
      operationId: trace.operationId,
      message:
        trace.apiId === null
          ? 'No API matched the request.'
          : trace.operationId === null
            ? `API '${trace.apiId}' matched; no operation matched${trace.operationMiss === null ? '' : `: ${trace.operationMiss}`}.`
            : `API '${trace.apiId}' and operation '${trace.operationId}' matched.`,
    }),
  );
  if (trace.keySource !== null) {
    inbound.push(
      entry('subscription-key', {
        keySource: trace.keySource,
        message: trace.keySource === 'none' ? 'No subscription key was found in the request.' : `A subscription key was found in the ${trace.keySource === 'header' ? 'header' : 'query string'}.`,
      }),
    );
    inbound.push(
      entry('authorization', {
        subscriptionId: trace.subscriptionId,
        subscriptionState: trace.subscriptionState,
        productId: trace.productId,
        outcome: isAllowed(trace.outcome) ? 'allowed' : trace.outcome,
      }),
    );
  }
  const steps = trace.policySteps;
  const backend: object[] = [];
  const outbound: object[] = [];
  if (steps !== null) {
    // The policy run, step by step, each under its section (on-error steps with outbound, as APIM lists them).
    for (const step of steps) {
      const line = entry(step.element, {
        scope: step.scope,
        scopeName: step.scopeName,
        line: step.line,
        column: step.column,
        decision: step.decision,
        message: formatTraceEntry(step),
      });
      (step.section === 'inbound' ? inbound : step.section === 'backend' ? backend : outbound).push(line);
    }
  } else if (trace.outcome === 'forwarded' || isBackendOutcome(trace.outcome)) {
    backend.push(entry('forward-request', { status: trace.backendStatus, error: trace.backendError }));
  }
  outbound.push(entry('gateway', { status, outcome: trace.outcome, message: OUTCOME_MESSAGES[trace.outcome] }, elapsedMs));
  return { traceEntries: { inbound, backend, outbound } };
}

function isAllowed(outcome: GatewayTrace['outcome']): boolean {
  return outcome === 'forwarded' || outcome === 'policyAnswered' || outcome === 'bodyTooLarge' || outcome === 'policyUnusable' || isBackendOutcome(outcome);
}

function isBackendOutcome(outcome: GatewayTrace['outcome']): boolean {
  return outcome === 'backendUnreachable' || outcome === 'backendTimeout' || outcome === 'clientAborted' || outcome === 'noBackend';
}

/** `hh:mm:ss.fffffff`, as .NET writes a TimeSpan (APIM's `elapsed`). */
function elapsed(ms: number): string {
  const ticks = Math.max(0, Math.round(ms * 10_000));
  const seconds = Math.floor(ticks / 10_000_000);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}.${pad(ticks % 10_000_000, 7)}`;
}
