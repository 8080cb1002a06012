/**
 * `npm run token -- [--hours N] [--secondary] [--key K] [--identifier I]`: prints a
 * management token, the value of an `Authorization` header:
 *
 *   SharedAccessSignature uid=integration&ex=2026-01-01T08:00:00.0000000Z&sn=...
 *
 * Keys come from the settings (local.settings.json, real variables win) unless
 * given; for a deployed lab pass the key from Key Vault with --key. `--hours` is
 * at most `MANAGEMENT_TOKEN_MAX_LIFETIME_DAYS` (30 days by default): management
 * refuses a token that lives longer.
 */
import { parseArgs } from 'node:util';
import { createSasToken, managementSettingsFromEnv } from '../management';
import { loadLocalSettings } from '../local/localSettings';
import { DEFAULT_TOKEN_MAX_LIFETIME_DAYS, TOKEN_MAX_LIFETIME_SETTING } from '../management/settings';
import { PROJECT_ROOT } from '../local/projectConfig';

const HOUR_MS = 3_600_000;

function main(): void {
  const { values } = parseArgs({
    options: {
      hours: { type: 'string', default: '8' },
      secondary: { type: 'boolean', default: false },
      key: { type: 'string' },
      identifier: { type: 'string' },
    },
  });
  loadLocalSettings(PROJECT_ROOT);
  const settings = managementSettingsFromEnv();
  const maxHours = (settings.maxTokenLifetimeMs ?? DEFAULT_TOKEN_MAX_LIFETIME_DAYS * 24 * HOUR_MS) / HOUR_MS;
  const hours = Number(values.hours);
  if (!Number.isFinite(hours) || hours <= 0 || hours > maxHours) {
    throw new Error(`--hours must be a number of hours above 0 and at most ${maxHours} (${TOKEN_MAX_LIFETIME_SETTING} is ${maxHours / 24} days; management refuses a token that lives longer)`);
  }
  const key = values.key ?? (values.secondary ? settings.secondaryKey : settings.primaryKey);
  if (!key) throw new Error('No management key: run npm start once (it generates them into local.settings.json), set MANAGEMENT_PRIMARY_KEY, or pass --key.');
  const identifier = values.identifier ?? settings.identifier;
  const expiry = new Date(Date.now() + hours * HOUR_MS);
  process.stdout.write(`SharedAccessSignature ${createSasToken({ identifier, key, expiry })}\n`);
}

try {
  main();
} catch (error) {
  process.stderr.write(`token: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
