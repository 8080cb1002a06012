import { describe, expect, it } from 'vitest';
import {
  bandwidthQuotaResponse,
  callQuotaResponse,
  formatTimeSpan,
  internalErrorResponse,
  invalidKeyResponse,
  missingKeyResponse,
  notFoundResponse,
  rateLimitResponse,
  serviceUnavailableResponse,
  wwwAuthenticate,
  type ApimResponse,
} from '../../src/apim/gatewayResponses';

const header = (r: ApimResponse, name: string) =>
  r.headers.filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, v]) => v);

describe('APIM gateway error responses, byte for byte (docs/apim-behaviour.md#gateway-error-responses)', () => {
  it('401 missing key: exact body, 152 bytes, JSON without charset, WWW-Authenticate', () => {
    const r = missingKeyResponse('https://pratyay.azure-api.net/echo', 'Ocp-Apim-Subscription-Key');
    expect(r.status).toBe(401);
    expect(r.body.toString('utf8')).toBe(
      '{ "statusCode": 401, "message": "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API." }',
    );
    expect(r.body.length).toBe(152);
    expect(header(r, 'content-length')).toEqual(['152']);
    expect(header(r, 'content-type')).toEqual(['application/json']);
    expect(header(r, 'www-authenticate')).toEqual([
      'AzureApiManagementKey realm="https://pratyay.azure-api.net/echo",name="Ocp-Apim-Subscription-Key",type="header"',
    ]);
  });

  it('401 invalid key: exact body, 143 bytes, custom header name advertised', () => {
    const r = invalidKeyResponse('http://localhost:7071/orders', 'api-key');
    expect(r.status).toBe(401);
    expect(r.body.toString('utf8')).toBe(
      '{ "statusCode": 401, "message": "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription." }',
    );
    expect(r.body.length).toBe(143);
    expect(header(r, 'content-length')).toEqual(['143']);
    expect(header(r, 'www-authenticate')).toEqual([
      'AzureApiManagementKey realm="http://localhost:7071/orders",name="api-key",type="header"',
    ]);
  });

  it('404: exact body, 54 bytes, no WWW-Authenticate', () => {
    const r = notFoundResponse();
    expect(r.status).toBe(404);
    expect(r.body.toString('utf8')).toBe('{ "statusCode": 404, "message": "Resource not found" }');
    expect(header(r, 'content-length')).toEqual(['54']);
    expect(header(r, 'content-type')).toEqual(['application/json']);
    expect(header(r, 'www-authenticate')).toEqual([]);
  });

  it('bodies have no trailing newline and parse as JSON', () => {
    for (const r of [notFoundResponse(), missingKeyResponse('r', 'h'), invalidKeyResponse('r', 'h')]) {
      expect(r.body.at(-1)).toBe('}'.charCodeAt(0));
      expect(JSON.parse(r.body.toString('utf8')).statusCode).toBe(r.status);
    }
  });

  it('each call returns its own header list, so a caller may freeze or keep what it got', () => {
    const a = notFoundResponse();
    (a.headers as [string, string][]).push(['X-Extra', '1']);
    expect(notFoundResponse().headers).toHaveLength(2);
    const b = missingKeyResponse('r', 'h');
    Object.freeze(b.headers);
    expect(Object.isFrozen(missingKeyResponse('r', 'h').headers)).toBe(false);
  });

  it('WWW-Authenticate escapes quotes and backslashes so the realm cannot break out', () => {
    expect(wwwAuthenticate('https://a"b\\c/x', 'h')).toBe(
      'AzureApiManagementKey realm="https://a\\"b\\\\c/x",name="h",type="header"',
    );
  });

  it('500: APIM generic shape with the activity id, exact Content-Length', () => {
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
    const r = internalErrorResponse(id);
    expect(r.status).toBe(500);
    expect(r.body.toString('utf8')).toBe(
      `{ "statusCode": 500, "message": "Internal server error", "activityId": "${id}" }`,
    );
    expect(header(r, 'content-length')).toEqual([String(r.body.length)]);
    expect(r.body.length).toBe(111);
    expect(header(r, 'www-authenticate')).toEqual([]);
  });

  it('503 before the catalog is loaded: the reason phrase as message, 55 bytes, Retry-After', () => {
    const r = serviceUnavailableResponse();
    expect(r.status).toBe(503);
    expect(r.body.toString('utf8')).toBe('{ "statusCode": 503, "message": "Service Unavailable" }');
    expect(r.body.length).toBe(55);
    expect(header(r, 'content-length')).toEqual(['55']);
    expect(header(r, 'retry-after')).toEqual(['5']);
    expect(header(r, 'www-authenticate')).toEqual([]);
  });

  it('429: message and Retry-After carry the same whole seconds (84 bytes for 57)', () => {
    const r = rateLimitResponse(56.2);
    expect(r.status).toBe(429);
    expect(r.body.toString('utf8')).toBe(
      '{ "statusCode": 429, "message": "Rate limit is exceeded. Try again in 57 seconds." }',
    );
    expect(r.body.length).toBe(84);
    expect(header(r, 'retry-after')).toEqual(['57']);
    expect(header(r, 'content-length')).toEqual(['84']);
  });

  it('403 call quota: TimeSpan text, 100 bytes, Retry-After', () => {
    const r = callQuotaResponse(406);
    expect(r.status).toBe(403);
    expect(r.body.toString('utf8')).toBe(
      '{ "statusCode": 403, "message": "Out of call volume quota. Quota will be replenished in 00:06:46." }',
    );
    expect(r.body.length).toBe(100);
    expect(header(r, 'retry-after')).toEqual(['406']);
  });

  it('403 bandwidth quota: same shape', () => {
    expect(bandwidthQuotaResponse(2 * 86_400 + 13 * 3600 + 47 * 60 + 6).body.toString('utf8')).toBe(
      '{ "statusCode": 403, "message": "Out of bandwidth quota. Quota will be replenished in 2.13:47:06." }',
    );
  });

  it.each([
    [0, '00:00:00'],
    [59, '00:00:59'],
    [406, '00:06:46'],
    [86_399, '23:59:59'],
    [86_400, '1.00:00:00'],
    [2 * 86_400 + 13 * 3600 + 47 * 60 + 6, '2.13:47:06'],
  ])('formatTimeSpan(%i) = %s', (seconds, text) => {
    expect(formatTimeSpan(seconds)).toBe(text);
  });
});
