import { describe, expect, it } from 'vitest';
import { payloadTooLargeResponse } from '../../src/apim/gatewayResponses';
import { createGateway } from '../../src/gateway/pipeline';
import {
  DEFAULT_MAX_BODY_BYTES,
  MAX_BODY_SETTING,
  PLATFORM_MAX_BODY_BYTES,
  maxBodyBytesFromEnv,
} from '../../src/gateway/limitBody';
import { api, bodyOf, catalogOf, headerValues, operation, recordingForwarder, request, subscription } from './fixtures';

const KEY = 'key-of-the-echo-api';
const LIMIT = 16;

function setup(maxBodyBytes?: number) {
  const catalog = catalogOf({
    apis: [api('echo-api', 'echo')],
    operations: [operation('echo-api', 'post', 'POST', '/resource'), operation('echo-api', 'put', 'PUT', '/resource')],
    subscriptions: [subscription('echo-sub', '/apis/echo-api', KEY)],
  });
  const forwarder = recordingForwarder();
  return { forwarder, gateway: createGateway({ catalog, forwarder, maxBodyBytes }) };
}

const post = (bytes: number, headers: Record<string, string> = { 'Ocp-Apim-Subscription-Key': KEY }, url = 'https://gw.test/echo/resource') =>
  request('POST', url, headers, new Uint8Array(bytes).fill(0x61));

describe('413 for a body over the gateway limit', () => {
  it("answers APIM's one-line error with both sizes, and never calls the backend", async () => {
    const { gateway, forwarder } = setup(LIMIT);
    const r = await gateway.handle(post(LIMIT + 1));
    const body = `{ "statusCode": 413, "message": "Request's body is 17 bytes long and it exceeds the limit of 16 bytes." }`;
    expect(r.status).toBe(413);
    expect((await bodyOf(r)).toString()).toBe(body);
    expect(headerValues(r, 'content-type')).toEqual(['application/json']);
    expect(headerValues(r, 'content-length')).toEqual([String(Buffer.byteLength(body))]);
    expect(headerValues(r, 'www-authenticate')).toEqual([]);
    expect(forwarder.calls).toHaveLength(0);
    expect(r.trace).toMatchObject({ outcome: 'bodyTooLarge', apiId: 'echo-api', operationId: 'post', subscriptionId: 'echo-sub' });
  });

  it('forwards a body of exactly the limit, byte for byte', async () => {
    const { gateway, forwarder } = setup(LIMIT);
    const r = await gateway.handle(post(LIMIT));
    expect(r.status).toBe(200);
    expect(forwarder.calls).toHaveLength(1);
    expect(Buffer.from(forwarder.calls[0]!.body!).toString()).toBe('a'.repeat(LIMIT));
  });

  it('checks the key first: no key is a 401, an unknown path a 404, whatever the body size', async () => {
    const { gateway, forwarder } = setup(LIMIT);
    expect((await gateway.handle(post(LIMIT * 100, {}))).status).toBe(401);
    expect((await gateway.handle(post(LIMIT * 100, { 'Ocp-Apim-Subscription-Key': 'wrong' }))).status).toBe(401);
    expect((await gateway.handle(post(LIMIT * 100, { 'Ocp-Apim-Subscription-Key': KEY }, 'https://gw.test/nowhere'))).status).toBe(404);
    expect(forwarder.calls).toHaveLength(0);
  });

  it('a body the host did not hand on (over the limit) is measured by its Content-Length, still after the key check', async () => {
    const { gateway, forwarder } = setup(LIMIT);
    const announced = (headers: Record<string, string>, url = 'https://gw.test/echo/resource') => request('POST', url, { 'Content-Length': String(LIMIT * 1000), ...headers }, null);
    const r = await gateway.handle(announced({ 'Ocp-Apim-Subscription-Key': KEY }));
    expect(r.status).toBe(413);
    expect((await bodyOf(r)).toString()).toBe(`{ "statusCode": 413, "message": "Request's body is 16000 bytes long and it exceeds the limit of 16 bytes." }`);
    expect((await gateway.handle(announced({}))).status).toBe(401);
    expect((await gateway.handle(announced({ 'Ocp-Apim-Subscription-Key': 'wrong' }))).status).toBe(401);
    expect((await gateway.handle(announced({ 'Ocp-Apim-Subscription-Key': KEY }, 'https://gw.test/nowhere'))).status).toBe(404);
    // An announcement within the limit, or not a length, is no reason to refuse.
    expect((await gateway.handle(request('POST', 'https://gw.test/echo/resource', { 'Ocp-Apim-Subscription-Key': KEY, 'Content-Length': String(LIMIT) }, null))).status).toBe(200);
    expect((await gateway.handle(request('POST', 'https://gw.test/echo/resource', { 'Ocp-Apim-Subscription-Key': KEY, 'Content-Length': '1e9' }, null))).status).toBe(200);
    expect(forwarder.calls).toHaveLength(2);
  });

  it('a limit of 0 forwards only bodiless calls', async () => {
    const { gateway, forwarder } = setup(0);
    expect((await gateway.handle(post(1))).status).toBe(413);
    const empty = request('PUT', 'https://gw.test/echo/resource', { 'Ocp-Apim-Subscription-Key': KEY }, null);
    expect((await gateway.handle(empty)).status).toBe(200);
    expect(forwarder.calls).toHaveLength(1);
  });

  it('defaults to 64 MiB', async () => {
    const { gateway, forwarder } = setup();
    expect(DEFAULT_MAX_BODY_BYTES).toBe(67_108_864);
    expect((await gateway.handle(post(DEFAULT_MAX_BODY_BYTES + 1))).status).toBe(413);
    expect((await gateway.handle(post(DEFAULT_MAX_BODY_BYTES))).status).toBe(200);
    expect(forwarder.calls).toHaveLength(1);
  });

  it('builds the response from the sizes alone', () => {
    const r = payloadTooLargeResponse(104_857_600, 67_108_864);
    expect(r.body.toString()).toBe(
      `{ "statusCode": 413, "message": "Request's body is 104857600 bytes long and it exceeds the limit of 67108864 bytes." }`,
    );
    expect(r.headers).toEqual([
      ['Content-Type', 'application/json'],
      ['Content-Length', String(r.body.length)],
    ]);
  });
});

