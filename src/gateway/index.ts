/** The gateway's public surface; adapters import from here. */
export { createGateway, DEFAULT_START_WAIT_MS, type CatalogReadiness, type Gateway, type GatewayOptions, type GatewayResult } from './pipeline';
export { createForwarder, type Forwarder, type ForwarderOptions, type BackendFailure } from './forward';
export type { BackendCall } from './backendCall';
export type { GatewayTrace } from './trace';
export type { GatewayRequest, GatewayResponse, HeaderBag, RejectReason } from './types';
export { HOP_BY_HOP_HEADERS } from './hopByHop';
export { DEFAULT_MAX_BODY_BYTES, MAX_BODY_SETTING, PLATFORM_MAX_BODY_BYTES, maxBodyBytesFromEnv } from './limitBody';
export { EffectivePolicies, DEFAULT_EFFECTIVE_POLICY, type PolicyDocuments, type PolicyRecord, type PolicyScopeRef } from './policies';
export { createPolicyServices, type GatewayPolicyServices, type PolicyServicesOptions } from './policyServices';
