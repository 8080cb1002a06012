/**
 * The management API core: APIM's REST surface for products, APIs, operations,
 * product-API links, policy documents, subscriptions and keys, with
 * SharedAccessSignature auth.
 * Framework-free; the Azure Functions registration adapts `handle` at the edge.
 */
export { createManagementApi, managementRoutes, MIN_API_VERSION, type ManagementApi, type ManagementApiOptions } from './managementApi';
export { managementSettingsFromEnv, type ManagementSettings } from './settings';
export { createSasToken, createShortSasToken, generateManagementKey, verifySasToken, type SasTokenInput, type SasVerification } from './sasToken';
export type { ManagementRequest, ManagementResponse } from './types';
export { admitManagementCall, type Refusal } from './admission';
export { AuthThrottle, type AuthThrottleOptions } from './throttle';
