import type { ApiContract, OperationContract, ProductContract, SubscriptionContract, SubscriptionKeysContract } from '../../../apim/armContracts';
import type { ArmResource } from '../../../apim/armResources';
import type { Finding, Fix, FixRequest, LabStateView as LabStateContract, ScenarioState } from '../../diagnosis/types';

/** The management API's resources as the console reads them (the app's own contracts). */
export type ApiResource = ArmResource<ApiContract>;
export type OperationResource = ArmResource<OperationContract>;
export type ProductResource = ArmResource<ProductContract>;
export type SubscriptionResource = ArmResource<SubscriptionContract>;
export type SubscriptionSecrets = SubscriptionKeysContract;

/** Where a header value came from; also the CSS class `src-{kind}`. */
export type HeaderKind = 'hardcoded' | 'nokey' | 'definition' | 'adminkey' | 'user';

/** One row of the request's header table. */
export interface HeaderRow {
  name: string;
  value: string;
  kind: HeaderKind;
  /** Where the value came from, in the learner's words. */
  source: string;
  detail?: string | null;
}

/** The key the portal would send when the operation defines no key header, and why. */
export interface KeyChoice {
  value: string;
  kind: 'adminkey' | 'nokey';
  source: string;
  detail?: string;
  /** The products that contain the API. */
  products: ProductResource[];
}

/** What `/lab/state` and `POST /lab/reset` answer (src/lab/diagnosis/). */
export type LabStateView = LabStateContract;
export type ScenarioView = ScenarioState;
export type FindingView = Finding;
export type FixView = Fix;
export type FixRequestView = FixRequest;

/** One entry of what `listTrace` answers. */
export interface TraceEntry {
  source: string;
  data?: {
    message?: string;
    request?: { method: string; url: string; queryParameterNames: string[] };
    outcome?: string;
    subscriptionId?: string | null;
    subscriptionState?: string | null;
    productId?: string | null;
    status?: number | null;
    error?: string | null;
  };
}

export interface TraceDocument {
  traceEntries?: Partial<Record<'inbound' | 'backend' | 'outbound', TraceEntry[]>>;
}

/** The last response shown, kept to show it again when "Show keys" flips. */
export interface ShownResponse {
  status: number;
  statusText: string;
  headers: [string, string][];
  text: string;
  ms: number;
  sentKey: HeaderRow | null;
  keyHeader: string;
}

/** What `/lab/effective-policy/...` answers (src/management/effectivePolicy.ts). */
export interface EffectivePolicyView {
  apiId: string;
  operationId: string;
  productId: string | null;
  isDefault: boolean;
  xml: string;
  elements: { section: string; element: string; scope: string; scopeId: string | null; line: number; column: number }[];
}
