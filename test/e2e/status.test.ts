import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { developmentConnectionString, freePort } from '../../src/local/azurite';
import { uniqueTableName } from '../helpers/catalog';
import { labHostEnv, startHostProcess, type HostProcess } from '../helpers/localHost';

/** APIM's health endpoint, `GET /status-0123456789abcdef`, on the local host. */

const STATUS = '/status-0123456789abcdef';
const keys = () => ({ primary: randomBytes(64).toString('base64'), secondary: randomBytes(64).toString('base64') });

describe('with the catalog loaded', () => {
  let host: HostProcess;

  beforeAll(async () => {
    host = await startHostProcess({ env: labHostEnv(uniqueTableName('status'), keys()) });
  });

  afterAll(async () => {
    await host?.stop();
  });

  it('answers 200 with an empty body', async () => {
    const response = await fetch(`${host.baseUrl}${STATUS}`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });

  it('is routed before the catch-all gateway, which keeps every other method and path', async () => {
    const names = [...host.output().matchAll(/^\s+(\S+): \[/gm)].map((match) => match[1]);
    expect(names.indexOf('status')).toBeGreaterThanOrEqual(0);
    expect(names.indexOf('status')).toBeLessThan(names.indexOf('zz-gateway'));
    const post = await fetch(`${host.baseUrl}${STATUS}`, { method: 'POST' });
    expect(post.status).toBe(404);
    expect(await post.text()).toBe('{ "statusCode": 404, "message": "Resource not found" }');
  });
});

describe('without a catalog', () => {
  let host: HostProcess;

  beforeAll(async () => {
    // Storage that does not answer: nothing listens on the port.
    const storage = developmentConnectionString(await freePort());
    host = await startHostProcess({ env: labHostEnv(uniqueTableName('status'), keys(), { CatalogStorage: storage, AzureWebJobsStorage: storage }) });
  });

  afterAll(async () => {
    await host?.stop();
  });

  it('answers 503 with an empty body', async () => {
    const response = await fetch(`${host.baseUrl}${STATUS}`);
    expect(response.status).toBe(503);
    expect(await response.text()).toBe('');
  });
});
