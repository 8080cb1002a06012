import { describe, expect, it } from 'vitest';
import { compileTemplate, matchTemplate, pathSegments } from '../../src/gateway/urlTemplate';

const match = (template: string, path: string, query?: string) =>
  matchTemplate(compileTemplate(template), pathSegments(path), query === undefined ? null : new URLSearchParams(query));

describe('URL templates', () => {
  it('binds path, mixed-segment, wildcard and query parameters', () => {
    expect(match('/users/{id}', '/users/42')).toEqual({ id: '42' });
    expect(match('/files/{name}.{ext}', '/files/a.b.json')).toEqual({ name: 'a', ext: 'b.json' });
    expect(match('/static/{*path}', '/static/css/site%20x.css')).toEqual({ path: 'css/site x.css' });
    expect(match('/search?q={q}&page={page}', '/search', 'page=2&q=x')).toEqual({ q: 'x', page: '2' });
  });

  it('literal segments and query values are case-insensitive and compared decoded', () => {
    expect(match('/Resource', '/rESOURCE')).toEqual({});
    expect(match('/my resource', '/my%20Resource')).toEqual({});
    expect(match('/?soapAction=urn:Get', '/', 'SoapAction=URN%3Aget')).toEqual({});
  });

  it('takes a malformed template literally instead of throwing', () => {
    expect(match('/a{b', '/a{b')).toEqual({});
    expect(match('/a{b', '/ab')).toBeUndefined();
    expect(match('/{x}}', '/{x}}')).toEqual({});
  });

  it('a wildcard not in last place is a literal', () => {
    expect(match('/*/x', '/*/x')).toEqual({});
    expect(match('/*/x', '/a/x')).toBeUndefined();
  });

  it('ranks literal over mixed over param, and plain over wildcard', () => {
    const rank = (t: string) => compileTemplate(t).specificity;
    expect(rank('/users/me')).toEqual([2, 0, 1, 0, 0]);
    expect(rank('/users/{id}.json')).toEqual([1, 1, 1, 0, 0]);
    expect(rank('/users/{id}')).toEqual([1, 0, 1, 0, -1]);
    expect(rank('/users/*')).toEqual([1, 0, 0, 0, 0]);
    expect(rank('/?soapAction=a')).toEqual([0, 0, 1, 1, 0]);
  });
});
