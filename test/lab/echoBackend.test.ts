import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { echo } from '../../src/lab/echoBackend';

type HeaderList = ReadonlyArray<readonly [string, string]>;
const isList = (headers: Headers | HeaderList): headers is HeaderList => Array.isArray(headers);
const list = (headers: Headers | HeaderList): HeaderList => (isList(headers) ? headers : [...headers]);
const names = (headers: Headers | HeaderList) => list(headers).map(([n]) => n.toLowerCase());

describe('Echo API backend', () => {
  it('returns 200 and the body byte for byte under the request Content-Type', () => {
    const body = randomBytes(4096);
    const r = echo({ method: 'POST', headers: new Headers({ 'Content-Type': 'application/x-custom' }), body });
    expect(r.status).toBe(200);
    expect(Buffer.from(r.body as Uint8Array).equals(body)).toBe(true);
    expect(list(r.headers)).toContainEqual(['content-type', 'application/x-custom']);
    expect(list(r.headers)).toContainEqual(['content-length', '4096']);
  });

  it('copies every request header except hop-by-hop, Host and Content-Length', () => {
    const r = echo({
      method: 'PUT',
      headers: new Headers([
        ['Host', 'gw.test'],
        ['Content-Length', '3'],
        ['Connection', 'keep-alive, X-Hop'],
        ['X-Hop', '1'],
        ['Keep-Alive', 'timeout=5'],
        ['Transfer-Encoding', 'chunked'],
        ['TE', 'trailers'],
        ['Upgrade', 'h2c'],
        ['Proxy-Authorization', 'Basic x'],
        ['Ocp-Apim-Subscription-Key', 'k1'],
        ['X-Forwarded-For', '203.0.113.7'],
        ['Accept', 'application/json'],
      ]),
      body: new Uint8Array([1, 2, 3]),
    });
    expect(list(r.headers)).toEqual([
      ['accept', 'application/json'],
      ['ocp-apim-subscription-key', 'k1'],
      ['x-forwarded-for', '203.0.113.7'],
      ['content-length', '3'],
      ['x-content-type-options', 'nosniff'],
      ['content-security-policy', 'sandbox'],
    ]);
  });

  it('HEAD: same headers, no body', () => {
    const r = echo({ method: 'HEAD', headers: new Headers({ 'X-A': '1' }), body: null });
    expect(r.status).toBe(200);
    expect(r.body).toBeNull();
    expect(names(r.headers)).toEqual(['x-a', 'x-content-type-options', 'content-security-policy']);
  });

  it('no request body: empty body, Content-Length 0', () => {
    const r = echo({ method: 'GET', headers: new Headers(), body: null });
    expect((r.body as Uint8Array).length).toBe(0);
    expect(list(r.headers)).toEqual([
      ['content-length', '0'],
      ['x-content-type-options', 'nosniff'],
      ['content-security-policy', 'sandbox'],
    ]);
  });

  it('is never a document of the gateway origin: nosniff and a sandbox, whatever the caller sends', () => {
    const page = new TextEncoder().encode('<script>parent.stolen = sessionStorage</script>');
    const r = echo({
      method: 'POST',
      headers: new Headers({ 'Content-Type': 'text/html', 'Content-Security-Policy': "script-src 'unsafe-inline'", 'X-Content-Type-Options': 'sniff' }),
      body: page,
    });
    expect(list(r.headers)).toContainEqual(['content-type', 'text/html']);
    expect(list(r.headers).filter(([n]) => n === 'content-security-policy')).toEqual([['content-security-policy', 'sandbox']]);
    expect(list(r.headers).filter(([n]) => n === 'x-content-type-options')).toEqual([['x-content-type-options', 'nosniff']]);
  });
});
