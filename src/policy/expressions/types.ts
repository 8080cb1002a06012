/**
 * The static types of policy expressions, as C# sees them. Values at run time:
 * string and char as JS strings, int and double as numbers, bool as boolean,
 * DateTime as Date, TimeSpan as milliseconds, arrays as arrays, null as null.
 */

export type ValueTypeName =
  | 'string'
  | 'char'
  | 'int'
  | 'double'
  | 'bool'
  | 'object'
  | 'null'
  | 'DateTime'
  | 'TimeSpan'
  | 'StringComparison';

export interface Shape {
  /** The APIM interface name, as C#'s messages print it (`IRequest`). */
  readonly name: string;
  readonly members: ReadonlyMap<string, ExprType>;
}

export type ExprType =
  | { readonly kind: 'value'; readonly name: ValueTypeName }
  | { readonly kind: 'array'; readonly element: ExprType }
  | { readonly kind: 'shape'; readonly shape: Shape }
  /** `IReadOnlyDictionary<string, V>`; `joined`: its values are string[] that `GetValueOrDefault` joins with ",". */
  | { readonly kind: 'dictionary'; readonly values: ExprType; readonly joined: boolean }
  /** APIM's `IMessageBody`: read with `As<string>()`. */
  | { readonly kind: 'body' };

const value = (name: ValueTypeName): ExprType => Object.freeze({ kind: 'value', name });

export const T = {
  string: value('string'),
  char: value('char'),
  int: value('int'),
  double: value('double'),
  bool: value('bool'),
  object: value('object'),
  null: value('null'),
  DateTime: value('DateTime'),
  TimeSpan: value('TimeSpan'),
  StringComparison: value('StringComparison'),
  body: Object.freeze({ kind: 'body' }) as ExprType,
};

export const arrayOf = (element: ExprType): ExprType => ({ kind: 'array', element });
export const STRING_ARRAY = arrayOf(T.string);

export const isValue = (type: ExprType, name: ValueTypeName) => type.kind === 'value' && type.name === name;
export const isNumeric = (type: ExprType) => isValue(type, 'int') || isValue(type, 'double');

/** Types whose values may be null (C#'s reference types; value types read through `?.` become nullable too). */
export function isReference(type: ExprType): boolean {
  if (type.kind !== 'value') return true;
  return type.name === 'string' || type.name === 'object' || type.name === 'null';
}

export function typeName(type: ExprType): string {
  switch (type.kind) {
    case 'value':
      return type.name === 'null' ? '<null>' : type.name;
    case 'array':
      return `${typeName(type.element)}[]`;
    case 'shape':
      return type.shape.name;
    case 'dictionary':
      return `IReadOnlyDictionary<string, ${typeName(type.values)}>`;
    case 'body':
      return 'IMessageBody';
  }
}

export function sameType(a: ExprType, b: ExprType): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'value':
      return a.name === (b as typeof a).name;
    case 'array':
      return sameType(a.element, (b as typeof a).element);
    case 'shape':
      return a.shape === (b as typeof a).shape;
    case 'dictionary':
      return sameType(a.values, (b as typeof a).values) && a.joined === (b as typeof a).joined;
    case 'body':
      return true;
  }
}

/** C#'s implicit conversions among these types: identity, null to references, int to double, anything to object. */
export function isAssignable(from: ExprType, to: ExprType): boolean {
  if (sameType(from, to)) return true;
  if (isValue(to, 'object')) return true;
  if (isValue(from, 'null')) return isReference(to);
  if (isValue(from, 'int') && isValue(to, 'double')) return true;
  return false;
}

/** The type both branches of `?:` (or two returns) convert to, or null when C# finds none. */
export function commonType(a: ExprType, b: ExprType): ExprType | null {
  if (isAssignable(a, b) && !isValue(b, 'object')) return b;
  if (isAssignable(b, a) && !isValue(a, 'object')) return a;
  if (isValue(a, 'object') && isAssignable(b, a)) return a;
  if (isValue(b, 'object') && isAssignable(a, b)) return b;
  return null;
}
