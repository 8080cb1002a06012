import { describe, expect, it } from 'vitest';
import { httpbin, titleCase } from '../../../src/lab/backends/httpbin';

const text = (body: unknown) => Buffer.from(body as Uint8Array).toString('utf8');
const header = (headers: unknown, name: string) => (headers as [string, string][]).find(([n]) => n === name)?.[1];
const get = (path: string, headers: Record<string, string> = {}, url = `http://lab.test/backend/httpbin/${path}`) =>
  httpbin({ method: 'GET', url, headers: new Headers(headers), body: null }, path);

describe('httpbin backend', () => {
  it('answers /headers with the request headers, capitalised as httpbin writes them, sorted, pretty', () => {
    const r = get('headers', { 'ocp-apim-subscription-key': 'k1', accept: '*/*', host: 'lab.test', 'x-b3-traceid': 'abc' });
    expect(r.status).toBe(200);
    expect(header(r.headers, 'content-type')).toBe('application/json');
    expect(header(r.headers, 'access-control-allow-origin')).toBe('*');
    const body = text(r.body);
    expect(body).toBe(
      '{\n  "headers": {\n    "Accept": "*/*",\n    "Host": "lab.test",\n    "Ocp-Apim-Subscription-Key": "k1",\n    "X-B3-Traceid": "abc"\n  }\n}\n',
    );
    expect(header(r.headers, 'content-length')).toBe(String(Buffer.byteLength(body)));
  });

  it('leaves out the hosting platform headers unless asked with show_env', () => {
    const headers = { 'x-forwarded-for': '203.0.113.9:5000', 'x-forwarded-proto': 'https', accept: 'a' };
    expect(JSON.parse(text(get('headers', headers).body))).toEqual({ headers: { Accept: 'a' } });
    const shown = get('headers', headers, 'http://lab.test/backend/httpbin/headers?show_env=1');
    expect(JSON.parse(text(shown.body)).headers).toEqual({ Accept: 'a', 'X-Forwarded-For': '203.0.113.9:5000', 'X-Forwarded-Proto': 'https' });
  });

  it('answers /ip with the first X-Forwarded-For entry without its port, else the peer', () => {
    expect(text(get('ip', { 'x-forwarded-for': '203.0.113.7:51234, 10.0.0.1:443' }).body)).toBe('{\n  "origin": "203.0.113.7"\n}\n');
    expect(JSON.parse(text(get('ip', { 'x-forwarded-for': '[2001:db8::1]:443' }).body))).toEqual({ origin: '2001:db8::1' });
    expect(JSON.parse(text(get('ip', { 'x-forwarded-for': '2001:db8::2' }).body))).toEqual({ origin: '2001:db8::2' });
    const peer = httpbin({ method: 'GET', url: '/backend/httpbin/ip', headers: new Headers(), body: null, remoteAddress: '192.0.2.4' }, 'ip');
    expect(JSON.parse(text(peer.body))).toEqual({ origin: '192.0.2.4' });
  });

  it('answers 404 for other paths, 405 for other methods, HEAD without a body', () => {
    expect(get('anything').status).toBe(404);
    const post = httpbin({ method: 'POST', url: '/backend/httpbin/ip', headers: new Headers(), body: null }, 'ip');
    expect(post.status).toBe(405);
    expect(header(post.headers, 'allow')).toBe('GET, HEAD, OPTIONS');
    const head = httpbin({ method: 'HEAD', url: '/backend/httpbin/ip', headers: new Headers(), body: null }, 'ip');
    expect(head.status).toBe(200);
    expect(head.body).toBeNull();
  });

  it('capitalises like Python str.title()', () => {
    expect(titleCase('x-ms-client-request-id')).toBe('X-Ms-Client-Request-Id');
    expect(titleCase('CONTENT-TYPE')).toBe('Content-Type');
    expect(titleCase('x-1a')).toBe('X-1A');
    expect(titleCase('dnt')).toBe('Dnt');
  });
});
