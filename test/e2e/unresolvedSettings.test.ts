import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogStore } from '../../src/catalog/catalogStore';
import { keyProtectorFromEnv } from '../../src/catalog/keyProtector';
import { managementSettingsFromEnv } from '../../src/management';
import { testTableClient, uniqueTableName } from '../helpers/catalog';
import { labHostEnv, startHostProcess, type HostProcess } from '../helpers/localHost';

/**
 * The first deployment, while the identity's role on the vault propagates: app
 * settings that are Key Vault references hold the reference text. The functions
 * load anyway, the gateway answers APIM's 503, management names the setting, and
 * the catalog loads once the setting resolves, without a restart.
 */

const REFERENCE = '@Microsoft.KeyVault(SecretUri=https://kv-apim-k3x9q2.vault.azure.net/secrets/key-encryption-key/)';
const PRIMARY_REFERENCE = '@Microsoft.KeyVault(SecretUri=https://kv-apim-k3x9q2.vault.azure.net/secrets/management-primary-key/)';
const SERVICE_UNAVAILABLE = '{ "statusCode": 503, "message": "Service Unavailable" }';

describe('a host whose KEY_ENCRYPTION_KEY is an unresolved Key Vault reference', () => {
  let host: HostProcess;

  beforeAll(async () => {
    host = await startHostProcess({
      env: labHostEnv(uniqueTableName('kvref'), { primary: randomBytes(64).toString('base64'), secondary: PRIMARY_REFERENCE }, { KEY_ENCRYPTION_KEY: REFERENCE }),
    });
  });

  afterAll(async () => {
    await host?.stop();
  });

  it('loads every function', () => {
    for (const name of ['echo', 'lab', 'management', 'status', 'zz-gateway']) expect(host.output()).toContain(`${name}: [`);
  });

  it("answers the gateway's calls with APIM's 503", async () => {
    const response = await fetch(`${host.baseUrl}/echo/resource?param1=sample`);
    expect(response.status).toBe(503);
    expect(await response.text()).toBe(SERVICE_UNAVAILABLE);
    expect((await fetch(`${host.baseUrl}/status-0123456789abcdef`)).status).toBe(503);
  });

  it('answers management calls with 503 naming the unresolved settings, never their values', async () => {
    const response = await fetch(`${host.baseUrl}/management/subscriptions/x/resourceGroups/y/providers/Microsoft.ApiManagement/service/z/apis?api-version=2024-05-01`);
    expect(response.status).toBe(503);
    const text = await response.text();
    const body = JSON.parse(text) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('ServiceUnavailable');
    expect(body.error.message).toContain('KEY_ENCRYPTION_KEY is a Key Vault reference that is not resolved yet');
    expect(body.error.message).toContain('MANAGEMENT_SECONDARY_KEY is a Key Vault reference that is not resolved yet');
    expect(text).not.toContain('vault.azure.net');
    expect(host.output()).not.toContain('vault.azure.net');
  });
});

describe('recovery without a restart', () => {
  it('the catalog loads once KEY_ENCRYPTION_KEY resolves', async () => {
    const env: NodeJS.ProcessEnv = { KEY_ENCRYPTION_KEY: REFERENCE };
    const store = new CatalogStore({ client: testTableClient(), pollIntervalMs: 0, log: () => {}, keys: keyProtectorFromEnv(env), seed: () => [] });
    await expect(store.ensureStarted()).rejects.toThrow(/KEY_ENCRYPTION_KEY is a Key Vault reference that is not resolved yet/);
    expect(store.isReady).toBe(false);
    env.KEY_ENCRYPTION_KEY = process.env.KEY_ENCRYPTION_KEY;
    expect(await store.whenReady(5000)).toBe(false); // retried at most once a second
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await store.whenReady(5000)).toBe(true);
  });

  it('a management key that is an unresolved reference is no key at all', () => {
    const settings = managementSettingsFromEnv({ MANAGEMENT_PRIMARY_KEY: PRIMARY_REFERENCE, MANAGEMENT_SECONDARY_KEY: 'a-usable-secondary-key' });
    expect(settings.primaryKey).toBeUndefined();
    expect(settings.secondaryKey).toBe('a-usable-secondary-key');
  });
});
