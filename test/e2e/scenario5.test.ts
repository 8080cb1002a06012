import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policyDocument } from '../../src/lab/instance/common';
import { forbiddenResponse } from '../../src/apim/gatewayResponses';
import { startLabHost, type HttpResult, type LabHost } from '../helpers/labHost';

/**
 * Troubleshooting scenario 5, "requests throttled: 403 and 429", end to end on the
 * local host (docs/scenarios/5-throttling.md): product Standard's document forbids
 * GetPosts to every IPv4 address, and the global document lets GetComments succeed
 * once per 10 seconds per caller IP address. The fixes through the management API
 * remove both; the reset brings them back.
 */

const FORBIDDEN = forbiddenResponse().body.toString('utf8');
const PERIOD_MS = 10_000;

let lab: LabHost;
let key: string;
/** When GetComments last succeeded under the rate limit: its call counts for 10 s. */
let countedAt = 0;
/** Whether the global document's rate-limit-by-key is in place (a success then counts). */
let limited = true;

beforeAll(async () => {
  lab = await startLabHost();
  key = await lab.adminKey('standard-admin');
});

afterAll(async () => {
  await lab?.stop();
});

const get = async (resource: string) => {
  const result = await lab.call(`/resource/${resource}`, { headers: { 'Ocp-Apim-Subscription-Key': key } });
  // With an increment-condition the call is counted once its answer is known: by the time it has arrived here.
  if (limited && resource === 'comments' && result.status === 200) countedAt = Date.now();
  return result;
};

/** Standard's document without the ip-filter. */
const STANDARD_FIXED = policyDocument({});

/** The global document without the rate-limit-by-key. */
const GLOBAL_FIXED = `<policies>
  <inbound />
  <backend>
    <forward-request />
  </backend>
  <outbound />
  <on-error />
</policies>`;

function expectJsonList(result: HttpResult) {
  expect([result.status, result.headers['content-type']]).toEqual([200, 'application/json; charset=utf-8']);
  expect(Array.isArray(JSON.parse(result.text))).toBe(true);
}

function expectRateLimited(result: HttpResult) {
  const seconds = Number(result.headers['retry-after']);
  expect(seconds).toBeGreaterThanOrEqual(1);
  expect(seconds).toBeLessThanOrEqual(10);
  const body = `{ "statusCode": 429, "message": "Rate limit is exceeded. Try again in ${seconds} seconds." }`;
  expect([result.status, result.reason, result.headers['content-type'], result.text]).toEqual([429, 'Too Many Requests', 'application/json', body]);
  expect(result.headers['content-length']).toBe(String(Buffer.byteLength(body)));
}

async function expectBroken() {
  const posts = await get('posts');
  expect([posts.status, posts.reason, posts.headers['content-type'], posts.text, posts.headers['content-length']]).toEqual([403, 'Forbidden', 'application/json', FORBIDDEN, '45']);
  expectJsonList(await get('comments'));
  expectRateLimited(await get('comments'));
  expectJsonList(await get('photos'));
  expectJsonList(await get('users'));
}

describe('scenario 5: requests throttled, 403 and 429', () => {
  it('broken as seeded: GetPosts 403; GetComments 200, then 429 with Retry-After; GetPhotos and GetUsers 200', async () => {
    expect(FORBIDDEN).toBe('{ "statusCode": 403, "message": "Forbidden" }');
    await expectBroken();
  });

  it("the trace names the ip-filter of product Standard and the caller's address, and the global rate-limit-by-key counting the caller's IP", async () => {
    const posts = await lab.traced('resources', '/resource/posts', { headers: { 'Ocp-Apim-Subscription-Key': key } });
    expect(posts.result.status).toBe(403);
    expect(posts.lines).toContain(
      "inbound \u00b7 ip-filter: ip-filter (product standard, line 6): the caller's address 127.0.0.1 is in the forbidden range 0.0.0.0-255.255.255.255: 403 Forbidden",
    );
    // Still within 10 s of the counted call above: refused, and the trace says by which counter.
    const comments = await lab.traced('resources', '/resource/comments', { headers: { 'Ocp-Apim-Subscription-Key': key } });
    expectRateLimited(comments.result);
    expect(comments.lines.find((line) => line.includes('rate-limit-by-key ('))).toMatch(
      /^inbound · rate-limit-by-key: rate-limit-by-key \(global, line 5\): counter key 127\.0\.0\.1 \(the caller's IP address\): 2nd call in 10 s, limit 1: 429, retry in \d+ s$/,
    );
  });

  it('fixed: without the ip-filter GetPosts answers 200, without the rate-limit-by-key GetComments answers every call; the reset breaks both again', async () => {
    await lab.putPolicy('/products/standard', STANDARD_FIXED);
    expectJsonList(await get('posts'));
    await lab.putPolicy('', GLOBAL_FIXED);
    limited = false;
    for (let i = 0; i < 3; i++) expectJsonList(await get('comments'));
    expectJsonList(await get('photos'));
    expectJsonList(await get('users'));

    await lab.reset(5);
    limited = true;
    // Counters are not part of the catalog: the last call counted before the fix counts for its 10 s.
    const wait = countedAt + PERIOD_MS + 50 - Date.now();
    if (wait > 0) await new Promise((done) => setTimeout(done, wait));
    await expectBroken();
  });
});
