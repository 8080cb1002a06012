import { describe, expect, it } from 'vitest';
import { ensureSecrets, SECRETS, type VaultSecret } from '../../infra/hooks/secrets.mjs';

/** The preprovision hook's decision (infra/hooks/secrets.mjs) with a fake vault and a fake azd environment. */

const KEK = Buffer.alloc(32, 9).toString('base64');
const OTHER_KEK = Buffer.alloc(32, 3).toString('base64');

function fakes(env: Record<string, string>, vault: Record<string, VaultSecret>) {
  const stored: Record<string, string> = {};
  const reads: string[] = [];
  const lines: string[] = [];
  const io = {
    env,
    readVaultSecret: async (name: string) => {
      reads.push(name);
      return vault[name] ?? { found: false as const };
    },
    store: async (name: string, value: string) => {
      stored[name] = value;
    },
    log: (line: string) => lines.push(line),
  };
  return { io, stored, reads, lines };
}

describe('KEY_ENCRYPTION_KEY is never replaced by accident', () => {
  it('keeps the azd environment value and does not even look at the vault', async () => {
    const { io, stored, reads } = fakes({ MANAGEMENT_PRIMARY_KEY: 'p', MANAGEMENT_SECONDARY_KEY: 's', KEY_ENCRYPTION_KEY: KEK }, { 'key-encryption-key': { found: true, value: OTHER_KEK } });
    expect(await ensureSecrets(io)).toBe(true);
    expect(stored).toEqual({});
    expect(reads).toEqual([]);
  });

  it('takes the existing Key Vault secret when the environment has none, and stores it', async () => {
    const { io, stored, lines } = fakes({}, {
      'management-primary-key': { found: true, value: 'vault-primary-key-value-0123456789' },
      'management-secondary-key': { found: true, value: 'vault-secondary-key-value-0123456789' },
      'key-encryption-key': { found: true, value: KEK },
    });
    expect(await ensureSecrets(io)).toBe(true);
    expect(stored).toEqual({ MANAGEMENT_PRIMARY_KEY: 'vault-primary-key-value-0123456789', MANAGEMENT_SECONDARY_KEY: 'vault-secondary-key-value-0123456789', KEY_ENCRYPTION_KEY: KEK });
    expect(lines.join('\n')).toContain('KEY_ENCRYPTION_KEY: taken from the Key Vault secret key-encryption-key');
    expect(lines.join('\n')).not.toContain(KEK);
  });

  it('generates only when the vault is known to hold none, and stores what it generated', async () => {
    const { io, stored, reads } = fakes({}, {});
    expect(await ensureSecrets(io)).toBe(true);
    expect(reads).toEqual(SECRETS.map((secret) => secret.vaultName));
    expect(Object.keys(stored)).toEqual(['MANAGEMENT_PRIMARY_KEY', 'MANAGEMENT_SECONDARY_KEY', 'KEY_ENCRYPTION_KEY']);
    expect(Buffer.from(stored.KEY_ENCRYPTION_KEY!, 'base64')).toHaveLength(32);
  });

  it('generates nothing and fails when the vault cannot be read', async () => {
    const { io, stored, lines } = fakes({ MANAGEMENT_PRIMARY_KEY: 'p', MANAGEMENT_SECONDARY_KEY: 's' }, { 'key-encryption-key': { error: "Please run 'az login' to setup account." } });
    expect(await ensureSecrets(io)).toBe(false);
    expect(stored).toEqual({});
    expect(lines.join('\n')).toMatch(/KEY_ENCRYPTION_KEY: .*could not be read .*az login.*Nothing generated/);
  });

  it('refuses a malformed key in the vault instead of replacing it', async () => {
    const { io, stored } = fakes({ MANAGEMENT_PRIMARY_KEY: 'p', MANAGEMENT_SECONDARY_KEY: 's' }, { 'key-encryption-key': { found: true, value: 'not-a-key' } });
    expect(await ensureSecrets(io)).toBe(false);
    expect(stored).toEqual({});
  });
});
