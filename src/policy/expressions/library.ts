/**
 * The .NET members expressions may use besides `context`: string, number, bool,
 * DateTime, TimeSpan and array members, the dictionaries' lookups, the message
 * body's `As<string>()`, and a few static members (`string.IsNullOrEmpty`,
 * `int.Parse`, `DateTime.UtcNow`, ...). Nothing else is reachable: a name that is
 * not listed here is a write-time error.
 */

import type { ReadOnlyDictionary } from '../context';
import { type ExprType, STRING_ARRAY, T, isAssignable, isValue, typeName } from './types';
import {
  ExpressionError,
  argumentNull,
  argumentOutOfRange,
  castToBool,
  castToDouble,
  castToInt,
  castToString,
  formatComposite,
  formatDate,
  formatError,
  toText,
} from './values';

/** A resolved member: its result type and how to read it from a non-null receiver. */
export interface Member {
  readonly type: ExprType;
  /** For statics the receiver is undefined; `packed` methods receive their arguments as one array in `a`. */
  invoke(receiver: unknown, a?: unknown, b?: unknown, c?: unknown): unknown;
  readonly packed?: boolean;
}

/** What the checker knows of an argument. */
export interface ArgumentInfo {
  readonly type: ExprType;
  readonly name?: string;
  /** The value of a literal argument (a format string), for write-time checks. */
  readonly constant?: unknown;
}

/** Refused with a message (wrong arguments, unsupported form); null: no such member at all. */
export type Resolution = Member | { readonly error: string } | null;

interface Overload {
  readonly params: readonly ExprType[];
  /** How many leading parameters are required (default: all). */
  readonly required?: number;
  /** Any number of further arguments of the last parameter's type (C#'s `params`). */
  readonly params_?: boolean;
  readonly type: ExprType;
  readonly invoke: Member['invoke'];
}

const m = (params: readonly ExprType[], type: ExprType, invoke: Member['invoke'], required?: number): Overload => ({
  params,
  type,
  invoke,
  required,
});

function choose(name: string, overloads: readonly Overload[], args: readonly ArgumentInfo[]): Resolution {
  if (args.some((a) => a.name !== undefined)) return { error: `Named arguments are not supported for '${name}'` };
  for (const overload of overloads) {
    const required = overload.required ?? overload.params.length;
    const fits = overload.params_
      ? args.length >= required && args.every((a, i) => isAssignable(a.type, overload.params[Math.min(i, overload.params.length - 1)]!))
      : args.length >= required && args.length <= overload.params.length && args.every((a, i) => isAssignable(a.type, overload.params[i]!));
    if (fits) return { type: overload.type, invoke: overload.invoke, packed: overload.params_ };
  }
  const countFits = overloads.some((o) => args.length >= (o.required ?? o.params.length) && (o.params_ || args.length <= o.params.length));
  if (!countFits) return { error: `No overload for method '${name}' takes ${args.length} arguments` };
  return { error: `No overload of '${name}' accepts arguments of types (${args.map((a) => typeName(a.type)).join(', ')})` };
}

// Strings

const ignoresCase = (comparison: string | undefined) => comparison !== undefined && comparison.endsWith('IgnoreCase');
const fold = (text: string, comparison: string | undefined) => (ignoresCase(comparison) ? text.toUpperCase() : text);
const required = (value: unknown, parameter: string): string => {
  if (value === null || value === undefined) throw argumentNull(parameter);
  return value as string;
};

function substring(text: string, start: number, length?: number): string {
  if (start < 0 || start > text.length) throw argumentOutOfRange('startIndex');
  if (length === undefined) return text.slice(start);
  if (length < 0 || start + length > text.length) throw argumentOutOfRange('length');
  return text.slice(start, start + length);
}

function split(text: string, separators: readonly string[]): string[] {
  const usable = separators.filter((s) => s !== null && s !== '');
  if (usable.length === 0) return text.split(/\s/);
  const parts: string[] = [];
  let from = 0;
  for (let i = 0; i < text.length; ) {
    const hit = usable.find((s) => text.startsWith(s, i));
    if (hit === undefined) {
      i++;
      continue;
    }
    parts.push(text.slice(from, i));
    i += hit.length;
    from = i;
  }
  parts.push(text.slice(from));
  return parts;
}

