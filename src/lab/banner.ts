import type { CatalogIndex } from '../catalog/catalogIndex';
import { CatalogStore } from '../catalog/catalogStore';
import { catalogConnectionFromEnv, createTableClient } from '../catalog/connection';
import { keyProtectorFromEnv } from '../catalog/keyProtector';
import { createSasToken, managementSettingsFromEnv } from '../management';
import { labStateOf } from './diagnosis';
import type { ScenarioState } from './diagnosis';
import { BLANK_API_ID } from './instance/blankApi';
import { CALCULATOR_API_ID, calculatorSample, soapActionOf } from './instance/calculator';
import { ADMIN_USER } from './instance/common';
import { PRODUCTSTORE_API_ID } from './instance/productStore';
import { RESOURCES_API_ID } from './instance/resources';
import { CONSOLE_API_VERSION } from './console/labConsole';
import { ECHO_API_ID, HARD_CODED_KEY, labSeed } from './seed';

/** Hours a token printed at start stays valid. */
export const BANNER_TOKEN_HOURS = 8;

/** The management base URL for the configured service. */
export function managementServiceUrl(baseUrl: string, env: NodeJS.ProcessEnv = process.env): string {
  const { service, basePath } = managementSettingsFromEnv(env);
  return (
    `${baseUrl}${basePath}/subscriptions/${service.subscriptionId}/resourceGroups/${service.resourceGroup}` +
    `/providers/Microsoft.ApiManagement/service/${service.serviceName}`
  );
}

/** A fresh management token from the configured identifier and primary key, or undefined without keys. */
export function managementToken(hours: number, env: NodeJS.ProcessEnv = process.env, now = new Date()): string | undefined {
  const settings = managementSettingsFromEnv(env);
  const key = settings.primaryKey ?? settings.secondaryKey;
  if (!key) return undefined;
  return createSasToken({ identifier: settings.identifier, key, expiry: new Date(now.getTime() + hours * 3_600_000) });
}

/**
 * What `npm start` prints after the function list: each scenario's state with one
 * line per fault, one or two requests that show its symptom, and a management
 * token to fix the lab with. Subscription keys are never printed: the requests
 * name the subscription whose key they need (the console fills it in; the
 * management API's listSecrets gives it), except scenario 3's hard-coded key,
 * which belongs to no subscription and is part of the lab.
 */
export async function labBanner(baseUrl: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const store = new CatalogStore({
    client: createTableClient(catalogConnectionFromEnv(env)),
    pollIntervalMs: 0,
    seed: /^(false|0|no)$/i.test(env.SEED_LAB ?? '') ? undefined : () => labSeed(env),
    log: () => {},
    keys: keyProtectorFromEnv(env),
  });
  await store.ensureStarted();
  return bannerText(store.index, baseUrl, env);
}

/** The banner for a catalog (no storage): see `labBanner`. */
export function bannerText(index: CatalogIndex, baseUrl: string, env: NodeJS.ProcessEnv = process.env): string {
  const { scenarios } = labStateOf(index);
  const token = managementToken(BANNER_TOKEN_HOURS, env);
  const management = managementServiceUrl(baseUrl, env);
  const lines = ['APIM troubleshooting series lab: five scenarios, what is wrong in each, and a call that shows it', ''];
  for (const scenario of scenarios) {
    lines.push(`  ${scenario.number}  ${scenario.title}: ${scenario.status}`);
    for (const finding of scenario.findings) lines.push(`     - ${finding.message}`);
    for (const call of symptomCalls(index, scenario, baseUrl)) lines.push(`     $ ${call}`);
    lines.push('');
  }
  lines.push(
    "  <key of X>: the key of the administrator's subscription X; the console fills it in, or the management API gives it:",
    `     $ curl -s -X POST "${management}/subscriptions/X/listSecrets?api-version=${CONSOLE_API_VERSION}" -H "Authorization: <the token below>"`,
    `  Console:     ${consoleBase(baseUrl)}/lab   (the portal's test console in a browser, with fix buttons; paste the token below)`,
    `  Management:  ${management}`,
  );
  if (token) {
    lines.push(`  Token (${BANNER_TOKEN_HOURS} h; a new one: npm run token):`, `    Authorization: SharedAccessSignature ${token}`);
  } else {
    lines.push('  No management keys are configured (MANAGEMENT_PRIMARY_KEY): the management API refuses every call.');
  }
  return lines.join('\n');
}

