// The preprovision hook's decision, kept apart from azd and az so that it is tested
// with fakes (test/infra/secrets.test.ts). For each secret: the value in the azd
// environment; else the one already in the deployment's Key Vault; else, only when
// that vault is known to hold none, a new one. What it used is stored in the azd
// environment. A vault that cannot be read stops the hook: generating then could
// replace the key every stored subscription key is sealed with.
import { randomBytes } from 'node:crypto';

export function isBase64Of32Bytes(value) {
  return /^[A-Za-z0-9+/]{43}=$/.test(value) && Buffer.from(value, 'base64').length === 32;
}

/** The three secrets: azd environment name, Key Vault secret name (infra/resources.bicep). */
export const SECRETS = [
  { name: 'MANAGEMENT_PRIMARY_KEY', vaultName: 'management-primary-key', generate: () => randomBytes(64).toString('base64') },
  { name: 'MANAGEMENT_SECONDARY_KEY', vaultName: 'management-secondary-key', generate: () => randomBytes(64).toString('base64') },
  { name: 'KEY_ENCRYPTION_KEY', vaultName: 'key-encryption-key', generate: () => randomBytes(32).toString('base64'), validate: isBase64Of32Bytes },
];

/**
 * @param {object} io
 * @param {Record<string, string | undefined>} io.env the azd environment's values, as azd passes them to hooks
 * @param {(secretName: string) => Promise<{ found: true, value: string } | { found: false } | { error: string }>} io.readVaultSecret
 *   the secret from the deployment's existing vault; `{ found: false }` when there is no vault or no such secret
 * @param {(name: string, value: string) => Promise<void>} io.store `azd env set`
 * @param {(line: string) => void} io.log never given a secret value
 * @returns {Promise<boolean>} false when a secret could not be settled
 */
export async function ensureSecrets({ env, readVaultSecret, store, log }, secrets = SECRETS) {
  let ok = true;
  for (const secret of secrets) {
    const current = env[secret.name];
    if (current) {
      if (secret.validate && !secret.validate(current)) {
        log(`${secret.name} in the azd environment is not base64 of 32 bytes; fix or remove it (it is never replaced automatically).`);
        ok = false;
      } else {
        log(`${secret.name}: kept (azd environment)`);
      }
      continue;
    }
    const existing = await readVaultSecret(secret.vaultName);
    if ('error' in existing) {
      log(
        `${secret.name}: not in the azd environment, and the Key Vault secret ${secret.vaultName} could not be read (${existing.error}). ` +
          `Nothing generated: a new value would replace the deployed one. Sign in (az login) with a role that reads the vault's secrets and run again, ` +
          `or set the value yourself: azd env set ${secret.name} <value>.`,
      );
      ok = false;
      continue;
    }
    if (existing.found) {
      if (secret.validate && !secret.validate(existing.value)) {
        log(`${secret.name}: the Key Vault secret ${secret.vaultName} is not base64 of 32 bytes; fix it or set the value yourself (nothing generated).`);
        ok = false;
        continue;
      }
      await store(secret.name, existing.value);
      log(`${secret.name}: taken from the Key Vault secret ${secret.vaultName} and stored in the azd environment`);
      continue;
    }
    await store(secret.name, secret.generate());
    log(`${secret.name}: generated and stored in the azd environment`);
  }
  return ok;
}
