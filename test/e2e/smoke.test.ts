import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSasToken } from '../../src/management';
import { uniqueTableName } from '../helpers/catalog';
import { expectSmokePassed, RESET_CLI, runCli, SMOKE_CLI } from '../helpers/cli';
import { labHostEnv, startHostProcess, type HostProcess } from '../helpers/localHost';

/** `npm run smoke -- <base-url>` and `npm run lab:reset -- --url`, against the local host over HTTP. */

const PRIMARY = randomBytes(64).toString('base64');

let host: HostProcess;
let token: string;

beforeAll(async () => {
  host = await startHostProcess({ env: labHostEnv(uniqueTableName('smoke'), { primary: PRIMARY, secondary: randomBytes(64).toString('base64') }) });
  token = createSasToken({ identifier: 'integration', key: PRIMARY, expiry: new Date(Date.now() + 3_600_000) });
});

afterAll(async () => {
  await host?.stop();
});

async function labState(): Promise<{ status: string }> {
  const response = await fetch(`${host.baseUrl}/lab/state`, { headers: { Authorization: `SharedAccessSignature ${token}` } });
  return (await response.json()) as { status: string };
}

describe('npm run smoke', () => {
  it('passes every step of scenario 3 and leaves the lab broken again', async () => {
    expectSmokePassed(runCli(SMOKE_CLI, [host.baseUrl], token));
    expect((await labState()).status).toBe('broken');
  });

  it('fails, exit code 1, with a token the app refuses, and names the failing steps', () => {
    const wrong = createSasToken({ identifier: 'integration', key: randomBytes(64).toString('base64'), expiry: new Date(Date.now() + 3_600_000) });
    const run = runCli(SMOKE_CLI, [host.baseUrl], wrong);
    expect(run.status).toBe(1);
    expect(run.output).toMatch(/^PASS {2}401 missing subscription key, without a key$/m);
    expect(run.output).toMatch(/^FAIL {2}fix: the hard-coded header removed .*expected 200, got 401/m);
    expect(run.output).toMatch(/^FAIL {2}restore: the lab reset to its broken state .*answered 401/m);
    expect(run.output).not.toContain(wrong);
  });

  it('refuses to run without a token', () => {
    const run = runCli(SMOKE_CLI, [host.baseUrl], undefined);
    expect(run.status).toBe(2);
    expect(run.output).toContain('APIM_LAB_TOKEN');
  });
});

describe('npm run lab:reset -- --url', () => {
  it('resets the running lab through POST /lab/reset with the token', async () => {
    const link = await fetch(
      `${host.baseUrl}/management/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/apim-lab/providers/Microsoft.ApiManagement/service/apim-lab/products/starter/apis/echo-api?api-version=2024-05-01`,
      { method: 'PUT', headers: { Authorization: `SharedAccessSignature ${token}` } },
    );
    expect([200, 201]).toContain(link.status);
    const run = runCli(RESET_CLI, ['--url', host.baseUrl, '--token', token], undefined);
    expect(run.output).toMatch(/reset to the seeded scenario-3 state \(catalog version \d+\): broken, \d+ findings/);
    expect(run.status).toBe(0);
    expect((await labState()).status).toBe('broken');
  });

  it('is refused without a valid token, and the lab stays as it is', async () => {
    const unauthenticated = await fetch(`${host.baseUrl}/lab/reset`, { method: 'POST' });
    expect(unauthenticated.status).toBe(401);
    expect(((await unauthenticated.json()) as { error: { code: string } }).error.code).toBe('Unauthorized');
    const run = runCli(RESET_CLI, ['--url', host.baseUrl, '--token', 'uid=integration&ex=2099-01-01T00:00:00.0000000Z&sn=AAAA'], undefined);
    expect(run.status).toBe(1);
    expect(run.output).toContain('answered 401');
  });

  it('leaves other methods on /lab/reset to the gateway', async () => {
    const get = await fetch(`${host.baseUrl}/lab/reset`, { method: 'PUT' });
    expect(get.status).toBe(404);
    expect(await get.text()).toBe('{ "statusCode": 404, "message": "Resource not found" }');
  });
});