describe(`${MAX_BODY_SETTING}`, () => {
  it('defaults when unset or blank', () => {
    expect(maxBodyBytesFromEnv({})).toBe(DEFAULT_MAX_BODY_BYTES);
    expect(maxBodyBytesFromEnv({ [MAX_BODY_SETTING]: '  ' })).toBe(DEFAULT_MAX_BODY_BYTES);
  });

  it('takes whole numbers of bytes up to the platform limit', () => {
    expect(maxBodyBytesFromEnv({ [MAX_BODY_SETTING]: '0' })).toBe(0);
    expect(maxBodyBytesFromEnv({ [MAX_BODY_SETTING]: ' 1048576 ' })).toBe(1_048_576);
    expect(maxBodyBytesFromEnv({ [MAX_BODY_SETTING]: String(PLATFORM_MAX_BODY_BYTES) })).toBe(PLATFORM_MAX_BODY_BYTES);
  });

  it.each(['-1', '1.5', '1e6', '10MB', '0x10', String(PLATFORM_MAX_BODY_BYTES + 1), '9'.repeat(30)])(
    'refuses %s with a message naming the setting and the range',
    (value) => {
      expect(() => maxBodyBytesFromEnv({ [MAX_BODY_SETTING]: value })).toThrow(
        /^GATEWAY_MAX_BODY_BYTES must be a whole number of bytes from 0 to 104857600 \(the Functions host's own limit\); got "/,
      );
    },
  );
});
