/**
 * `npm run token -- [--hours N] [--secondary] [--key K] [--identifier I]`: prints a
 * management token, the value of an `Authorization` header:
 *
 *   SharedAccessSignature uid=integration&ex=2026-01-01T08:00:00.0000000Z&sn=...
 *
 * Keys come from the settings (local.settings.json, real variables win) unless
 * given; for a deployed lab pass the key from Key Vault with --key.
 */
import { parseArgs } from 'node:util';
import { createSasToken, managementSettingsFromEnv } from '../management';
import { loadLocalSettings } from '../local/localSettings';
import { PROJECT_ROOT } from '../local/projectConfig';

function main(): void {
  const { values } = parseArgs({
    options: {
      hours: { type: 'string', default: '8' },
      secondary: { type: 'boolean', default: false },
      key: { type: 'string' },
      identifier: { type: 'string' },
    },
  });
  const hours = Number(values.hours);
  if (!Number.isFinite(hours) || hours <= 0 || hours > 24 * 365) throw new Error('--hours must be a number of hours between 0 and 8760');
  loadLocalSettings(PROJECT_ROOT);
  const settings = managementSettingsFromEnv();
  const key = values.key ?? (values.secondary ? settings.secondaryKey : settings.primaryKey);
  if (!key) throw new Error('No management key: run npm start once (it generates them into local.settings.json), set MANAGEMENT_PRIMARY_KEY, or pass --key.');
  const identifier = values.identifier ?? settings.identifier;
  const expiry = new Date(Date.now() + hours * 3_600_000);
  process.stdout.write(`SharedAccessSignature ${createSasToken({ identifier, key, expiry })}\n`);
}

try {
  main();
} catch (error) {
  process.stderr.write(`token: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
