import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policyDocument } from '../../src/lab/instance/common';
import { startLabHost, type LabHost } from '../helpers/labHost';

/**
 * Troubleshooting scenario 1, "API returns a blank response", end to end on the
 * local host (docs/scenarios/1-blank-response.md): GetHeaders answers 200 with an
 * empty body because its own document empties the backend section; the trace
 * says so; the fix through the management API; the reset brings it back.
 */

let lab: LabHost;
let key: string;

beforeAll(async () => {
  lab = await startLabHost();
  key = await lab.adminKey('unlimited-admin');
});

afterAll(async () => {
  await lab?.stop();
});

const GET_HEADERS = '/apis/blank-api/operations/getheaders';
const withBackend = (backend: string) => policyDocument({ backend: [backend] });

const getHeaders = () => lab.call('/httpbin/headers', { headers: { 'Ocp-Apim-Subscription-Key': key } });
const getMyIp = () => lab.call('/httpbin/ip', { headers: { 'Ocp-Apim-Subscription-Key': key } });

async function expectBroken() {
  const blank = await getHeaders();
  expect([blank.status, blank.reason, blank.body.length, blank.headers['content-length'], blank.headers['content-type']]).toEqual([200, 'OK', 0, '0', undefined]);
  const ip = await getMyIp();
  expect(ip.status).toBe(200);
  expect(ip.headers['content-type']).toBe('application/json');
  expect(ip.text).toBe('{\n  "origin": "127.0.0.1"\n}\n');
}

async function expectHealthy() {
  const headers = await getHeaders();
  expect(headers.status).toBe(200);
  expect(headers.headers['content-type']).toBe('application/json');
  const echoed = JSON.parse(headers.text) as { headers: Record<string, string> };
  expect(Object.keys(echoed)).toEqual(['headers']);
  // httpbin writes the names title-cased; the key header went to the backend, as APIM forwards it, with the backend's own Host.
  expect(echoed.headers['Ocp-Apim-Subscription-Key']).toBe(key);
  expect(echoed.headers.Host).toBe(`localhost:${lab.host.port}`);
  expect((await getMyIp()).status).toBe(200);
}

describe('scenario 1: API returns a blank response', () => {
  it('broken as seeded: GetHeaders answers 200 with an empty body, GetMyIp answers the JSON', async () => {
    await expectBroken();
  });

  it("the trace says nothing was forwarded: the operation's effective backend section has no forward-request, and where it comes from", async () => {
    const { result, lines } = await lab.traced('blank-api', '/httpbin/headers', { headers: { 'Ocp-Apim-Subscription-Key': key } });
    expect([result.status, result.body.length]).toEqual([200, 0]);
    expect(lines).toContain("inbound \u00b7 api-matching: API 'blank-api' and operation 'getheaders' matched.");
    expect(lines.filter((line) => line.startsWith('backend'))).toEqual([
      'backend \u00b7 backend: backend (operation getheaders, line 5): nothing was forwarded to the backend: the effective backend section is empty; ' +
        'it comes from the document of operation getheaders: its <backend> at line 5 has neither <forward-request /> nor <base />, ' +
        'so the <forward-request /> of the outer scopes is not inherited. Without a forward-request the answer is 200 with an empty body',
    ]);
    expect(lines.at(-1)).toBe('outbound \u00b7 gateway: The call was allowed; the effective policy gave the answer (see the policy entries).');
    // GetMyIp inherits the global forward-request.
    const ip = await lab.traced('blank-api', '/httpbin/ip', { headers: { 'Ocp-Apim-Subscription-Key': key } });
    expect(ip.lines).toContain('backend \u00b7 forward-request: forward-request (global, line 10): backend answered 200');
  });

  it('fixed with <base /> in the operation backend section: GetHeaders answers what httpbin answers; the reset breaks it again', async () => {
    await lab.putPolicy(GET_HEADERS, withBackend('<base />'));
    await expectHealthy();
    await lab.reset(1);
    await expectBroken();
  });

  it('fixed with <forward-request />: healthy, traced as forwarded by the operation document; the reset breaks it again', async () => {
    await lab.putPolicy(GET_HEADERS, withBackend('<forward-request />'));
    await expectHealthy();
    const { lines } = await lab.traced('blank-api', '/httpbin/headers', { headers: { 'Ocp-Apim-Subscription-Key': key } });
    expect(lines).toContain('backend \u00b7 forward-request: forward-request (operation getheaders, line 6): backend answered 200');
    expect(lines.at(-1)).toBe('outbound \u00b7 gateway: The call was allowed and forwarded to the backend.');
    await lab.reset(1);
    await expectBroken();
  });
});