const trimmable = /^[\s\u0085\u200b]+|[\s\u0085\u200b]+$/g;

const STRING_METHODS: Record<string, readonly Overload[]> = {
  ToLower: [m([], T.string, (s: string) => s.toLowerCase())],
  ToUpper: [m([], T.string, (s: string) => s.toUpperCase())],
  ToLowerInvariant: [m([], T.string, (s: string) => s.toLowerCase())],
  ToUpperInvariant: [m([], T.string, (s: string) => s.toUpperCase())],
  Trim: [
    m([], T.string, (s: string) => s.replace(trimmable, '')),
    m([T.char], T.string, (s: string, c: string) => trimChars(s, c, true, true)),
  ],
  TrimStart: [
    m([], T.string, (s: string) => s.replace(/^[\s\u0085\u200b]+/, '')),
    m([T.char], T.string, (s: string, c: string) => trimChars(s, c, true, false)),
  ],
  TrimEnd: [
    m([], T.string, (s: string) => s.replace(/[\s\u0085\u200b]+$/, '')),
    m([T.char], T.string, (s: string, c: string) => trimChars(s, c, false, true)),
  ],
  Contains: [
    m([T.char], T.bool, (s: string, c: string) => s.includes(c)),
    m([T.string, T.StringComparison], T.bool, (s: string, v: unknown, cmp?: string) => fold(s, cmp).includes(fold(required(v, 'value'), cmp)), 1),
  ],
  StartsWith: [
    m([T.char], T.bool, (s: string, c: string) => s.startsWith(c)),
    m([T.string, T.StringComparison], T.bool, (s: string, v: unknown, cmp?: string) => fold(s, cmp).startsWith(fold(required(v, 'value'), cmp)), 1),
  ],
  EndsWith: [
    m([T.char], T.bool, (s: string, c: string) => s.endsWith(c)),
    m([T.string, T.StringComparison], T.bool, (s: string, v: unknown, cmp?: string) => fold(s, cmp).endsWith(fold(required(v, 'value'), cmp)), 1),
  ],
  Equals: [
    m([T.string, T.StringComparison], T.bool, (s: string, v: string | null, cmp?: string) => v !== null && fold(s, cmp) === fold(v, cmp), 1),
    m([T.object], T.bool, (s: string, v: unknown) => s === v),
  ],
  IndexOf: [
    m([T.char, T.int], T.int, (s: string, c: string, from?: number) => indexOf(s, c, from), 1),
    m([T.string, T.int], T.int, (s: string, v: unknown, from?: number) => indexOf(s, required(v, 'value'), from), 1),
    m([T.string, T.StringComparison], T.int, (s: string, v: unknown, cmp: string) => fold(s, cmp).indexOf(fold(required(v, 'value'), cmp))),
  ],
  LastIndexOf: [
    m([T.char], T.int, (s: string, c: string) => s.lastIndexOf(c)),
    m([T.string], T.int, (s: string, v: unknown) => s.lastIndexOf(required(v, 'value'))),
  ],
  Substring: [m([T.int, T.int], T.string, substring, 1)],
  Replace: [
    m([T.char, T.char], T.string, (s: string, a: string, b: string) => s.split(a).join(b)),
    m([T.string, T.string], T.string, (s: string, a: unknown, b: string | null) => {
      if (required(a, 'oldValue') === '') throw new ExpressionError("The value cannot be an empty string. (Parameter 'oldValue')", 'ArgumentException');
      return s.split(a as string).join(b ?? '');
    }),
  ],
  Split: [
    { params: [T.char], type: STRING_ARRAY, invoke: (s: string, chars: string[]) => split(s, chars), params_: true },
    m([T.string], STRING_ARRAY, (s: string, sep: string | null) => split(s, sep === null ? [] : [sep])),
  ],
  PadLeft: [m([T.int, T.char], T.string, (s: string, n: number, c?: string) => pad(s, n, c ?? ' ', true), 1)],
  PadRight: [m([T.int, T.char], T.string, (s: string, n: number, c?: string) => pad(s, n, c ?? ' ', false), 1)],
  ToString: [m([], T.string, (s: string) => s)],
};

