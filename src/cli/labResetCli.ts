/**
 * `npm run lab:reset [-- --scenario N]`: puts the lab instance (or one scenario of
 * it) back to its broken state. Uses the same settings as `npm start`
 * (local.settings.json, real variables win). When the local host is running, the
 * reset goes through its `POST /lab/reset`, so its in-memory backends start over
 * too; otherwise the catalog is written directly, starting Azurite for the
 * duration when the development storage is not running.
 *
 * `npm run lab:reset -- --url <app> [--token <token>] [--scenario N]`: resets a
 * running app, local or deployed, through its `POST /lab/reset` with a management
 * token (default: the APIM_LAB_TOKEN environment variable); the app seeds the
 * backends' URLs from its own host name.
 */
import { parseArgs } from 'node:util';
import { CatalogStore } from '../catalog/catalogStore';
import { catalogConnectionFromEnv, createTableClient } from '../catalog/connection';
import { managementToken } from '../lab/banner';
import { labStateOf } from '../lab/diagnosis';
import { labScenario, SCENARIO_NUMBERS, type LabScenario } from '../lab/instance/scenarios';
import { resetLab } from '../lab/reset';
import { loadLocalSettings } from '../local/localSettings';
import { createConsoleLogger } from '../local/log';
import { PROJECT_ROOT } from '../local/projectConfig';
import { ensureDevelopmentStorage } from '../local/storage';
import { resetRemoteLab, TOKEN_VARIABLE, type RemoteLabState } from './remoteLab';

function what(scenario: LabScenario | undefined): string {
  return scenario ? `scenario ${scenario.number} (${scenario.title})` : 'the whole lab instance';
}

/** The reset scenario's state, or the whole lab's: one status when every scenario has it, and every finding counted. */
function stateOf(scenario: LabScenario | undefined, state: RemoteLabState): { status: string; findings: number } {
  const scenarios = state.scenarios;
  if (!scenarios) return { status: state.status, findings: state.findings.length };
  const shown = scenario ? scenarios.filter((s) => s.number === scenario.number) : scenarios;
  const statuses = new Set(shown.map((s) => s.status));
  const status = statuses.size === 1 ? [...statuses][0]! : shown.map((s) => `scenario ${s.number} ${s.status}`).join(', ');
  return { status, findings: shown.reduce((total, s) => total + s.findings.length, 0) };
}

function report(where: string, scenario: LabScenario | undefined, state: RemoteLabState): void {
  const { status, findings } = stateOf(scenario, state);
  process.stdout.write(`${where}: ${what(scenario)} reset to its broken state (catalog version ${state.catalogVersion}): ${status}, ${findings} findings.\n`);
}

function parseScenario(value: string | undefined): LabScenario | undefined {
  if (value === undefined) return undefined;
  const scenario = /^\d$/.test(value) ? labScenario(Number(value)) : undefined;
  if (!scenario) throw new Error(`--scenario must be one of ${SCENARIO_NUMBERS.join(', ')}, not '${value}'.`);
  return scenario;
}

/** The local host's reset, when a host answers on its port; undefined when nothing listens there. */
async function resetThroughLocalHost(scenario: LabScenario | undefined): Promise<RemoteLabState | undefined> {
  const token = managementToken(1);
  if (!token) return undefined;
  try {
    return await resetRemoteLab(`http://localhost:${process.env.PORT || 7071}`, token, scenario?.number, AbortSignal.timeout(10_000));
  } catch (error) {
    // Nothing listening (or not answering in time): write the catalog directly.
    if (error instanceof TypeError || (error instanceof DOMException && error.name === 'TimeoutError')) return undefined;
    throw error;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { url: { type: 'string' }, token: { type: 'string' }, scenario: { type: 'string' } } });
  const scenario = parseScenario(values.scenario);
  if (values.url) return report(`Lab at ${new URL(values.url).origin}`, scenario, await resetRemoteLab(values.url, values.token ?? process.env[TOKEN_VARIABLE], scenario?.number));
  if (values.token) throw new Error('--token needs --url: a local reset writes the catalog directly.');
  loadLocalSettings(PROJECT_ROOT);
  process.env.WEBSITE_HOSTNAME ??= `localhost:${process.env.PORT || 7071}`;
  const throughHost = await resetThroughLocalHost(scenario);
  if (throughHost) return report('Local lab host', scenario, throughHost);
  const azurite = await ensureDevelopmentStorage(PROJECT_ROOT, process.env, createConsoleLogger('warning'));
  try {
    const store = new CatalogStore({ client: createTableClient(catalogConnectionFromEnv()), pollIntervalMs: 0, log: () => {} });
    await store.ensureStarted();
    const catalogVersion = await resetLab(store, process.env, scenario);
    report('Lab catalog', scenario, { catalogVersion, ...labStateOf(store.index) });
  } finally {
    await azurite?.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`lab:reset failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
