import { compareIgnoreCase, equalsIgnoreCase } from './caseFold';
import { matchTemplate, type RouteValues } from './matchTemplate';
import { parseRouteTemplate, type RouteTemplate } from './template';

/** One HTTP-triggered function as the router sees it. */
export interface HttpRouteSpec<T> {
  functionName: string;
  /** As registered (`route` option), or undefined to use the function name. */
  route: string | undefined;
  /** Upper-case methods; empty means any method. */
  methods: readonly string[];
  target: T;
}

export interface RouteEntry<T> {
  functionName: string;
  /** The full template, route prefix included, e.g. `api/items/{id:int}`. */
  template: RouteTemplate;
  methods: readonly string[];
  target: T;
}

export interface RouteMatch<T> {
  entry: RouteEntry<T>;
  params: RouteValues;
}

/**
 * The host's HTTP routing: one route per function, tried in case-insensitive
 * order of function name, first match wins; a method mismatch moves on to the
 * next route. Built once at startup, refusing what the host refuses.
 */
export class RouteTable<T> {
  readonly entries: readonly RouteEntry<T>[];

  constructor(specs: readonly HttpRouteSpec<T>[], routePrefix: string) {
    const entries: RouteEntry<T>[] = [];
    for (const spec of [...specs].sort((a, b) => compareIgnoreCase(a.functionName, b.functionName))) {
      const route = (spec.route || spec.functionName).replace(/^\/+/, '');
      if (spec.route && isReservedRoute(route)) {
        throw new Error(
          `Function "${spec.functionName}": the route "${spec.route}" conflicts with one or more built in routes ` +
            `(the host reserves routes starting with "admin" or "runtime").`,
        );
      }
      const text = routePrefix ? (route ? `${routePrefix}/${route}` : routePrefix) : route;
      let template: RouteTemplate;
      try {
        template = parseRouteTemplate(text);
      } catch (err) {
        throw new Error(`Function "${spec.functionName}": ${(err as Error).message}`);
      }
      const clash = entries.find((entry) => equalsIgnoreCase(entry.template.text, text) && methodsOverlap(entry.methods, spec.methods));
      if (clash) {
        throw new Error(`Function "${spec.functionName}": the route "${text}" conflicts with the route defined by function "${clash.functionName}".`);
      }
      entries.push({ functionName: spec.functionName, template, methods: spec.methods, target: spec.target });
    }
    this.entries = entries;
  }

  /** The first route (in name order) whose template, constraints and method accept the request. */
  match(method: string, path: string): RouteMatch<T> | undefined {
    const upper = method.toUpperCase();
    for (const entry of this.entries) {
      if (entry.methods.length > 0 && !entry.methods.includes(upper)) continue;
      const params = matchTemplate(entry.template, path);
      if (params) return { entry, params };
    }
    return undefined;
  }
}

/** The host's check is a plain prefix test: `administration/x` is refused too. */
export function isReservedRoute(route: string): boolean {
  return /^(admin|runtime)/i.test(route);
}

function methodsOverlap(a: readonly string[], b: readonly string[]): boolean {
  return a.length === 0 || b.length === 0 || a.some((method) => b.includes(method));
}
