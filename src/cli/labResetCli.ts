/**
 * `npm run lab:reset`: puts the catalog back to the broken scenario-3 lab.
 * Uses the same settings as `npm start` (local.settings.json, real variables win);
 * starts Azurite for the duration when the development storage is not running.
 * A running lab host picks the change up within its poll interval.
 *
 * `npm run lab:reset -- --url <app> [--token <token>]`: resets a running app, local
 * or deployed, through its `POST /lab/reset` with a management token (default:
 * the APIM_LAB_TOKEN environment variable); the app seeds the Echo API's backend
 * from its own host name.
 */
import { parseArgs } from 'node:util';
import { CatalogStore } from '../catalog/catalogStore';
import { catalogConnectionFromEnv, createTableClient } from '../catalog/connection';
import { diagnoseLab } from '../lab/diagnosis';
import { resetLab } from '../lab/reset';
import { loadLocalSettings } from '../local/localSettings';
import { createConsoleLogger } from '../local/log';
import { PROJECT_ROOT } from '../local/projectConfig';
import { ensureDevelopmentStorage } from '../local/storage';
import { resetRemoteLab, TOKEN_VARIABLE } from './remoteLab';

async function resetRemote(url: string, token: string | undefined): Promise<void> {
  const state = await resetRemoteLab(url, token);
  process.stdout.write(`Lab at ${new URL(url).origin} reset to the seeded scenario-3 state (catalog version ${state.catalogVersion}): ${state.status}, ${state.findings.length} findings.\n`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { url: { type: 'string' }, token: { type: 'string' } } });
  if (values.url) return resetRemote(values.url, values.token ?? process.env[TOKEN_VARIABLE]);
  if (values.token) throw new Error('--token needs --url: a local reset writes the catalog directly.');
  loadLocalSettings(PROJECT_ROOT);
  process.env.WEBSITE_HOSTNAME ??= `localhost:${process.env.PORT || 7071}`;
  const azurite = await ensureDevelopmentStorage(PROJECT_ROOT, process.env, createConsoleLogger('warning'));
  try {
    const store = new CatalogStore({ client: createTableClient(catalogConnectionFromEnv()), pollIntervalMs: 0, log: () => {} });
    await store.ensureStarted();
    const version = await resetLab(store);
    const state = diagnoseLab(store.index);
    process.stdout.write(`Lab reset to the seeded scenario-3 state (catalog version ${version}): ${state.status}, ${state.findings.length} findings.\n`);
  } finally {
    await azurite?.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`lab:reset failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
