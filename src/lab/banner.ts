import { CatalogStore } from '../catalog/catalogStore';
import { catalogConnectionFromEnv, createTableClient } from '../catalog/connection';
import { keyProtectorFromEnv } from '../catalog/keyProtector';
import { createSasToken, managementSettingsFromEnv } from '../management';
import { diagnoseLab } from './diagnosis';
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
 * What `npm start` prints after the function list: the lab's state, the two
 * requests that show scenario 3's 401s, and a management token to fix it with.
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
  const state = diagnoseLab(store.index);
  const api = store.index.getApi(ECHO_API_ID);
  const echoUrl = `${baseUrl}/${api?.path ?? 'echo'}/resource?param1=sample`;
  const token = managementToken(BANNER_TOKEN_HOURS, env);

  const lines = [
    'APIM troubleshooting scenario 3 - unauthorized errors (401) while invoking APIs',
    '',
    `  Lab state:   ${state.status}`,
    ...state.findings.map((f) => `    - ${f.message}`),
    '',
    '  See the two 401s:',
    `    curl -i "${echoUrl}"`,
    `    curl -i -H "Ocp-Apim-Subscription-Key: ${HARD_CODED_KEY}" "${echoUrl}"`,
    '',
    `  Console:     ${baseUrl}/lab   (the portal's test console in a browser; paste the token below)`,
    `  Management:  ${managementServiceUrl(baseUrl, env)}`,
  ];
  if (token) {
    lines.push(`  Token (${BANNER_TOKEN_HOURS} h; a new one: npm run token):`, `    Authorization: SharedAccessSignature ${token}`);
  } else {
    lines.push('  No management keys are configured (MANAGEMENT_PRIMARY_KEY): the management API refuses every call.');
  }
  return lines.join('\n');
}
