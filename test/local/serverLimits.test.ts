import { describe, expect, it } from 'vitest';
import { BodyBudget } from '../../src/local/http/bodyBudget';
import { isValidHostHeader } from '../../src/local/http/hostHeader';
import { serverLimitsFromEnv } from '../../src/local/http/serverLimits';

describe('server limit settings', () => {
  it('has documented defaults', () => {
    expect(serverLimitsFromEnv({})).toEqual({
      headersTimeoutMs: 30_000,
      requestTimeoutMs: 60_000,
      keepAliveTimeoutMs: 5_000,
      maxConnections: 1_000,
      maxBodyBytesInFlight: 134_217_728,
    });
  });

  it.each([
    ['LOCAL_HOST_MAX_CONNECTIONS', '0'],
    ['LOCAL_HOST_MAX_CONNECTIONS', 'lots'],
    ['LOCAL_HOST_REQUEST_TIMEOUT_MS', '5s'],
    ['LOCAL_HOST_MAX_BODY_BYTES_IN_FLIGHT', '-1'],
  ])('refuses %s=%j, naming the setting', (name, value) => {
    expect(() => serverLimitsFromEnv({ [name]: value })).toThrow(new RegExp(`^${name} must be`));
  });

  it('refuses a headers timeout longer than the request timeout', () => {
    expect(() => serverLimitsFromEnv({ LOCAL_HOST_HEADERS_TIMEOUT_MS: '5000', LOCAL_HOST_REQUEST_TIMEOUT_MS: '1000' })).toThrow(/must not exceed/);
  });
});

describe('body bytes in flight', () => {
  it('holds bodies up to its capacity and gives their room back once, on release', () => {
    const budget = new BodyBudget(100);
    const a = budget.reserve(60)!;
    expect(budget.reserve(41)).toBeUndefined();
    const b = budget.reserve(40)!;
    expect(budget.inFlight).toBe(100);
    a();
    a();
    expect(budget.inFlight).toBe(40);
    b();
    expect(budget.reserve(0)).toBeDefined();
    expect(budget.inFlight).toBe(0);
  });
});

describe('Host header', () => {
  it.each(['localhost', 'localhost:7071', '127.0.0.1:80', '[::1]:7071', 'apim-lab.azurewebsites.net', 'a_b.example'])('accepts %j', (value) => {
    expect(isValidHostHeader(value)).toBe(true);
  });

  it.each(['localhost:7391/echo/resource?x=', 'user@host', 'a b', 'host:port', 'host:123456', '', 'h\\x', '[::1'])('refuses %j', (value) => {
    expect(isValidHostHeader(value)).toBe(false);
  });
});
