import { describe, expect, it } from 'vitest';
import { parseSetCookie, toHttpResponse } from '../../src/functions/lib/http';

describe('Functions response adapter', () => {
  it('moves every Set-Cookie into the cookies list and keeps other headers', () => {
    const headers = new Headers([['content-type', 'text/plain'], ['x-a', '1']]);
    headers.append('set-cookie', 'a=1; Path=/; HttpOnly');
    headers.append('set-cookie', 'b=2; Max-Age=60; SameSite=lax; Secure; Domain=example.com');
    const init = toHttpResponse({ status: 201, headers, body: new Uint8Array([1, 2]) });
    expect(init.status).toBe(201);
    expect(init.headers).toEqual([['content-type', 'text/plain'], ['x-a', '1']]);
    expect(init.cookies).toEqual([
      { name: 'a', value: '1', path: '/', httpOnly: true },
      { name: 'b', value: '2', maxAge: 60, sameSite: 'Lax', secure: true, domain: 'example.com' },
    ]);
    expect(init.body).toEqual(new Uint8Array([1, 2]));
  });

  it('keeps a header list as given and leaves out an absent body', () => {
    const init = toHttpResponse({ status: 404, headers: [['Content-Type', 'application/json']], body: null });
    expect(init).toEqual({ status: 404, headers: [['Content-Type', 'application/json']] });
  });

  it('parses expiry dates and refuses values without a name', () => {
    expect((parseSetCookie('s=v; Expires=Wed, 21 Oct 2015 07:28:00 GMT')?.expires as Date | undefined)?.toISOString()).toBe('2015-10-21T07:28:00.000Z');
    expect(parseSetCookie('=nameless')).toBeUndefined();
    expect(parseSetCookie('garbage')).toBeUndefined();
  });
});
