import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { uniqueTableName } from '../helpers/catalog';
import { labHostEnv, runHostToExit, startHostProcess } from '../helpers/localHost';

/** host.json without extensions.http: the default "api" prefix. */
const API_FIXTURE = join(__dirname, 'fixture-api');
const noStorage = { CatalogStorage: undefined, AzureWebJobsStorage: undefined };

describe('startup', () => {
  it('serves under the default route prefix "api" and prints the functions with methods and routes', async () => {
    const host = await startHostProcess({ root: API_FIXTURE, env: { ...noStorage, FIXTURE_REFUSED: undefined } });
    try {
      const hello = await fetch(`${host.baseUrl}/api/hello`);
      expect(hello.status).toBe(200);
      expect(await hello.text()).toBe('hello');
      expect((await fetch(`${host.baseUrl}/api/HELLO`)).status).toBe(200);
      expect((await fetch(`${host.baseUrl}/hello`)).status).toBe(404);
      // An empty route means "use the function name", as in the host.
      expect(await (await fetch(`${host.baseUrl}/api/emptyRoute`)).text()).toBe('empty route');
      expect(host.output()).toContain(`hello: [GET] ${host.url}/api/hello`);
      expect(host.output()).toContain(`emptyRoute: [GET] ${host.url}/api/emptyRoute`);
    } finally {
      await host.stop();
    }
  }, 30_000);

  it.each([
    ['admin', /adminThings.*"admin\/things" conflicts with one or more built in routes/],
    ['administration', /administration.*conflicts with one or more built in routes/],
    ['runtime', /runtimeThings.*conflicts with one or more built in routes/],
    ['constraint', /badConstraint.*"nonsense" is not known/],
    ['conflict', /helloAgain.*conflicts with the route defined by function "hello"/],
  ])('refuses to start with a %s route, with a clear error', async (which, message) => {
    const result = await runHostToExit({ root: API_FIXTURE, env: { ...noStorage, FIXTURE_REFUSED: which } });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/\[host\] Startup failed:/);
    expect(result.output).toMatch(message);
    expect(result.output).not.toContain('Functions host listening');
  }, 30_000);

  it('refuses to start with an invalid GATEWAY_MAX_BODY_BYTES, naming the setting', async () => {
    const env = labHostEnv(uniqueTableName('badlimit'), { primary: 'p', secondary: 's' }, { GATEWAY_MAX_BODY_BYTES: '10MB' });
    const result = await runHostToExit({ env });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/\[host\] Startup failed:.*GATEWAY_MAX_BODY_BYTES must be a whole number of bytes from 0 to 104857600/s);
    expect(result.output).not.toContain('Functions host listening');
  }, 30_000);

  it('explains a main pattern that matches nothing', async () => {
    const result = await runHostToExit({ root: join(__dirname, 'fixture-empty'), env: noStorage });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/matches no file/);
  }, 30_000);
});