function indexOf(text: string, value: string, from = 0): number {
  if (from < 0 || from > text.length) throw argumentOutOfRange('startIndex');
  return text.indexOf(value, from);
}

function pad(text: string, width: number, c: string, left: boolean): string {
  if (width < 0) throw argumentOutOfRange('totalWidth');
  return left ? text.padStart(width, c) : text.padEnd(width, c);
}

function trimChars(text: string, c: string, start: boolean, end: boolean): string {
  let from = 0;
  let to = text.length;
  while (start && from < to && text[from] === c) from++;
  while (end && to > from && text[to - 1] === c) to--;
  return text.slice(from, to);
}

// DateTime

const DATE_PARTS: Record<string, (d: Date) => number> = {
  Year: (d) => d.getUTCFullYear(),
  Month: (d) => d.getUTCMonth() + 1,
  Day: (d) => d.getUTCDate(),
  Hour: (d) => d.getUTCHours(),
  Minute: (d) => d.getUTCMinutes(),
  Second: (d) => d.getUTCSeconds(),
  Millisecond: (d) => d.getUTCMilliseconds(),
  DayOfYear: (d) => Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1,
};

const DATE_ADD: Record<string, number> = {
  AddMilliseconds: 1,
  AddSeconds: 1000,
  AddMinutes: 60_000,
  AddHours: 3_600_000,
  AddDays: 86_400_000,
};

const STANDARD_DATE_FORMATS: Record<string, string> = {
  o: "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffff'Z'",
  O: "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffff'Z'",
  s: "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
  u: "yyyy'-'MM'-'dd' 'HH':'mm':'ss'Z'",
};

/** Custom date formats: yyyy MM dd HH mm ss f..., quoted literals and punctuation; other letters refused. */
function formatDateCustom(date: Date, format: string): string {
  const pattern = STANDARD_DATE_FORMATS[format] ?? format;
  if (pattern.length === 1) throw formatError('Input string was not in a correct format.');
  let result = '';
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i]!;
    if (c === '\'' || c === '"') {
      const end = pattern.indexOf(c, i + 1);
      if (end < 0) throw formatError(`Cannot find a matching quote character for the character '${c}'.`);
      result += pattern.slice(i + 1, end);
      i = end + 1;
      continue;
    }
    let run = 1;
    while (pattern[i + run] === c) run++;
    const token = pattern.slice(i, i + run);
    const two = (n: number) => String(n).padStart(2, '0');
    switch (token) {
      case 'yyyy':
        result += String(date.getUTCFullYear()).padStart(4, '0');
        break;
      case 'MM':
        result += two(date.getUTCMonth() + 1);
        break;
      case 'dd':
        result += two(date.getUTCDate());
        break;
      case 'HH':
        result += two(date.getUTCHours());
        break;
      case 'mm':
        result += two(date.getUTCMinutes());
        break;
      case 'ss':
        result += two(date.getUTCSeconds());
        break;
      default:
        if (c === 'f' && run <= 7) {
          result += String(date.getUTCMilliseconds()).padStart(3, '0').padEnd(7, '0').slice(0, run);
        } else if (/[A-Za-z]/.test(c)) {
          throw formatError(`The date format '${token}' is not supported by this gateway.`);
        } else {
          result += token;
        }
    }
    i += run;
  }
  return result;
}

// Members by receiver type

export function resolveMember(type: ExprType, name: string): Resolution {
  switch (type.kind) {
    case 'value':
      switch (type.name) {
        case 'string':
          if (name === 'Length') return { type: T.int, invoke: (s: string) => s.length };
          return null;
        case 'DateTime': {
          const part = DATE_PARTS[name];
          if (part !== undefined && Object.prototype.hasOwnProperty.call(DATE_PARTS, name)) return { type: T.int, invoke: part };
          if (name === 'Date') return { type: T.DateTime, invoke: (d: Date) => new Date(Math.floor(d.getTime() / 86_400_000) * 86_400_000) };
          return null;
        }
        case 'TimeSpan':
          return timeSpanMember(name);
        default:
          return null;
      }
    case 'array':
      if (name === 'Length') return { type: T.int, invoke: (a: unknown[]) => a.length };
      return null;
    case 'dictionary':
      if (name === 'Count') return { type: T.int, invoke: (d: ReadOnlyDictionary<unknown>) => d.Keys.length };
      if (name === 'Keys') return { type: STRING_ARRAY, invoke: (d: ReadOnlyDictionary<unknown>) => d.Keys };
      return null;
    default:
      return null;
  }
}

