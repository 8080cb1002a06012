import type { BindingMetadata } from './coreApi';
import type { CapturedFunction } from './functionsCore';
import { RouteTable, type HttpRouteSpec } from './routing/routeTable';

/** A registered function as the local host reports it (banner, API). */
export interface RegisteredFunction {
  name: string;
  /** The trigger binding type, e.g. `httpTrigger`. */
  trigger: string;
  /** HTTP methods, upper-case; empty means any method. Empty for other triggers. */
  methods: string[];
  /** Full route template, route prefix included (HTTP triggers only). */
  route?: string;
  /** False for triggers the local host does not run (timers, queues...). */
  runnable: boolean;
}

/** What a route leads to: the function and the name of its trigger binding. */
export interface HttpTarget {
  fn: CapturedFunction;
  bindingName: string;
}

export interface AppFunctions {
  functions: RegisteredFunction[];
  routes: RouteTable<HttpTarget>;
  /** Things the app declares that the local host does not provide. */
  warnings: string[];
}

/**
 * Turns the captured registrations into the route table (which throws on routes
 * the host refuses) and the function list, in routing order.
 */
export function describeFunctions(captured: Iterable<CapturedFunction>, routePrefix: string): AppFunctions {
  const specs: HttpRouteSpec<HttpTarget>[] = [];
  const others: RegisteredFunction[] = [];
  const warnings: string[] = [];

  for (const fn of captured) {
    const { name, bindings } = fn.metadata;
    const trigger = Object.entries(bindings).find(([, binding]) => /trigger$/i.test(binding.type));
    if (!trigger) {
      warnings.push(`Function "${name}" has no trigger binding and cannot run.`);
      continue;
    }
    const [bindingName, binding] = trigger;
    for (const [otherName, other] of Object.entries(bindings)) {
      if (otherName === bindingName || isHttpReturn(otherName, other)) continue;
      warnings.push(`Function "${name}": the ${other.direction} binding "${otherName}" (${other.type}) is not provided by the local host.`);
    }
    if (binding.type.toLowerCase() !== 'httptrigger') {
      others.push({ name, trigger: binding.type, methods: [], runnable: false });
      warnings.push(`Function "${name}" has a ${binding.type}, which the local host does not run.`);
      continue;
    }
    const methods = (binding.methods ?? []).map((method) => String(method).toUpperCase());
    const route = typeof binding.route === 'string' ? binding.route : undefined;
    specs.push({ functionName: name, route, methods, target: { fn, bindingName } });
  }

  const routes = new RouteTable(specs, routePrefix);
  const functions: RegisteredFunction[] = [
    ...routes.entries.map((entry) => ({
      name: entry.functionName,
      trigger: 'httpTrigger',
      methods: [...entry.methods],
      route: entry.template.text,
      runnable: true,
    })),
    ...others,
  ];
  return { functions, routes, warnings };
}

function isHttpReturn(name: string, binding: BindingMetadata): boolean {
  return name === '$return' && binding.type.toLowerCase() === 'http';
}
