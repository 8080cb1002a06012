import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CatalogIndex } from '../../src/catalog/catalogIndex';
import { createDebugCredentials } from '../../src/catalog/debugCredentials';
import type { Subscription } from '../../src/catalog/records';
import type { BackendCall } from '../../src/gateway/backendCall';
import type { Forwarder } from '../../src/gateway/forward';
import { createGateway } from '../../src/gateway/pipeline';
import { createPolicyServices } from '../../src/gateway/policyServices';
import { labSeed } from '../../src/lab/seed';
import { Clock } from '../policy/fakes';
import { bodyOf, request } from './fixtures';

/**
 * The lab instance's documents through the gateway core: each scenario's broken
 * answer, and the trace's last word on it (the `gateway` entry: was the backend's
 * answer passed on, or did the policy answer?). The local host runs the same end
 * to end (test/e2e/scenario*.test.ts).
 */

const credentials = createDebugCredentials(randomBytes(32));
const clockDate = new Date('2026-01-05T10:00:00Z');

function lab() {
  const catalog = new CatalogIndex();
  let version = 1;
  for (const record of labSeed({ WEBSITE_HOSTNAME: 'lab.test' }, clockDate)) catalog.applyChange({ put: record }, version++);
  catalog.version = version;
  const calls: BackendCall[] = [];
  // The backend answers as the ProductStore does: PUT 204, everything else 200 `[]`.
  const forwarder: Forwarder = {
    async forward(call) {
      calls.push(call);
      return call.method === 'PUT' ? { status: 204, headers: [], body: null } : { status: 200, headers: [['content-type', 'application/json']], body: new TextEncoder().encode('[]') };
    },
    async close() {},
  };
  const gateway = createGateway({
    catalog,
    policies: catalog,
    forwarder,
    debug: credentials,
    now: () => clockDate,
    policyServices: createPolicyServices({ now: new Clock(clockDate.getTime()).now, timers: false }),
  });
  const keyOf = (id: string) => (catalog.getSubscription(id) as Subscription).primaryKey;
  return { gateway, calls, keyOf };
}

type Entry = { source: string; data: { message?: string; outcome?: string; status?: number } };

async function traced(setup: ReturnType<typeof lab>, apiId: string, method: string, path: string, subscription: string, headers: Record<string, string> = {}) {
  const token = credentials.issue(apiId, new Date(clockDate.getTime() + 60_000));
  const response = await setup.gateway.handle(
    request(method, `https://gw.test${path}`, { 'Ocp-Apim-Subscription-Key': setup.keyOf(subscription), 'Apim-Debug-Authorization': token, 'X-Forwarded-For': '203.0.113.9', ...headers }),
  );
  const id = (response.headers as ReadonlyArray<readonly [string, string]>).find(([name]) => name.toLowerCase() === 'apim-trace-id')?.[1];
  const trace = credentials.openTrace(id!, clockDate) as { traceEntries: Record<'inbound' | 'backend' | 'outbound', Entry[]> };
  return { response, body: (await bodyOf(response)).toString('utf8'), trace: trace.traceEntries, gatewayEntry: trace.traceEntries.outbound.at(-1)! };
}

describe("the lab's scenarios through the gateway core", () => {
  it('scenario 1: GetHeaders forwards nothing; the backend section says why, the last entry says the policy answered', async () => {
    const setup = lab();
    const { response, body, trace, gatewayEntry } = await traced(setup, 'blank-api', 'GET', '/httpbin/headers', 'unlimited-admin');
    expect([response.status, body]).toEqual([200, '']);
    expect(setup.calls).toEqual([]);
    expect(trace.backend.map((e) => e.data.message)).toEqual([
      'backend (operation getheaders, line 5): nothing was forwarded to the backend: the effective backend section is empty; it comes from the document of operation getheaders: ' +
        'its <backend> at line 5 has neither <forward-request /> nor <base />, so the <forward-request /> of the outer scopes is not inherited. Without a forward-request the answer is 200 with an empty body',
    ]);
    expect(gatewayEntry.data).toMatchObject({ status: 200, outcome: 'policyAnswered' });
  });

  it("scenario 4: PutProduct reaches the backend, but the caller gets the API's fake 429, and the trace says the policy answered", async () => {
    const setup = lab();
    const { response, body, trace, gatewayEntry } = await traced(setup, 'productstore', 'PUT', '/productstore/api/Products/1', 'starter-admin', { 'Content-Type': 'application/json' });
    expect(response.status).toBe(429);
    expect(body).toBe('{\n                Rate limit is exceeded. Try again after some time.\n                }');
    expect(setup.calls.map((c) => `${c.method} ${c.path}`)).toEqual(['PUT /backend/productstore/api/Products/1']);
    expect(trace.outbound.map((e) => e.source)).toEqual(['return-response', 'gateway']);
    expect(trace.outbound[0]!.data.message).toBe(
      "return-response (api productstore, line 10): replaced the backend's 204 answer with 429 Too many requests; inherited from the API scope (the document of API productstore) by operation Products_PutProduct",
    );
    expect(gatewayEntry.data).toMatchObject({ status: 429, outcome: 'policyAnswered' });
    // GetProduct has an outbound section of its own without <base />: the backend's answer is passed on.
    const product = await traced(setup, 'productstore', 'GET', '/productstore/api/Products/1', 'starter-admin');
    expect(product.response.status).toBe(200);
    expect(product.gatewayEntry.data).toMatchObject({ status: 200, outcome: 'forwarded' });
  });

  it("scenario 5: Standard's ip-filter forbids GetPosts to the caller's address; GetComments is counted per caller address", async () => {
    const setup = lab();
    const posts = await traced(setup, 'resources', 'GET', '/resource/posts', 'standard-admin');
    expect([posts.response.status, posts.body]).toEqual([403, '{ "statusCode": 403, "message": "Forbidden" }']);
    expect(posts.trace.inbound.at(-1)!.data.message).toBe(
      "ip-filter (product standard, line 6): the caller's address 203.0.113.9 is in the forbidden range 0.0.0.0-255.255.255.255: 403 Forbidden",
    );
    expect(posts.gatewayEntry.data).toMatchObject({ status: 403, outcome: 'policyAnswered' });
    expect((await traced(setup, 'resources', 'GET', '/resource/comments', 'standard-admin')).response.status).toBe(200);
    const comments = await traced(setup, 'resources', 'GET', '/resource/comments', 'standard-admin');
    expect([comments.response.status, comments.body]).toEqual([429, '{ "statusCode": 429, "message": "Rate limit is exceeded. Try again in 10 seconds." }']);
    expect(comments.trace.inbound.map((e) => e.data.message)).toContain(
      "rate-limit-by-key (global, line 5): counter key 203.0.113.9 (the caller's IP address): 2nd call in 10 s, limit 1: 429, retry in 10 s",
    );
  });
});
