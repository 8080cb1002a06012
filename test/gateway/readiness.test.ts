import { describe, expect, it } from 'vitest';
import { CatalogIndex } from '../../src/catalog/catalogIndex';
import { serviceUnavailableResponse } from '../../src/apim/gatewayResponses';
import { createGateway, DEFAULT_START_WAIT_MS, type CatalogReadiness } from '../../src/gateway/pipeline';
import { api, bodyOf, headerList, operation, recordingForwarder, request, subscription } from './fixtures';

const KEY = 'readiness-key';
const ECHO = 'https://gw.test/echo/resource';
const withKey = () => request('GET', ECHO, { 'Ocp-Apim-Subscription-Key': KEY });

/** Fills `catalog` as a first load would. */
function load(catalog: CatalogIndex): void {
  catalog.putApi(api('echo-api', 'echo'));
  catalog.putOperation(operation('echo-api', 'get', 'GET', '/resource'));
  catalog.putSubscription(subscription('echo-sub', '/apis/echo-api', KEY));
}

/** A readiness source that records its waits and answers each with `outcome` (loading the catalog first when true). */
function readinessOf(catalog: CatalogIndex, outcome: 'ready' | 'loadsInTime' | 'neverReady' | 'rejects') {
  const waits: number[] = [];
  const source: { -readonly [K in keyof CatalogReadiness]: CatalogReadiness[K] } & { waits: number[] } = {
    waits,
    isReady: outcome === 'ready',
    async whenReady(timeoutMs) {
      waits.push(timeoutMs);
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (outcome === 'rejects') throw new Error('storage went away');
      if (outcome !== 'loadsInTime') return false;
      load(catalog);
      source.isReady = true;
      return true;
    },
  };
  return source;
}

describe('readiness: no request passes before the catalog is there', () => {
  it('ready: answers at once, without waiting (a 401 is the result itself, no promise)', async () => {
    const catalog = new CatalogIndex();
    load(catalog);
    const readiness = readinessOf(catalog, 'ready');
    const forwarder = recordingForwarder();
    const gateway = createGateway({ catalog, readiness, forwarder });
    const missing = gateway.handle(request('GET', ECHO));
    expect(missing).not.toBeInstanceOf(Promise);
    expect((await missing).status).toBe(401);
    expect((await gateway.handle(withKey())).status).toBe(200);
    expect(readiness.waits).toEqual([]);
  });

  it('becomes ready in time: the request waits, then is decided on the loaded catalog', async () => {
    const catalog = new CatalogIndex();
    const readiness = readinessOf(catalog, 'loadsInTime');
    const forwarder = recordingForwarder();
    const gateway = createGateway({ catalog, readiness, forwarder });
    const pending = gateway.handle(withKey());
    expect(pending).toBeInstanceOf(Promise);
    const answer = await pending;
    expect(answer.status).toBe(200);
    expect(answer.trace).toMatchObject({ outcome: 'forwarded', apiId: 'echo-api', subscriptionId: 'echo-sub' });
    expect(forwarder.calls).toHaveLength(1);
    expect(readiness.waits).toEqual([DEFAULT_START_WAIT_MS]);
    expect(DEFAULT_START_WAIT_MS).toBe(5000);
    // Ready from now on: no more waits.
    expect((await gateway.handle(request('GET', ECHO))).status).toBe(401);
    expect(readiness.waits).toHaveLength(1);
  });

  it.each(['neverReady', 'rejects'] as const)('%s: 503 Service Unavailable, for any key, and nothing forwarded', async (outcome) => {
    const catalog = new CatalogIndex();
    const readiness = readinessOf(catalog, outcome);
    const forwarder = recordingForwarder();
    const gateway = createGateway({ catalog, readiness, forwarder, startWaitMs: 250 });
    const expected = serviceUnavailableResponse();
    for (const r of [request('GET', ECHO), withKey(), request('GET', 'https://gw.test/nowhere')]) {
      const answer = await gateway.handle(r);
      expect(answer.status).toBe(503);
      expect(headerList(answer)).toEqual(expected.headers);
      expect((await bodyOf(answer)).toString()).toBe('{ "statusCode": 503, "message": "Service Unavailable" }');
      expect(answer.trace.outcome).toBe('catalogUnavailable');
    }
    expect(forwarder.calls).toEqual([]);
    expect(readiness.waits).toEqual([250, 250, 250]);
  });
});
