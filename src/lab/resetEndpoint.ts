import { isArmError, serviceUnavailable, type ArmError } from '../apim/armErrors';
import type { CatalogStore } from '../catalog/catalogStore';
import { authenticate } from '../management/auth';
import type { ManagementSettings } from '../management/settings';
import { diagnoseLab } from './diagnosis';
import { resetLab } from './reset';

/**
 * `POST /lab/reset`: puts a running lab (local or deployed) back to the broken
 * scenario-3 state, with fresh keys and the Echo API's backend on this app's own
 * host name (`WEBSITE_HOSTNAME`). Only for the holder of a management token, checked
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
}

export interface LabResetResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export function createLabReset(options: LabResetOptions): (authorization: string | null) => Promise<LabResetResponse> {
  const { store, settings } = options;
  const now = options.now ?? (() => new Date());
  return async (authorization) => {
    const denied = authenticate(authorization, settings, now());
    if (denied) return armError(denied);
    try {
      await store.catchUp(options.storageTimeoutMs ?? 5000);
      const catalogVersion = await resetLab(store, options.env ?? process.env);
      return json(200, { catalogVersion, ...diagnoseLab(store.index) });
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
