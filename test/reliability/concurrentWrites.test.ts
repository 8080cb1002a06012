import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createSasToken } from '../../src/management';
import type { HostProcess } from '../helpers/localHost';
import { uniqueTableName } from '../helpers/catalog';
import { API_VERSION, LOCAL_SERVICE } from '../helpers/management';
import { management, report, startHost, type Management } from './support';

/**
 * Fifty conditional writes at once to one record, through the local host: the
 * ETag decides, exactly one writer per ETag wins, and no acknowledged write is
 * lost. Also: bad management signatures are throttled per client over real HTTP,
 * while a valid token from the same client keeps working.
 */

const MANAGEMENT_KEY = randomBytes(64).toString('base64');
const WRITERS = 50;

let host: HostProcess;
let mgmt: Management;

beforeAll(async () => {
  host = await startHost({ connectionString: inject('azuriteConnectionString'), tableName: uniqueTableName('conc'), managementKey: MANAGEMENT_KEY });
  mgmt = management(host, MANAGEMENT_KEY);
});

afterAll(async () => {
  await host?.stop();
});

describe(`${WRITERS} concurrent conditional updates of one record`, () => {
  it.each([
    ['product', '/products/race-product', { properties: { displayName: 'Race' } }, (i: number) => ({ properties: { displayName: `writer ${i}` } })],
    ['subscription', '/subscriptions/race-sub', { properties: { displayName: 'Race', scope: '/apis/echo-api' } }, (i: number) => ({ properties: { displayName: `writer ${i}` } })],
  ] as const)('same If-Match ETag on a %s: exactly one 200, the rest 412, the winner stays', async (_, path, body, patch) => {
    const created = await mgmt.call('PUT', path, body);
    expect(created.status, created.text).toBe(201);
    const etag = created.headers.get('etag')!;
    const answers = await Promise.all(Array.from({ length: WRITERS }, (_, i) => mgmt.call('PATCH', path, patch(i), { 'If-Match': etag })));
    const statuses = answers.map((a) => a.status);
    const winners = answers.flatMap((a, i) => (a.status === 200 ? [i] : []));
    expect(winners).toHaveLength(1);
    expect(statuses.filter((s) => s === 412)).toHaveLength(WRITERS - 1);
    for (const lost of answers.filter((a) => a.status === 412)) expect(lost.json().error.code).toBe('PreconditionFailed');
    const final = await mgmt.call('GET', path);
    expect(final.json().properties.displayName).toBe(`writer ${winners[0]}`);
    expect(final.headers.get('etag')).toBe(answers[winners[0]!]!.headers.get('etag'));
  });

  it('If-Match: * from every writer, on two fields: every write applied in one order, none lost', async ({ task }) => {
    const path = '/products/star-product';
    expect((await mgmt.call('PUT', path, { properties: { displayName: 'Star', description: 'start' } })).status).toBe(201);
    // Even writers change the display name, odd ones the description: a PATCH must never put back a field it did not send.
    const answers = await Promise.all(
      Array.from({ length: WRITERS }, (_, i) =>
        mgmt.call('PATCH', path, { properties: i % 2 === 0 ? { displayName: `name ${i}` } : { description: `description ${i}` } }, { 'If-Match': '*' }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(WRITERS).fill(200));
    // Every write got its own version: the ETags are 50 distinct, consecutive versions.
    const versions = answers.map((a) => Number(JSON.parse(a.headers.get('etag')!)));
    expect(new Set(versions).size).toBe(WRITERS);
    expect(Math.max(...versions) - Math.min(...versions)).toBe(WRITERS - 1);
    // What each write returned holds the latest value of the other field as of its version.
    const lastOf = (parity: number) => answers.map((a, i) => ({ i, v: versions[i]! })).filter(({ i }) => i % 2 === parity).sort((a, b) => b.v - a.v)[0]!.i;
    const final = (await mgmt.call('GET', path)).json().properties;
    const lost = [final.displayName === `name ${lastOf(0)}`, final.description === `description ${lastOf(1)}`].filter((ok) => !ok).length;
    expect(final.displayName).toBe(`name ${lastOf(0)}`);
    expect(final.description).toBe(`description ${lastOf(1)}`);
    report(task, { suite: 'concurrent PATCH (npm test)', requests: WRITERS + 2, misauthorizations: 0, unexpected5xx: 0, recordsLost: lost });
  });
});

describe('bad management signatures over HTTP', () => {
  it('are throttled with 429 TooManyRequests and Retry-After, while a valid token from the same client passes', async () => {
    const forged = createSasToken({ identifier: 'integration', key: randomBytes(64).toString('base64'), expiry: new Date(Date.now() + 60_000) });
    const url = `${host.baseUrl}/management${LOCAL_SERVICE}/products?api-version=${API_VERSION}`;
    const statuses: number[] = [];
    let throttled: Response | undefined;
    for (let i = 0; i < 12; i++) {
      const response = await fetch(url, { headers: { Authorization: `SharedAccessSignature ${forged}` } });
      statuses.push(response.status);
      if (response.status === 429) throttled = response;
      else await response.text();
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual([429, 429]);
    expect(throttled!.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(((await throttled!.json()) as { error: { code: string } }).error.code).toBe('TooManyRequests');
    expect((await mgmt.call('GET', '/products')).status).toBe(200);
  });
});
