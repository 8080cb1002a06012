import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import type { HostProcess } from '../helpers/localHost';
import { uniqueTableName } from '../helpers/catalog';
import { sleep } from '../helpers/time';
import { management, report, startHost, type Management } from './support';

/**
 * Conditional writes at scale, through two hosts on one table (writers split
 * between them, so the ETag check also holds across instances):
 *   - rounds of 50 PATCHes with the same If-Match: exactly one winner each;
 *   - 50 clients incrementing one counter by read-modify-write with If-Match,
 *     retrying on 412: the counter ends at exactly 50 (no lost update);
 *   - 50 unconditional (If-Match: *) PATCHes to 50 records at once: all there.
 */

const WRITERS = 50;
const ROUNDS = 5;
const MANAGEMENT_KEY = randomBytes(64).toString('base64');

let hosts: HostProcess[];
let clients: Management[];

beforeAll(async () => {
  const setup = { connectionString: inject('azuriteConnectionString'), tableName: uniqueTableName('cc'), managementKey: MANAGEMENT_KEY };
  const first = await startHost(setup);
  hosts = [first, await startHost(setup)];
  clients = hosts.map((host) => management(host, MANAGEMENT_KEY));
});

afterAll(async () => {
  await Promise.all((hosts ?? []).map((host) => host.stop()));
});

describe('conditional writes at scale, two instances', () => {
  it('same ETag, counter increments, many records', async ({ task }) => {
    let requests = 0;
    let fiveXx = 0;
    let lost = 0;
    const call = async (i: number, ...args: Parameters<Management['call']>) => {
      requests++;
      const answer = await clients[i % clients.length]!.call(...args);
      if (answer.status >= 500) fiveXx++;
      return answer;
    };

    // Rounds of one ETag, fifty writers.
    const winnersPerRound: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const path = `/products/race-${round}`;
      const created = await call(0, 'PUT', path, { properties: { displayName: 'Race' } });
      expect(created.status).toBe(201);
      const etag = created.headers.get('etag')!;
      const answers = await Promise.all(Array.from({ length: WRITERS }, (_, i) => call(i, 'PATCH', path, { properties: { displayName: `writer ${i}` } }, { 'If-Match': etag })));
      const winners = answers.flatMap((a, i) => (a.status === 200 ? [i] : []));
      winnersPerRound.push(winners.length);
      expect(answers.filter((a) => a.status !== 200 && a.status !== 412)).toEqual([]);
      const final = (await call(0, 'GET', path)).json().properties.displayName;
      if (winners.length !== 1 || final !== `writer ${winners[0]}`) lost++;
    }
    expect(winnersPerRound).toEqual(Array(ROUNDS).fill(1));

    // A counter (in the description) incremented by fifty clients: GET, +1, PATCH with If-Match; on 412 read again.
    const counter = '/products/counter';
    expect((await call(0, 'PUT', counter, { properties: { displayName: 'Counter', description: '0' } })).status).toBe(201);
    let conflicts = 0;
    await Promise.all(
      Array.from({ length: WRITERS }, async (_, i) => {
        for (let attempt = 0; ; attempt++) {
          const read = await call(i, 'GET', counter);
          const value = Number(read.json().properties.description);
          const write = await call(i, 'PATCH', counter, { properties: { description: String(value + 1) } }, { 'If-Match': read.headers.get('etag')! });
          if (write.status === 200) return;
          expect(write.status).toBe(412);
          conflicts++;
          if (attempt > 200) throw new Error('too many conflicts');
          await sleep(Math.random() * 20 * Math.min(attempt + 1, 10));
        }
      }),
    );
    const count = Number((await call(1, 'GET', counter)).json().properties.description);
    lost += WRITERS - count;
    expect(count).toBe(WRITERS);

    // Fifty records created at once, then changed at once with If-Match: *: every change there, on both instances.
    const created = await Promise.all(Array.from({ length: WRITERS }, (_, i) => call(i, 'PUT', `/products/many-${i}`, { properties: { displayName: `many ${i}` } })));
    expect(created.map((w) => w.status)).toEqual(Array(WRITERS).fill(201));
    const patched = await Promise.all(Array.from({ length: WRITERS }, (_, i) => call(i + 1, 'PATCH', `/products/many-${i}`, { properties: { description: `patched ${i}` } }, { 'If-Match': '*' })));
    expect(patched.map((w) => w.status)).toEqual(Array(WRITERS).fill(200));
    await sleep(2000);
    for (const client of [0, 1]) {
      const list = (await call(client, 'GET', '/products?$top=1000')).json().value as { name: string; properties: { displayName: string; description: string | null } }[];
      const byName = new Map(list.map((p) => [p.name, p.properties]));
      lost += Array.from({ length: WRITERS }, (_, i) => i).filter((i) => byName.get(`many-${i}`)?.description !== `patched ${i}` || byName.get(`many-${i}`)?.displayName !== `many ${i}`).length;
    }

    report(task, {
      suite: 'conditional writes (2 hosts)',
      requests,
      misauthorizations: 0,
      unexpected5xx: fiveXx,
      recordsLost: lost,
      notes: { 'ETag rounds': `${ROUNDS} x ${WRITERS} writers, winners ${winnersPerRound.join('/')}`, 'counter increments': `${count}/${WRITERS} after ${conflicts} conflicts` },
    });
    expect(lost).toBe(0);
    expect(fiveXx).toBe(0);
  });
});
