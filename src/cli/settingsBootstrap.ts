import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOCAL_SETTINGS_FILE, isPlainObject, parseJsonFile } from '../local/localSettings';
// The module itself, not the management index: the host's start should not load the whole management API.
import { generateManagementKey } from '../management/sasToken';

/** Settings `npm start` makes up once when missing, so a fresh clone runs with nothing to configure. */
const GENERATED: Record<string, () => string> = {
  MANAGEMENT_PRIMARY_KEY: generateManagementKey,
  MANAGEMENT_SECONDARY_KEY: generateManagementKey,
  KEY_ENCRYPTION_KEY: () => randomBytes(32).toString('base64'),
};

/**
 * Makes sure `local.settings.json` exists (copied from the sample) and holds
 * management keys and the key that seals subscription keys at rest, unless the environment already supplies everything. Returns
 * the names it generated (never the values).
 */
export function bootstrapLocalSettings(projectRoot: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const file = join(projectRoot, LOCAL_SETTINGS_FILE);
  const sample = join(projectRoot, 'local.settings.sample.json');
  const storageInEnv = Boolean(env.CatalogStorage || env.AzureWebJobsStorage || env.CatalogStorage__tableServiceUri);
  const missingInEnv = Object.keys(GENERATED).filter((name) => !env[name]);
  if (storageInEnv && missingInEnv.length === 0) return [];

  let settings: Record<string, unknown>;
  if (existsSync(file)) settings = parseJsonFile(file);
  else if (existsSync(sample)) settings = parseJsonFile(sample);
  else settings = { IsEncrypted: false, Values: { FUNCTIONS_WORKER_RUNTIME: 'node', AzureWebJobsStorage: 'UseDevelopmentStorage=true' } };
  const values = isPlainObject(settings.Values) ? settings.Values : (settings.Values = {});

  const generated: string[] = [];
  for (const name of missingInEnv) {
    if (typeof values[name] === 'string' && values[name] !== '') continue;
    values[name] = (GENERATED[name] as () => string)();
    generated.push(name);
  }
  if (generated.length > 0 || !existsSync(file)) {
    const text = `${JSON.stringify(settings, null, 2)}\n`;
    if (!existsSync(file) || readFileSync(file, 'utf8') !== text) {
      writeFileSync(file, text, { mode: 0o600 });
      // `mode` applies only when the file is created: an existing one keeps its permissions otherwise.
      chmodSync(file, 0o600);
    }
  }
  return generated;
}
