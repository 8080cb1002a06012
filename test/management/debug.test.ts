import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debugCredentialsFromEnv } from '../../src/catalog/debugCredentials';
import { createGateway } from '../../src/gateway/pipeline';
import { recordingForwarder, request } from '../gateway/fixtures';
import { SERVICE_ID, harness, targets, type Harness } from './harness';

/**
 * Request tracing through the management API: `listDebugCredentials` for the Echo
 * API, a gateway call with the token, `listTrace` with the trace id it answered.
 * Over the host, the gateway call goes to the same host over HTTP.
 */

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h?.close());

const credentialsFor = (body: unknown) => h.call('POST', '/gateways/managed/listDebugCredentials', { body });
const listTrace = (traceId: string) => h.call('POST', '/gateways/managed/listTrace', { body: { traceId } });

/** The Echo API without a key, with the debug token: status and response headers. */
async function callEcho(token: string): Promise<{ status: number; header: (name: string) => string | null }> {
  if (h.transport === 'host') {
    const response = await fetch(`${h.origin}/echo/resource?param1=sample`, { headers: { 'Apim-Debug-Authorization': token } });
    await response.arrayBuffer();
    return { status: response.status, header: (name) => response.headers.get(name) };
  }
  const gateway = createGateway({ catalog: h.store.view, forwarder: recordingForwarder(), debug: debugCredentialsFromEnv() });
  const answer = await gateway.handle(request('GET', 'http://localhost:7071/echo/resource?param1=sample', { 'Apim-Debug-Authorization': token }));
  const headers = new Headers(answer.headers as [string, string][]);
  return { status: answer.status, header: (name) => headers.get(name) };
}

describe('listDebugCredentials and listTrace', () => {
  it('a token for the Echo API traces its 401, and listTrace says why', async () => {
    const issued = await credentialsFor({ credentialsExpireAfter: 'PT1H', apiId: `${SERVICE_ID}/apis/echo-api`, purposes: ['tracing'] });
    expect(issued.status).toBe(200);
    expect(Object.keys(issued.json)).toEqual(['token']);
    const answer = await callEcho(issued.json.token);
    expect(answer.status).toBe(401);
    const traceId = answer.header('apim-trace-id');
    expect(traceId).toBeTruthy();
    const trace = await listTrace(traceId!);
    expect(trace.status).toBe(200);
    expect(trace.json.traceEntries.outbound[0].data).toMatchObject({ status: 401, outcome: 'keyMissing' });
    expect(trace.json.traceEntries.inbound[1].data).toMatchObject({ apiId: 'echo-api', operationId: 'retrieve-resource' });
  });

  it('takes a relative API id and no duration (an hour)', async () => {
    const issued = await credentialsFor({ apiId: '/apis/echo-api', purposes: ['tracing'] });
    expect(issued.status).toBe(200);
    expect((await callEcho(issued.json.token)).header('apim-trace-id')).toBeTruthy();
  });

  it('an unknown or changed trace id is a 404 ResourceNotFound', async () => {
    const missing = await listTrace('trc1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('ResourceNotFound');
    expect((await listTrace('not-a-trace')).status).toBe(404);
  });

  it('an API that does not exist is a 404', async () => {
    const result = await credentialsFor({ apiId: '/apis/no-such-api', purposes: ['tracing'] });
    expect(result.status).toBe(404);
    expect(result.json.error.code).toBe('ResourceNotFound');
  });

  it.each([
    [{ purposes: ['tracing'] }, 'apiId'],
    [{ apiId: '/apis/echo-api' }, 'purposes'],
    [{ apiId: '/apis/echo-api', purposes: [] }, 'purposes'],
    [{ apiId: '/apis/echo-api', purposes: ['debugging'] }, 'purposes[0]'],
    [{ apiId: '/apis/echo-api', purposes: ['tracing'], credentialsExpireAfter: 'PT2H' }, 'credentialsExpireAfter'],
    [{ apiId: '/apis/echo-api', purposes: ['tracing'], credentialsExpireAfter: 'PT0S' }, 'credentialsExpireAfter'],
    [{ apiId: '/apis/echo-api', purposes: ['tracing'], credentialsExpireAfter: 'an hour' }, 'credentialsExpireAfter'],
    [{ apiId: '/products/starter', purposes: ['tracing'] }, 'apiId'],
    [{ apiId: '/subscriptions/0/resourceGroups/rg/providers/Microsoft.ApiManagement/service/other/apis/echo-api', purposes: ['tracing'] }, 'apiId'],
  ])('%j is a 400 naming %s', async (body, target) => {
    const result = await credentialsFor(body);
    expect(result.status).toBe(400);
    expect(targets(result)).toEqual([target]);
  });

  it('listTrace without a traceId is a 400 naming it', async () => {
    const result = await h.call('POST', '/gateways/managed/listTrace', { body: {} });
    expect(result.status).toBe(400);
    expect(targets(result)).toEqual(['traceId']);
  });

  it('needs the management authorization like every other call', async () => {
    const result = await h.call('POST', '/gateways/managed/listDebugCredentials', { body: { apiId: '/apis/echo-api', purposes: ['tracing'] }, authorization: null });
    expect(result.status).toBe(401);
  });
});
