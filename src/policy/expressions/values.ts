/**
 * C#'s run-time semantics for the values expressions handle: text conversion,
 * equality, casts, and the exceptions C# would throw (as `ExpressionError`).
 */

/**
 * A policy expression failed while it ran (C#'s exception: null member access, a
 * bad cast, `int.Parse` of non-digits...). The executor turns it into on-error.
 */
export class ExpressionError extends Error {
  constructor(
    message: string,
    /** The .NET exception APIM reports (`NullReferenceException`, `InvalidCastException`, ...). */
    readonly exception: string,
  ) {
    super(message);
    this.name = 'ExpressionError';
  }
}

export const nullReference = () =>
  new ExpressionError('Object reference not set to an instance of an object.', 'NullReferenceException');

export const argumentOutOfRange = (parameter: string) =>
  new ExpressionError(`Specified argument was out of the range of valid values. (Parameter '${parameter}')`, 'ArgumentOutOfRangeException');

export const argumentNull = (parameter: string) =>
  new ExpressionError(`Value cannot be null. (Parameter '${parameter}')`, 'ArgumentNullException');

export const formatError = (message: string) => new ExpressionError(message, 'FormatException');

/** The .NET name of a value's run-time type, as exception messages print it. */
export function runtimeTypeName(value: unknown): string {
  if (typeof value === 'string') return 'System.String';
  if (typeof value === 'number') return Number.isInteger(value) && Math.abs(value) <= 2147483647 ? 'System.Int32' : 'System.Double';
  if (typeof value === 'boolean') return 'System.Boolean';
  if (value instanceof Date) return 'System.DateTime';
  if (Array.isArray(value)) return 'System.String[]';
  return 'System.Object';
}

const invalidCast = (value: unknown, target: string) =>
  new ExpressionError(`Unable to cast object of type '${runtimeTypeName(value)}' to type '${target}'.`, 'InvalidCastException');

/** `(string)obj`. */
export function castToString(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  throw invalidCast(value, 'System.String');
}

/** `(int)obj`: only a boxed int unboxes to int. */
export function castToInt(value: unknown): number {
  if (value === null || value === undefined) throw nullReference();
  if (typeof value === 'number' && runtimeTypeName(value) === 'System.Int32') return value;
  throw invalidCast(value, 'System.Int32');
}

/** `(double)obj`. */
export function castToDouble(value: unknown): number {
  if (value === null || value === undefined) throw nullReference();
  if (typeof value === 'number') return value;
  throw invalidCast(value, 'System.Double');
}

/** `(bool)obj`. */
export function castToBool(value: unknown): boolean {
  if (value === null || value === undefined) throw nullReference();
  if (typeof value === 'boolean') return value;
  throw invalidCast(value, 'System.Boolean');
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `DateTime.ToString()` in the invariant culture: `MM/dd/yyyy HH:mm:ss`. */
export function formatDate(date: Date): string {
  return `${pad(date.getUTCMonth() + 1)}/${pad(date.getUTCDate())}/${pad(date.getUTCFullYear(), 4)} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
}

/** `double.ToString()`: the shortest round-trip form, with .NET's exponent spelling. */
function formatDouble(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '∞';
  if (value === -Infinity) return '-∞';
  const text = String(value);
  const e = text.indexOf('e');
  if (e < 0) return text;
  const exponent = text.slice(e + 1);
  const sign = exponent.startsWith('-') ? '-' : '+';
  return `${text.slice(0, e)}E${sign}${exponent.replace(/^[+-]/, '').padStart(2, '0')}`;
}

/** `TimeSpan.ToString()`: `[-][d.]hh:mm:ss[.fffffff]`. */
function formatTimeSpan(milliseconds: number): string {
  const sign = milliseconds < 0 ? '-' : '';
  let rest = Math.abs(milliseconds);
  const days = Math.floor(rest / 86_400_000);
  rest -= days * 86_400_000;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  const ticks = Math.round((rest - seconds * 1000) * 10_000);
  const fraction = ticks > 0 ? `.${String(ticks).padStart(7, '0')}` : '';
  return `${sign}${days > 0 ? `${days}.` : ''}${pad(hours)}:${pad(minutes)}:${pad(seconds)}${fraction}`;
}

/**
 * C#'s `ToString()` of a value whose static type is `kind` (needed where JS
 * values coincide: an int and a double, a TimeSpan and a number). Null is "".
 */
export function toText(value: unknown, kind: 'double' | 'TimeSpan' | 'other' = 'other'): string {
  if (value === null || value === undefined) return '';
  switch (typeof value) {
    case 'string':
      return value;
    case 'boolean':
      return value ? 'True' : 'False';
    case 'number':
      if (kind === 'TimeSpan') return formatTimeSpan(value);
      if (kind === 'double' || !Number.isInteger(value)) return formatDouble(value);
      return String(value);
  }
  if (value instanceof Date) return formatDate(value);
  if (Array.isArray(value)) return 'System.String[]';
  return 'System.Object';
}

/** `==` between values of the same kind (and `object` compared by value, see docs). */
export function valueEquals(a: unknown, b: unknown): boolean {
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return a === b;
}

export function formatComposite(format: string, args: readonly unknown[]): string {
  let result = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (c === '{') {
      if (format[i + 1] === '{') {
        result += '{';
        i++;
        continue;
      }
      const end = format.indexOf('}', i);
      const match = end < 0 ? null : /^(\d+)$/.exec(format.slice(i + 1, end));
      if (match === null) throw formatError('Input string was not in a correct format.');
      const index = Number(match[1]);
      if (index >= args.length) {
        throw formatError('Index (zero based) must be greater than or equal to zero and less than the size of the argument list.');
      }
      result += toText(args[index]);
      i = end;
    } else if (c === '}') {
      if (format[i + 1] !== '}') throw formatError('Input string was not in a correct format.');
      result += '}';
      i++;
    } else {
      result += c;
    }
  }
  return result;
}