function timeSpanMember(name: string): Resolution {
  const totals: Record<string, number> = { TotalMilliseconds: 1, TotalSeconds: 1000, TotalMinutes: 60_000, TotalHours: 3_600_000, TotalDays: 86_400_000 };
  if (Object.prototype.hasOwnProperty.call(totals, name)) {
    const unit = totals[name]!;
    return { type: T.double, invoke: (ms: number) => ms / unit };
  }
  const parts: Record<string, [number, number]> = {
    Milliseconds: [1, 1000], Seconds: [1000, 60], Minutes: [60_000, 60], Hours: [3_600_000, 24], Days: [86_400_000, Infinity],
  };
  if (Object.prototype.hasOwnProperty.call(parts, name)) {
    const [unit, modulo] = parts[name]!;
    return { type: T.int, invoke: (ms: number) => Math.trunc(ms / unit) % modulo };
  }
  return null;
}

const toStringOf = (kind: 'double' | 'TimeSpan' | 'other'): Overload => m([], T.string, (v: unknown) => toText(v, kind));

export function resolveMethod(type: ExprType, name: string, typeArgs: readonly string[], args: readonly ArgumentInfo[]): Resolution {
  const generic = typeArgs.length > 0;
  if (generic && !(type.kind === 'body' || type.kind === 'dictionary')) {
    return { error: `The non-generic method '${name}' cannot be used with type arguments` };
  }
  switch (type.kind) {
    case 'value':
      return valueMethod(type.name, name, args);
    case 'array':
      return arrayMethod(type.element, name, args);
    case 'dictionary':
      return dictionaryMethod(type, name, typeArgs, args);
    case 'body':
      if (name !== 'As') return null;
      return bodyAs(typeArgs, args);
    case 'shape':
      return null;
  }
}

function valueMethod(type: string, name: string, args: readonly ArgumentInfo[]): Resolution {
  let overloads: readonly Overload[] | undefined;
  switch (type) {
    case 'string':
      overloads = Object.prototype.hasOwnProperty.call(STRING_METHODS, name) ? STRING_METHODS[name] : undefined;
      break;
    case 'DateTime':
      if (Object.prototype.hasOwnProperty.call(DATE_ADD, name)) {
        const unit = DATE_ADD[name]!;
        overloads = [m([T.double], T.DateTime, (d: Date, n: number) => new Date(d.getTime() + n * unit))];
      } else if (name === 'ToString') {
        const constant = args[0]?.constant;
        if (typeof constant === 'string') {
          try {
            formatDateCustom(new Date(0), constant);
          } catch (error) {
            return { error: (error as Error).message };
          }
        }
        overloads = [
          m([], T.string, (d: Date) => formatDate(d)),
          m([T.string], T.string, (d: Date, f: string | null) => (f === null || f === '' ? formatDate(d) : formatDateCustom(d, f))),
        ];
      }
      break;
    case 'double':
      if (name === 'ToString') overloads = [toStringOf('double')];
      break;
    case 'TimeSpan':
      if (name === 'ToString') overloads = [toStringOf('TimeSpan')];
      break;
    case 'int':
    case 'bool':
    case 'char':
      if (name === 'ToString') overloads = [toStringOf('other')];
      break;
    case 'object':
      if (name === 'ToString') overloads = [toStringOf('other')];
      if (name === 'Equals') overloads = [m([T.object], T.bool, (a: unknown, b: unknown) => a === b)];
      break;
  }
  return overloads === undefined ? null : choose(name, overloads, args);
}

