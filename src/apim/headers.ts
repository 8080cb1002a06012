/**
 * Header and query names of the gateway's wire contract. Plain constants with no
 * Node dependency: the test console's browser script imports them too.
 */

/** Where a caller puts its subscription key, unless the API names others. */
export const DEFAULT_KEY_HEADER = 'Ocp-Apim-Subscription-Key';
export const DEFAULT_KEY_QUERY = 'subscription-key';

/** Request tracing: the debug token a caller sends, and what the gateway answers with. */
export const DEBUG_AUTHORIZATION_HEADER = 'Apim-Debug-Authorization';
export const TRACE_ID_HEADER = 'Apim-Trace-Id';
export const DEBUG_EXPIRED_HEADER = 'Apim-Debug-Authorization-Expired';
export const DEBUG_WRONG_API_HEADER = 'Apim-Debug-Authorization-WrongAPI';
