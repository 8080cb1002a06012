import { describe, expect, it } from 'vitest';
import { isReservedRoute, RouteTable, type HttpRouteSpec } from '../../src/local/routing/routeTable';

const spec = (functionName: string, route: string | undefined, methods: string[] = ['GET']): HttpRouteSpec<string> => ({
  functionName,
  route,
  methods,
  target: functionName,
});

const winner = (table: RouteTable<string>, method: string, path: string) => table.match(method, path)?.entry.functionName;

describe('RouteTable', () => {
  it('tries routes in case-insensitive order of function name, first match wins', () => {
    const table = new RouteTable([spec('zzCatchAll', '{*rest}'), spec('aaSpecific', 'things/special'), spec('Mid', 'things/{x}')], '');
    expect(table.entries.map((entry) => entry.functionName)).toEqual(['aaSpecific', 'Mid', 'zzCatchAll']);
    expect(winner(table, 'GET', '/things/special')).toBe('aaSpecific');
    expect(winner(table, 'GET', '/things/other')).toBe('Mid');
    expect(winner(table, 'GET', '/elsewhere')).toBe('zzCatchAll');
  });

  it('lets an earlier catch-all swallow a later, more specific route', () => {
    const table = new RouteTable([spec('filesSpecial', 'files/special'), spec('filesCatchAll', 'files/{*path}')], '');
    expect(winner(table, 'GET', '/files/special')).toBe('filesCatchAll');
  });

  it('falls through to the next route on a method mismatch; no methods means any', () => {
    const table = new RouteTable([spec('b', 'x', ['POST']), spec('a', 'x', ['GET']), spec('c', 'y', [])], '');
    expect(winner(table, 'get', '/x')).toBe('a');
    expect(winner(table, 'POST', '/x')).toBe('b');
    expect(winner(table, 'PUT', '/x')).toBeUndefined();
    expect(winner(table, 'DELETE', '/y')).toBe('c');
  });

  it('puts the route prefix in front, and uses the function name when there is no route', () => {
    const table = new RouteTable([spec('Hello', undefined), spec('root', '')], 'api');
    expect(table.entries.map((entry) => entry.template.text)).toEqual(['api/Hello', 'api/root']);
    expect(winner(table, 'GET', '/api/hello')).toBe('Hello');
    expect(winner(table, 'GET', '/hello')).toBeUndefined();
  });

  it.each(['admin/things', 'Administration/x', 'runtime/webhooks', '/admin'])('refuses the reserved route %s', (route) => {
    expect(() => new RouteTable([spec('f', route)], '')).toThrow(/conflicts with one or more built in routes/);
  });

  it('refuses the same route with overlapping methods, names the other function', () => {
    expect(() => new RouteTable([spec('one', 'x', ['GET', 'POST']), spec('two', 'X', ['POST'])], '')).toThrow(/conflicts with the route defined by function "one"/);
    expect(() => new RouteTable([spec('one', 'x', ['GET']), spec('two', 'x', ['POST'])], '')).not.toThrow();
  });

  it('names the function whose template is invalid', () => {
    expect(() => new RouteTable([spec('broken', 'items/{id:nonsense}')], '')).toThrow(/Function "broken".*nonsense/);
  });

  it('checks the reserved prefix as plain text', () => {
    expect(isReservedRoute('administration')).toBe(true);
    expect(isReservedRoute('RUNTIME')).toBe(true);
    expect(isReservedRoute('my/admin')).toBe(false);
  });
});