function arrayMethod(element: ExprType, name: string, args: readonly ArgumentInfo[]): Resolution {
  const empty = () => new ExpressionError('Sequence contains no elements', 'InvalidOperationException');
  const overloads: Record<string, readonly Overload[]> = {
    Count: [m([], T.int, (a: unknown[]) => a.length)],
    Any: [m([], T.bool, (a: unknown[]) => a.length > 0)],
    First: [m([], element, (a: unknown[]) => { if (a.length === 0) throw empty(); return a[0]; })],
    FirstOrDefault: [m([], element, (a: unknown[]) => (a.length === 0 ? null : a[0]))],
    Last: [m([], element, (a: unknown[]) => { if (a.length === 0) throw empty(); return a[a.length - 1]; })],
    LastOrDefault: [m([], element, (a: unknown[]) => (a.length === 0 ? null : a[a.length - 1]))],
    Contains: [m([element], T.bool, (a: unknown[], v: unknown) => a.includes(v))],
    ToString: [toStringOf('other')],
  };
  return Object.prototype.hasOwnProperty.call(overloads, name) ? choose(name, overloads[name]!, args) : null;
}

const GENERIC_TARGETS: Record<string, [ExprType, (v: unknown) => unknown, unknown]> = {
  string: [T.string, castToString, null],
  int: [T.int, castToInt, 0],
  bool: [T.bool, castToBool, false],
  double: [T.double, castToDouble, 0],
  object: [T.object, (v) => v, null],
};

function dictionaryMethod(type: ExprType & { kind: 'dictionary' }, name: string, typeArgs: readonly string[], args: readonly ArgumentInfo[]): Resolution {
  const values = type.values;
  switch (name) {
    case 'ContainsKey':
      if (typeArgs.length > 0) return { error: `The non-generic method '${name}' cannot be used with type arguments` };
      return choose(name, [m([T.string], T.bool, (d: ReadOnlyDictionary<unknown>, key: unknown) => d.get(required(key, 'key')) !== undefined)], args);
    case 'GetValueOrDefault':
      break;
    default:
      return null;
  }
  if (type.joined || isValue(values, 'string')) {
    if (typeArgs.length > 0) return { error: `The non-generic method '${name}' cannot be used with type arguments` };
    const join = type.joined;
    return choose(name, [
      m([T.string, T.string], T.string, (d: ReadOnlyDictionary<unknown>, key: unknown, fallback?: string | null) => {
        const found = d.get(required(key, 'key'));
        if (found === undefined) return fallback ?? null;
        return join ? (found as string[]).join(',') : found;
      }, 1),
    ], args);
  }
  // Variables: GetValueOrDefault<T>(name[, default]); without <T>, T is the default's type.
  let typeArg = typeArgs[0];
  if (typeArg === undefined && args.length === 2) {
    const inferred = args[1]!.type;
    typeArg = inferred.kind === 'value' && Object.prototype.hasOwnProperty.call(GENERIC_TARGETS, inferred.name) ? inferred.name : 'object';
  }
  typeArg ??= 'object';
  if (!Object.prototype.hasOwnProperty.call(GENERIC_TARGETS, typeArg)) {
    return { error: `${typeArg} is not a supported type argument here; use string, int, bool, double or object` };
  }
  const [result, cast, zero] = GENERIC_TARGETS[typeArg]!;
  return choose(name, [
    m([T.string, result], result, (d: ReadOnlyDictionary<unknown>, key: unknown, ...rest: unknown[]) => {
      const found = d.get(required(key, 'key'));
      if (found === undefined) return rest.length > 0 && rest[0] !== undefined ? rest[0] : zero;
      return cast(found);
    }, 1),
  ], args);
}

function bodyAs(typeArgs: readonly string[], args: readonly ArgumentInfo[]): Resolution {
  const typeArg = typeArgs[0];
  if (typeArg === undefined) return { error: "The type arguments for method 'As' cannot be inferred from the usage; write As<string>()" };
  if (typeArg !== 'string') return { error: `'As<${typeArg}>()' is not supported in policy expressions by this gateway; only As<string>()` };
  const named = args.find((a) => a.name !== undefined && a.name !== 'preserveContent');
  if (named !== undefined) return { error: `The method 'As' has no parameter named '${named.name}'` };
  if (args.length > 1 || (args.length === 1 && !isAssignable(args[0]!.type, T.bool))) {
    return { error: "'As<string>' takes one optional argument, preserveContent (bool)" };
  }
  // Reading the body as text leaves it readable again here, so preserveContent changes nothing.
  return { type: T.string, invoke: (body: { As(type: 'string'): string }) => body.As('string') };
}

// Statics: string.X, int.X, bool.X, DateTime.X, StringComparison.X

