/**
 * What the page tells its script: `data-` attributes of `<body>`, written by
 * page.ts and read by the script, named here once for both. No Node dependency.
 */
export interface ConsoleConfig {
  /** `/management/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ApiManagement/service/{svc}`. */
  managementBase: string;
  apiVersion: string;
  /** Where the page reads the lab's diagnosis. */
  stateUrl: string;
  /** Where the page resets a scenario (`POST {resetUrl}?scenario=N`). */
  resetUrl: string;
  /** Where the page reads an operation's effective policy (`{policyUrl}/{apiId}/{operationId}[/{productId}]`). */
  policyUrl: string;
  echoApi: string;
  adminUser: string;
}

/** Attribute names without `data-`; the script reads them as the camel-case `dataset` keys. */
export const CONFIG_ATTRIBUTES: { readonly [K in keyof ConsoleConfig]: string } = {
  managementBase: 'management-base',
  apiVersion: 'api-version',
  stateUrl: 'state-url',
  resetUrl: 'reset-url',
  policyUrl: 'policy-url',
  echoApi: 'echo-api',
  adminUser: 'admin-user',
};
