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
    expect(run.output).toMatch(/the whole lab instance reset to its broken state \(catalog version \d+\): broken, \d+ findings/);
    expect(run.status).toBe(0);
    expect((await labState()).status).toBe('broken');
  });

  it("resets one scenario with --scenario, leaving the others' fixes, and the ProductStore backend starts over", async () => {
    const manage = (method: string, path: string) =>
      fetch(`${host.baseUrl}/management/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/apim-lab/providers/Microsoft.ApiManagement/service/apim-lab${path}?api-version=2024-05-01`, {
        method,
        headers: { Authorization: `SharedAccessSignature ${token}`, 'If-Match': '*' },
      });
    expect([200, 201]).toContain((await manage('PUT', '/products/starter/apis/echo-api')).status);
    expect((await manage('DELETE', '/apis/blank-api/operations/getheaders/policies/policy')).status).toBe(200);
    const added = await fetch(`${host.baseUrl}/backend/productstore/api/Products`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ Name: 'Kite', Category: 'Toys', Price: 9.5 }),
    });
    expect(added.status).toBe(201);
    expect((await fetch(`${host.baseUrl}/backend/productstore/api/Products/4`)).status).toBe(200);

    const run = runCli(RESET_CLI, ['--url', host.baseUrl, '--token', token, '--scenario', '4'], undefined);
    expect(run.output).toMatch(/scenario 4 \(.+\) reset to its broken state \(catalog version \d+\)/);
    expect(run.status).toBe(0);
    // Scenario 4's backend holds the seed products again; scenarios 1 and 3 keep their fixes.
    expect((await fetch(`${host.baseUrl}/backend/productstore/api/Products/4`)).status).toBe(404);
    expect(await (await manage('GET', '/products/starter/apis')).text()).toContain('"name":"echo-api"');
    expect((await manage('GET', '/apis/blank-api/operations/getheaders/policies/policy')).status).toBe(404);

    const scenario3 = runCli(RESET_CLI, ['--url', host.baseUrl, '--token', token, '--scenario', '3'], undefined);
    expect(scenario3.status).toBe(0);
    expect((await labState()).status).toBe('broken');
    expect((await manage('GET', '/apis/blank-api/operations/getheaders/policies/policy')).status).toBe(404);
  });

  it('refuses a scenario that does not exist, in the CLI and in the app, and changes nothing', async () => {
    const cli = runCli(RESET_CLI, ['--url', host.baseUrl, '--token', token, '--scenario', '6'], undefined);
    expect(cli.status).toBe(1);
    expect(cli.output).toContain('--scenario must be one of 1, 2, 3, 4, 5');
    const app = await fetch(`${host.baseUrl}/lab/reset?scenario=6`, { method: 'POST', headers: { Authorization: `SharedAccessSignature ${token}` } });
    expect(app.status).toBe(400);
    const error = ((await app.json()) as { error: { code: string; details?: { target: string; message: string }[] } }).error;
    expect(error.code).toBe('ValidationError');
    expect(error.details?.[0]).toMatchObject({ target: 'scenario', message: 'The scenario must be one of 1, 2, 3, 4, 5.' });
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