const STATIC_CLASSES: Record<string, string> = {
  string: 'string', String: 'string', int: 'int', Int32: 'int', bool: 'bool', Boolean: 'bool', DateTime: 'DateTime',
  StringComparison: 'StringComparison',
};

export const isStaticClass = (name: string) => Object.prototype.hasOwnProperty.call(STATIC_CLASSES, name);

const parseInt32 = (text: unknown): number => {
  const s = required(text, 's');
  if (!/^\s*[+-]?\d+\s*$/.test(s)) throw formatError(`The input string '${s}' was not in a correct format.`);
  const value = Number(s.trim());
  if (value > 2147483647 || value < -2147483648) throw new ExpressionError('Value was either too large or too small for an Int32.', 'OverflowException');
  return value;
};

const parseBool = (text: unknown): boolean => {
  const s = required(text, 'value').trim().toLowerCase();
  if (s === 'true') return true;
  if (s === 'false') return false;
  throw formatError(`String '${text as string}' was not recognized as a valid Boolean.`);
};

export function resolveStaticMember(className: string, name: string): Resolution {
  switch (STATIC_CLASSES[className]) {
    case 'string':
      if (name === 'Empty') return { type: T.string, invoke: () => '' };
      return null;
    case 'int':
      if (name === 'MaxValue') return { type: T.int, invoke: () => 2147483647 };
      if (name === 'MinValue') return { type: T.int, invoke: () => -2147483648 };
      return null;
    case 'DateTime':
      if (name === 'UtcNow' || name === 'Now') return { type: T.DateTime, invoke: () => new Date() };
      return null;
    case 'StringComparison': {
      const names = ['Ordinal', 'OrdinalIgnoreCase', 'CurrentCulture', 'CurrentCultureIgnoreCase', 'InvariantCulture', 'InvariantCultureIgnoreCase'];
      return names.includes(name) ? { type: T.StringComparison, invoke: () => name } : null;
    }
    default:
      return null;
  }
}

export function resolveStaticMethod(className: string, name: string, args: readonly ArgumentInfo[]): Resolution {
  const klass = STATIC_CLASSES[className];
  if (klass === 'string') {
    switch (name) {
      case 'IsNullOrEmpty':
        return choose(name, [m([T.string], T.bool, (_: unknown, s: string | null) => s === null || s === '')], args);
      case 'IsNullOrWhiteSpace':
        return choose(name, [m([T.string], T.bool, (_: unknown, s: string | null) => s === null || s.replace(trimmable, '') === '')], args);
      case 'Equals':
        return choose(name, [
          m([T.string, T.string, T.StringComparison], T.bool, (_: unknown, a: string | null, b: string | null, cmp?: string) =>
            a === null || b === null ? a === b : fold(a, cmp) === fold(b, cmp), 2),
        ], args);
      case 'Join':
        return choose(name, [m([T.string, STRING_ARRAY], T.string, (_: unknown, sep: string | null, parts: unknown) => {
          if (parts === null || parts === undefined) throw argumentNull('value');
          return (parts as string[]).map((p) => p ?? '').join(sep ?? '');
        })], args);
      case 'Concat':
        return choose(name, [m([T.object, T.object, T.object], T.string, (_: unknown, a: unknown, b: unknown, c: unknown) => toText(a) + toText(b) + toText(c), 2)], args);
      case 'Format': {
        const format = args[0]?.constant;
        if (typeof format === 'string') {
          try {
            formatComposite(format, new Array(Math.max(0, args.length - 1)).fill(''));
          } catch (error) {
            return { error: `The format string of String.Format is invalid: ${(error as Error).message}` };
          }
        }
        const overload: Overload = {
          params: [T.string, T.object],
          required: 1,
          params_: true,
          type: T.string,
          invoke: (_: unknown, all: unknown[]) => formatComposite(required(all[0], 'format'), all.slice(1)),
        };
        return choose(name, [overload], args);
      }
      default:
        return null;
    }
  }
  if (klass === 'int' && name === 'Parse') return choose(name, [m([T.string], T.int, (_: unknown, s: unknown) => parseInt32(s))], args);
  if (klass === 'bool' && name === 'Parse') return choose(name, [m([T.string], T.bool, (_: unknown, s: unknown) => parseBool(s))], args);
  return null;
}
