import { join } from 'node:path';
import { STORAGE_SETTINGS } from '../catalog/storageSettings';
import { isListening, startAzurite, type RunningAzurite } from './azurite';
import type { HostLogger } from './log';

/** The Table service port that `UseDevelopmentStorage=true` means. */
export const DEVELOPMENT_TABLE_PORT = 10002;

/** The storage setting the app uses, in the catalog's order of precedence (names only in messages). */
export function effectiveStorageSetting(env: NodeJS.ProcessEnv): { name: string; value: string } | undefined {
  for (const name of STORAGE_SETTINGS) {
    const value = env[name];
    if (value) return { name, value };
  }
  return undefined;
}

/** True for `UseDevelopmentStorage=true` (any case, optional trailing `;`). */
export function isDevelopmentStorage(connectionString: string): boolean {
  return /^\s*UseDevelopmentStorage\s*=\s*true\s*;?\s*$/i.test(connectionString);
}

/**
 * When the app's storage is the development account and nothing answers on
 * 127.0.0.1:10002, starts Azurite's Table service there, keeping data in
 * `<projectRoot>/.azurite`. Returns it (to stop on exit), or undefined when
 * nothing was started.
 */
export async function ensureDevelopmentStorage(projectRoot: string, env: NodeJS.ProcessEnv, logger: HostLogger): Promise<RunningAzurite | undefined> {
  const setting = effectiveStorageSetting(env);
  if (!setting || !isDevelopmentStorage(setting.value)) return undefined;
  if (await isListening(DEVELOPMENT_TABLE_PORT)) {
    logger.log('information', 'host', `${setting.name} is the development storage: using the Table service already on 127.0.0.1:${DEVELOPMENT_TABLE_PORT}.`);
    return undefined;
  }
  const azurite = await startAzurite({ port: DEVELOPMENT_TABLE_PORT, location: join(projectRoot, '.azurite') });
  logger.log('information', 'host', `${setting.name} is the development storage: started Azurite (Table service) on 127.0.0.1:${azurite.port}, data in .azurite/.`);
  return azurite;
}
