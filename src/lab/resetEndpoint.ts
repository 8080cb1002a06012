import { invalidField, isArmError, serviceUnavailable, type ArmError } from '../apim/armErrors';
import type { CatalogStore } from '../catalog/catalogStore';
import { authenticate } from '../management/auth';
import type { ManagementSettings } from '../management/settings';
import { labStateOf } from './diagnosis';
import { labScenario, SCENARIO_NUMBERS, type LabScenario } from './instance/scenarios';
import { resetLab } from './reset';

/**
 * `POST /lab/reset[?scenario=N]`: puts a running lab (local or deployed) back to
 * the broken lab instance, with fresh keys and the backends on this app's own host
 * name (`WEBSITE_HOSTNAME`); with a scenario, only that scenario's records. Only for the holder of a management token, checked
 * exactly as the management API checks it. Framework-free; `src/functions/lab.ts`
 * registers it.
 */

export type LabResetStore = Pick<CatalogStore, 'catchUp' | 'mutate' | 'index'>;

export interface LabResetOptions {
  store: LabResetStore;
  settings: ManagementSettings;
  now?: () => Date;
  /** Where the seed takes the app's host name from. */
  env?: NodeJS.ProcessEnv;
  /** How long to wait for the catalog before answering 503. Default 5000 ms. */
  storageTimeoutMs?: number;
  /** Called after the catalog is reset: the lab's in-memory backends start over too. */
  afterReset?: (scenario: LabScenario | undefined) => void;
}

export interface LabResetResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** The `scenario` query parameter: absent (the whole lab) or one of the scenario numbers. */
export function scenarioOf(value: string | null): LabScenario | undefined | ArmError {
  if (value === null) return undefined;
  const scenario = /^[1-9]$/.test(value) ? labScenario(Number(value)) : undefined;
  return scenario ?? invalidField('scenario', `The scenario must be one of ${SCENARIO_NUMBERS.join(', ')}.`);
}

export function createLabReset(options: LabResetOptions): (authorization: string | null, scenarioParameter?: string | null) => Promise<LabResetResponse> {
  const { store, settings } = options;
  const now = options.now ?? (() => new Date());
  return async (authorization, scenarioParameter = null) => {
    const denied = authenticate(authorization, settings, now());
    if (denied) return armError(denied);
    const scenario = scenarioOf(scenarioParameter);
    if (isArmError(scenario)) return armError(scenario);
    try {
      await store.catchUp(options.storageTimeoutMs ?? 5000);
      const catalogVersion = await resetLab(store, options.env ?? process.env, scenario);
      options.afterReset?.(scenario);
      return json(200, { catalogVersion, ...(scenario ? { scenario: scenario.number } : {}), ...labStateOf(store.index) });
    } catch (error) {
      return armError(isArmError(error) ? error : serviceUnavailable());
    }
  };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): LabResetResponse {
  return { status, headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers }, body: JSON.stringify(body) };
}

function armError(error: ArmError): LabResetResponse {
  return json(error.status, error.toResponse(), { ...error.headers });
}
