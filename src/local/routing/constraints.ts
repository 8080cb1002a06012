/** An inline route constraint such as `int` or `range(1,10)`, applied to a route value. */
export interface RouteConstraint {
  /** As written in the template, e.g. `min(1)`. */
  readonly text: string;
  test(value: string): boolean;
}

type Factory = (args: string[], raw: string) => (value: string) => boolean;

const INT32: [bigint, bigint] = [-(2n ** 31n), 2n ** 31n - 1n];
const INT64: [bigint, bigint] = [-(2n ** 63n), 2n ** 63n - 1n];

/**
 * The ASP.NET Core constraints the Functions host resolves (names are
 * case-insensitive). Parsing follows .NET's invariant-culture rules where they are
 * simple (integers, booleans, GUIDs); `decimal`, `double`, `float` and `datetime`
 * are close approximations of .NET's number and date parsers.
 */
const FACTORIES: Record<string, Factory> = {
  int: noArgs(() => (value) => parseInteger(value, INT32) !== undefined),
  long: noArgs(() => (value) => parseInteger(value, INT64) !== undefined),
  bool: noArgs(() => (value) => /^\s*(true|false)\s*$/i.test(value)),
  alpha: noArgs(() => (value) => /^[a-z]*$/i.test(value)),
  guid: noArgs(() => isGuid),
  decimal: noArgs(() => (value) => /^\s*[+-]?(?=[\d,]*\.?\d)[\d,]*(\.\d*)?\s*$/.test(value)),
  double: noArgs(() => isFloat),
  float: noArgs(() => isFloat),
  datetime: noArgs(() => (value) => value.trim() !== '' && !Number.isNaN(Date.parse(value))),
  required: noArgs(() => (value) => value !== ''),
  file: noArgs(() => isFileName),
  nonfile: noArgs(() => (value) => !isFileName(value)),
  minlength: (args, raw) => {
    const [min] = integerArgs(args, 1, raw);
    return (value) => value.length >= Number(min);
  },
  maxlength: (args, raw) => {
    const [max] = integerArgs(args, 1, raw);
    return (value) => value.length <= Number(max);
  },
  length: (args, raw) => {
    const [min, max = min] = integerArgs(args, args.length === 2 ? 2 : 1, raw).map(Number) as [number, number?];
    return (value) => value.length >= min && value.length <= max;
  },
  min: (args, raw) => {
    const [min] = integerArgs(args, 1, raw);
    return (value) => (parseInteger(value, INT64) ?? min - 1n) >= min;
  },
  max: (args, raw) => {
    const [max] = integerArgs(args, 1, raw);
    return (value) => (parseInteger(value, INT64) ?? max + 1n) <= max;
  },
  range: (args, raw) => {
    const [min, max] = integerArgs(args, 2, raw);
    return (value) => {
      const n = parseInteger(value, INT64);
      return n !== undefined && n >= min && n <= max;
    };
  },
  regex: (args, raw) => {
    // The whole argument is the expression, commas included. .NET matches it
    // unanchored, ignoring case; JavaScript's syntax is close enough for routes.
    const source = args.join(',');
    let expression: RegExp;
    try {
      expression = new RegExp(source, 'i');
    } catch (err) {
      throw new Error(`The constraint "${raw}" has an invalid regular expression: ${(err as Error).message}`);
    }
    return (value) => expression.test(value);
  },
};

/**
 * Resolves `name` or `name(arguments)`. Throws on unknown names and bad arguments,
 * as the host refuses such routes at startup.
 */
export function resolveConstraint(text: string): RouteConstraint {
  const match = /^([A-Za-z]+)(?:\(([\s\S]*)\))?$/.exec(text);
  const name = match?.[1]?.toLowerCase();
  const factory = name === undefined ? undefined : FACTORIES[name];
  if (!match || !factory) {
    throw new Error(`The route constraint "${text}" is not known. Known: ${Object.keys(FACTORIES).join(', ')}.`);
  }
  const args = match[2] === undefined ? [] : name === 'regex' ? [match[2]] : match[2].split(',').map((arg) => arg.trim());
  return { text, test: factory(args, text) };
}

function noArgs(make: () => (value: string) => boolean): Factory {
  return (args, raw) => {
    if (args.length > 0) throw new Error(`The route constraint "${raw}" takes no arguments.`);
    return make();
  };
}

function integerArgs(args: string[], count: 1, raw: string): [bigint];
function integerArgs(args: string[], count: 1 | 2, raw: string): [bigint] | [bigint, bigint];
function integerArgs(args: string[], count: 2, raw: string): [bigint, bigint];
function integerArgs(args: string[], count: 1 | 2, raw: string): bigint[] {
  const values = args.map((arg) => parseInteger(arg, INT64));
  if (values.length !== count || values.some((value) => value === undefined)) {
    throw new Error(`The route constraint "${raw}" needs ${count} integer argument${count === 1 ? '' : 's'}.`);
  }
  return values as bigint[];
}

/** .NET `NumberStyles.Integer`: surrounding white space and a leading sign allowed. */
function parseInteger(value: string, [min, max]: [bigint, bigint]): bigint | undefined {
  const match = /^\s*([+-]?)(\d+)\s*$/.exec(value);
  if (!match) return undefined;
  const n = BigInt(match[2] ?? '') * (match[1] === '-' ? -1n : 1n);
  return n >= min && n <= max ? n : undefined;
}

function isFloat(value: string): boolean {
  return /^\s*[+-]?((?=[\d,]*\.?\d)[\d,]*(\.\d*)?(e[+-]?\d+)?|nan|infinity|\u221e)\s*$/i.test(value);
}

/** .NET `Guid.TryParse` formats D, N, B and P. */
function isGuid(value: string): boolean {
  const hex = '[0-9a-f]';
  const d = `${hex}{8}-${hex}{4}-${hex}{4}-${hex}{4}-${hex}{12}`;
  return new RegExp(`^\\s*(${d}|${hex}{32}|\\{${d}\\}|\\(${d}\\))\\s*$`, 'i').test(value);
}

/** ASP.NET's `file` constraint: the last path segment has a dot followed by something. */
function isFileName(value: string): boolean {
  const last = value.slice(value.lastIndexOf('/') + 1);
  const dot = last.lastIndexOf('.');
  return dot >= 0 && dot < last.length - 1;
}