/** The curl commands that show a scenario's symptom, with the API's current path and a placeholder for the key. */
function symptomCalls(index: CatalogIndex, scenario: ScenarioState, baseUrl: string): string[] {
  const url = (apiId: string, fallback: string, rest: string) => `"${baseUrl}/${index.getApi(apiId)?.path ?? fallback}${rest}"`;
  const key = (apiId: string) => `-H "Ocp-Apim-Subscription-Key: <key of ${adminSubscriptionOf(index, apiId)}>"`;
  const soap = (operation: 'Divide', a: number, b: number) => calculatorSample(operation, [a, b]).split('\n').slice(1).map((l) => l.trim()).join('');
  switch (scenario.number) {
    case 1:
      return [`curl -i ${url(BLANK_API_ID, 'httpbin', '/headers')} ${key(BLANK_API_ID)}`];
    case 2:
      return [
        `curl -i -X POST ${url(CALCULATOR_API_ID, 'calc', '/')} ${key(CALCULATOR_API_ID)}   (no SOAPAction, as for Multiply)`,
        `curl -i -X POST ${url(CALCULATOR_API_ID, 'calc', '/')} ${key(CALCULATOR_API_ID)} -H "SOAPAction: ${soapActionOf('Divide')}" -H "Content-Type: application/soap+xml" -d '${soap('Divide', 1, 0)}'`,
      ];
    case 3: {
      const echo = url(ECHO_API_ID, 'echo', '/resource?param1=sample');
      return [`curl -i ${echo}`, `curl -i -H "Ocp-Apim-Subscription-Key: ${HARD_CODED_KEY}" ${echo}`];
    }
    case 4:
      return [
        `curl -s -o /dev/null -w "%{http_code} in %{time_total} s\\n" ${url(PRODUCTSTORE_API_ID, 'productstore', '/api/Products')} ${key(PRODUCTSTORE_API_ID)}`,
        `curl -i -X PUT ${url(PRODUCTSTORE_API_ID, 'productstore', '/api/Products/1')} ${key(PRODUCTSTORE_API_ID)} -H "Content-Type: application/json" -d '{"Id":1,"Name":"Tomato Soup","Category":"Groceries","Price":1.5}'`,
      ];
    case 5:
      return [
        `curl -i ${url(RESOURCES_API_ID, 'resource', '/posts')} ${key(RESOURCES_API_ID)}`,
        `for i in 1 2; do curl -s -o /dev/null -w "%{http_code}\\n" ${url(RESOURCES_API_ID, 'resource', '/comments')} ${key(RESOURCES_API_ID)}; done`,
      ];
    default:
      return [];
  }
}

/** The administrator's subscription to a product of the API (by id, never its key). */
function adminSubscriptionOf(index: CatalogIndex, apiId: string): string {
  const scopes = new Set(index.productsOfApi(apiId).map((p) => `/products/${p.id}`));
  const subscription = index.listSubscriptions().find((s) => s.ownerId === ADMIN_USER && scopes.has(s.scope) && s.state === 'active');
  return subscription?.id ?? 'a subscription to a product of this API';
}

/**
 * The console's base URL: a local host's is given by its IPv4 loopback address, so
 * a browser calls the lab as curl does. Over `localhost` a browser may connect over
 * IPv6 (`::1`), which the IPv4 range of scenario 5's ip-filter does not cover
 * (docs/scenarios/5-throttling.md).
 */
export function consoleBase(baseUrl: string): string {
  return baseUrl.replace(/^http:\/\/localhost(?=[:/]|$)/, 'http://127.0.0.1');
}
