import type { SubscriptionState } from '../catalog/records';
import type { RejectReason } from './types';

/**
 * How the gateway decided, one field per stage (compare APIM's debug trace, §5).
 * Holds ids and states only — never a key — so it is safe to log or return.
 */
export interface GatewayTrace {
  apiId: string | null;
  operationId: string | null;
  keySource: 'header' | 'query' | 'none' | null;
  subscriptionId: string | null;
  subscriptionState: SubscriptionState | null;
  /** The product whose context the call runs in (product key or open product). */
  productId: string | null;
  outcome: 'forwarded' | RejectReason;
  backendStatus: number | null;
  /** An error code such as `ECONNREFUSED` when the backend call failed. */
  backendError: string | null;
}

/** A blank trace; the pipeline fills it in as the request moves through the stages. */
export function newTrace(): GatewayTrace {
  return {
    apiId: null,
    operationId: null,
    keySource: null,
    subscriptionId: null,
    subscriptionState: null,
    productId: null,
    outcome: 'internalError',
    backendStatus: null,
    backendError: null,
  };
}
