import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createLabReset } from '../../src/lab/resetEndpoint';
import { createSasToken, managementSettingsFromEnv } from '../../src/management';
import { testStore } from '../helpers/catalog';

/** `POST /lab/reset`'s core: the management token check, and the seed on the app's own host name. */

const PRIMARY = randomBytes(64).toString('base64');
const settings = managementSettingsFromEnv({ MANAGEMENT_PRIMARY_KEY: PRIMARY });
const authorization = () => `SharedAccessSignature ${createSasToken({ identifier: 'integration', key: PRIMARY, expiry: new Date(Date.now() + 3_600_000) })}`;

describe('lab reset', () => {
  it('seeds the Echo API backend from the deployed host name (https)', async () => {
    const store = testStore();
    const env = { WEBSITE_HOSTNAME: 'func-apim-k3x9q2.azurewebsites.net', WEBSITE_INSTANCE_ID: 'a1b2c3' };
    const reset = createLabReset({ store, settings, env });
    const response = await reset(authorization());
    expect(response.status).toBe(200);
    const body = JSON.parse(response.body) as { catalogVersion: number; status: string; scenarios: { number: number; status: string }[] };
    expect(body.status).toBe('broken');
    // The shape of GET /lab/state, after the catalog version.
    expect(body.scenarios.map((s) => [s.number, s.status])).toEqual([1, 2, 3, 4, 5].map((n) => [n, 'broken']));
    expect(body.catalogVersion).toBeGreaterThan(0);
    expect(store.index.getApi('echo-api')?.serviceUrl).toBe('https://func-apim-k3x9q2.azurewebsites.net/backend/echo');
  });

  it('resets one scenario and answers every scenario\'s state: the reset one broken again, the others as they were', async () => {
    const store = testStore();
    const reset = createLabReset({ store, settings, env: { WEBSITE_HOSTNAME: 'localhost:7071' } });
    expect((await reset(authorization())).status).toBe(200);
    await store.mutate(() => ({
      changes: [
        { delete: { kind: 'policy', scope: 'product', productId: 'standard' } },
        { delete: { kind: 'policy', scope: 'operation', apiId: 'blank-api', operationId: 'getheaders' } },
      ],
      value: 0,
    }));
    const response = await reset(authorization(), '5');
    expect(response.status).toBe(200);
    const body = JSON.parse(response.body) as { scenario: number; scenarios: { number: number; status: string }[] };
    expect(body.scenario).toBe(5);
    expect(body.scenarios.map((s) => s.status)).toEqual(['fixed', 'broken', 'broken', 'broken', 'broken']);
  });

  it('refuses a missing or wrong token with the management API 401, and writes nothing', async () => {
    const store = testStore();
    const reset = createLabReset({ store, settings, env: { WEBSITE_HOSTNAME: 'elsewhere.example.net' } });
    for (const header of [null, 'SharedAccessSignature uid=integration&ex=2099-01-01T00:00:00.0000000Z&sn=AAAA']) {
      const response = await reset(header);
      expect(response.status).toBe(401);
      expect(JSON.parse(response.body).error.code).toBe('Unauthorized');
    }
    await store.ensureStarted();
    expect(store.index.getApi('echo-api')).toBeUndefined();
  });
});
