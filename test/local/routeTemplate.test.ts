import { describe, expect, it } from 'vitest';
import { matchTemplate } from '../../src/local/routing/matchTemplate';
import { parseRouteTemplate } from '../../src/local/routing/template';

const match = (template: string, path: string) => matchTemplate(parseRouteTemplate(template), path);

describe('parseRouteTemplate', () => {
  it('parses literals, parameters, constraints, defaults and catch-alls', () => {
    const template = parseRouteTemplate('api/items/{id:int:min(1)}/{name=x}/{*rest}');
    expect(template.segments).toHaveLength(5);
    expect(template.parameters.map((p) => [p.name, p.catchAll, p.optional, p.defaultValue, p.constraints.map((c) => c.text)])).toEqual([
      ['id', false, false, undefined, ['int', 'min(1)']],
      ['name', false, false, 'x', []],
      ['rest', true, false, undefined, []],
    ]);
  });

  it('keeps regex arguments whole, with doubled braces unescaped', () => {
    const [parameter] = parseRouteTemplate('codes/{code:regex(^\\d{{3}}-[a-z]:x$)}').parameters;
    expect(parameter?.constraints[0]?.text).toBe('regex(^\\d{3}-[a-z]:x$)');
    expect(match('codes/{code:regex(^\\d{{3}}$)}', '/codes/123')).toEqual({ code: '123' });
    expect(match('codes/{code:regex(^\\d{{3}}$)}', '/codes/1234')).toBeUndefined();
  });

  it.each([
    ['a//b', /empty segment/],
    ['{a}{b}', /two consecutive parameters/],
    ['{*rest}/more', /catch-all/],
    ['x{*rest}', /catch-all/],
    ['{*rest?}', /cannot be optional/],
    ['{a=1?}', /cannot have a default/],
    ['{a?}.{b}', /end of its segment/],
    ['{a}-{b?}', /only a period/],
    ['{a}/{A}', /more than once/],
    ['{id:nonsense}', /not known/],
    ['{id:min(x)}', /integer argument/],
    ['{id:regex(()}', /invalid regular expression/],
    ['a?b', /"\?" in a literal/],
    ['{a', /without its/],
    ['a}', /unmatched/],
  ])('refuses %s', (template, message) => {
    expect(() => parseRouteTemplate(template)).toThrow(message);
  });
});

describe('matchTemplate', () => {
  it('matches literals ignoring case and ignores one trailing slash', () => {
    expect(match('Things/Special', '/things/SPECIAL')).toEqual({});
    expect(match('things/special', '/things/special/')).toEqual({});
    expect(match('things/special', '/things/special//')).toBeUndefined();
    expect(match('things/special', '/things//special')).toBeUndefined();
    expect(match('things/special', '/things/specials')).toBeUndefined();
    expect(match('things', '/things/special')).toBeUndefined();
  });

  it('matches the root only with an empty template or optional values', () => {
    expect(match('', '/')).toEqual({});
    expect(match('', '/x')).toBeUndefined();
    expect(match('{a?}', '/')).toEqual({});
    expect(match('{a}', '/')).toBeUndefined();
  });

  it('gives catch-alls the rest of the path, trailing slash included, or nothing', () => {
    expect(match('files/{*path}', '/files/a/b/c.txt')).toEqual({ path: 'a/b/c.txt' });
    expect(match('files/{*path}', '/files/a/b/')).toEqual({ path: 'a/b/' });
    expect(match('files/{*path}', '/files')).toEqual({});
    expect(match('files/{*path}', '/files/')).toEqual({});
    expect(match('files/{**path}', '/files/x')).toEqual({ path: 'x' });
    expect(match('files/{*path=none}', '/files')).toEqual({ path: 'none' });
    expect(match('{*all}', '/')).toEqual({});
    expect(match('files/{*path}', '/other/a')).toBeUndefined();
  });

  it('leaves optional values absent and fills defaults', () => {
    expect(match('opt/{a}/{b?}', '/opt/x')).toEqual({ a: 'x' });
    expect(match('opt/{a}/{b?}', '/opt/x/y')).toEqual({ a: 'x', b: 'y' });
    expect(match('opt/{a}/{b?}', '/opt')).toBeUndefined();
    expect(match('def/{v=hello}', '/def')).toEqual({ v: 'hello' });
    expect(match('def/{v=hello}', '/def/w')).toEqual({ v: 'w' });
  });

  it('applies int, long, alpha, bool and guid as .NET parses them', () => {
    expect(match('{id:int}', '/42')).toEqual({ id: '42' });
    expect(match('{id:int}', '/-2147483648')).toEqual({ id: '-2147483648' });
    expect(match('{id:int}', '/+7')).toEqual({ id: '+7' });
    expect(match('{id:int}', '/2147483648')).toBeUndefined();
    expect(match('{id:int}', '/4.5')).toBeUndefined();
    expect(match('{id:int}', '/abc')).toBeUndefined();
    expect(match('{id:long}', '/2147483648')).toEqual({ id: '2147483648' });
    expect(match('{w:alpha}', '/AbC')).toEqual({ w: 'AbC' });
    expect(match('{w:alpha}', '/ab1')).toBeUndefined();
    expect(match('{b:bool}', '/TRUE')).toEqual({ b: 'TRUE' });
    expect(match('{b:bool}', '/yes')).toBeUndefined();
    const guid = '0f8fad5b-d9cb-469f-a165-70867728950e';
    for (const form of [guid, guid.replace(/-/g, ''), `{${guid}}`, `(${guid})`, guid.toUpperCase()]) {
      expect(match('{id:guid}', `/${form}`)).toEqual({ id: form });
    }
    expect(match('{id:guid}', '/0f8fad5b-d9cb-469f-a165')).toBeUndefined();
  });

  it('applies ranges, lengths and regex, and skips constraints of absent optional values', () => {
    expect(match('{n:range(1,10)}', '/10')).toEqual({ n: '10' });
    expect(match('{n:range(1,10)}', '/11')).toBeUndefined();
    expect(match('{n:min(5)}', '/4')).toBeUndefined();
    expect(match('{n:max(5)}', '/x')).toBeUndefined();
    expect(match('{s:length(2,3)}', '/abcd')).toBeUndefined();
    expect(match('{s:minlength(2)}', '/ab')).toEqual({ s: 'ab' });
    expect(match('{s:regex(^a+$)}', '/AAA')).toEqual({ s: 'AAA' });
    expect(match('x/{id:int?}', '/x')).toEqual({});
    expect(match('x/{id:int?}', '/x/y')).toBeUndefined();
    expect(match('x/{id:int=abc}', '/x')).toBeUndefined();
  });

  it('matches complex segments right to left', () => {
    expect(match('download/{name}.{ext?}', '/download/report.final.pdf')).toEqual({ name: 'report.final', ext: 'pdf' });
    expect(match('download/{name}.{ext?}', '/download/report')).toEqual({ name: 'report' });
    expect(match('download/{name}.{ext?}', '/download/report.')).toBeUndefined();
    expect(match('{a}-{b}', '/x-y-z')).toEqual({ a: 'x-y', b: 'z' });
    expect(match('v{major}', '/V2')).toEqual({ major: '2' });
    expect(match('v{major}', '/xv2')).toBeUndefined();
    expect(match('{n}px', '/12PX')).toEqual({ n: '12' });
    expect(match('{n}px', '/12pxx')).toBeUndefined();
    expect(match('{a}-{b}', '/-y')).toBeUndefined();
  });
});
