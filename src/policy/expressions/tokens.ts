/**
 * C# tokens for policy expressions: identifiers, literals (regular and verbatim
 * strings with their escapes, chars, ints, doubles) and operators. Operators this
 * gateway refuses are still read whole, so the refusal can name them.
 */

import { type ExpressionSource, unsupported } from './source';

export type TokenKind = 'identifier' | 'string' | 'char' | 'int' | 'double' | 'operator' | 'end';

export interface Token {
  readonly kind: TokenKind;
  /** The identifier or operator as written; the decoded text of a string or char literal. */
  readonly text: string;
  /** The value of a numeric literal. */
  readonly number: number;
  /** Offset of the token's first character in the expression text. */
  readonly at: number;
}

/** Longest first, so `??` wins over `?` and `<=` over `<`. */
const OPERATORS = [
  '<<=', '>>=', '??=',
  '&&', '||', '==', '!=', '<=', '>=', '??', '?.', '=>', '++', '--', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<', '::', '->',
  '(', ')', '{', '}', '[', ']', '.', ',', ';', ':', '?', '!', '=', '<', '>', '+', '-', '*', '/', '%', '&', '|', '^', '~',
];

const INT_MAX = 2147483647;

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isIdentStart = (c: string | undefined) =>
  c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_');
const isIdentPart = (c: string | undefined) => isIdentStart(c) || isDigit(c);
const isHex = (c: string | undefined) => c !== undefined && /^[0-9a-fA-F]$/.test(c);

/** Reads `source.text` from `from` (just after the `@`) to its end. */
export function tokenize(source: ExpressionSource, from: number): Token[] {
  const text = source.text;
  const tokens: Token[] = [];
  const push = (kind: TokenKind, value: string, at: number, number = 0) => tokens.push({ kind, text: value, number, at });
  let i = from;

  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v' || c === '\u00a0') {
      i++;
      continue;
    }
    const at = i;
    if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) throw source.error('End-of-file found, \'*/\' expected', at);
      i = end + 2;
      continue;
    }
    if (isIdentStart(c)) {
      while (isIdentPart(text[i])) i++;
      push('identifier', text.slice(at, i), at);
      continue;
    }
    if (isDigit(c) || (c === '.' && isDigit(text[i + 1]))) {
      i = readNumber(source, i, push);
      continue;
    }
    if (c === '"') {
      i = readString(source, i, push);
      continue;
    }
    if (c === '@' && text[i + 1] === '"') {
      i = readVerbatimString(source, i, push);
      continue;
    }
    if (c === '$' && (text[i + 1] === '"' || text[i + 1] === '@')) {
      throw source.error(`${unsupported('An interpolated string ($"...")')}; use + or String.Format`, at);
    }
    if (c === '\'') {
      i = readChar(source, i, push);
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (op === undefined) throw source.error(`Unexpected character '${c}'`, at);
    // `a?.5:1` is a conditional with a number, not `?.`.
    if (op === '?.' && isDigit(text[i + 2])) {
      push('operator', '?', at);
      i += 1;
      continue;
    }
    push('operator', op, at);
    i += op.length;
  }
  push('end', '', text.length);
  return tokens;
}

type Push = (kind: TokenKind, value: string, at: number, number?: number) => void;

function readNumber(source: ExpressionSource, start: number, push: Push): number {
  const text = source.text;
  let i = start;
  if (text[i] === '0' && (text[i + 1] === 'x' || text[i + 1] === 'X')) {
    i += 2;
    while (isHex(text[i])) i++;
    if (i === start + 2) throw source.error('Invalid number', start);
    return finishInt(source, start, i, Number.parseInt(text.slice(start + 2, i), 16), push);
  }
  while (isDigit(text[i])) i++;
  let isDouble = false;
  if (text[i] === '.' && isDigit(text[i + 1])) {
    isDouble = true;
    i++;
    while (isDigit(text[i])) i++;
  }
  if (text[i] === 'e' || text[i] === 'E') {
    let j = i + 1;
    if (text[j] === '+' || text[j] === '-') j++;
    if (!isDigit(text[j])) throw source.error('Exponent expected', i);
    while (isDigit(text[j])) j++;
    isDouble = true;
    i = j;
  }
  const digits = text.slice(start, i);
  const suffix = text[i];
  if (suffix === 'd' || suffix === 'D') {
    push('double', digits, start, Number(digits));
    return i + 1;
  }
  if (suffix !== undefined && /^[fFmMlLuU]$/.test(suffix)) {
    throw source.error(unsupported(`The numeric suffix '${suffix}'`), i);
  }
  if (isIdentPart(suffix)) throw source.error(`Unexpected character '${suffix}'`, i);
  if (isDouble) {
    push('double', digits, start, Number(digits));
    return i;
  }
  return finishInt(source, start, i, Number(digits), push);
}

function finishInt(source: ExpressionSource, start: number, end: number, value: number, push: Push): number {
  if (value > INT_MAX) throw source.error(`${unsupported('An integer literal larger than int.MaxValue')}`, start);
  if (isIdentPart(source.text[end])) throw source.error(`Unexpected character '${source.text[end]}'`, end);
  push('int', source.text.slice(start, end), start, value);
  return end;
}

/** One escape sequence at `i` (the backslash); returns the decoded text and the next offset. */
function readEscape(source: ExpressionSource, i: number): [string, number] {
  const c = source.text[i + 1];
  const simple: Record<string, string> = {
    '\'': '\'', '"': '"', '\\': '\\', '0': '\0', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
  };
  if (c !== undefined && Object.prototype.hasOwnProperty.call(simple, c)) return [simple[c]!, i + 2];
  if (c === 'u' || c === 'U' || c === 'x') {
    const max = c === 'u' ? 4 : c === 'U' ? 8 : 4;
    let j = i + 2;
    while (j - (i + 2) < max && isHex(source.text[j])) j++;
    const count = j - (i + 2);
    if (count === 0 || (c !== 'x' && count !== max)) throw source.error('Unrecognized escape sequence', i);
    const code = Number.parseInt(source.text.slice(i + 2, j), 16);
    if (code > 0x10ffff) throw source.error('Unrecognized escape sequence', i);
    return [String.fromCodePoint(code), j];
  }
  throw source.error('Unrecognized escape sequence', i);
}

function readString(source: ExpressionSource, start: number, push: Push): number {
  const text = source.text;
  let i = start + 1;
  let value = '';
  for (;;) {
    const c = text[i];
    if (c === undefined || c === '\n' || c === '\r') throw source.error('Newline in constant', start);
    if (c === '"') break;
    if (c === '\\') {
      const [decoded, next] = readEscape(source, i);
      value += decoded;
      i = next;
    } else {
      value += c;
      i++;
    }
  }
  push('string', value, start);
  return i + 1;
}

function readVerbatimString(source: ExpressionSource, start: number, push: Push): number {
  const text = source.text;
  let i = start + 2;
  let value = '';
  for (;;) {
    const c = text[i];
    if (c === undefined) throw source.error('Unterminated string literal', start);
    if (c === '"') {
      if (text[i + 1] !== '"') break;
      value += '"';
      i += 2;
    } else {
      value += c;
      i++;
    }
  }
  push('string', value, start);
  return i + 1;
}

function readChar(source: ExpressionSource, start: number, push: Push): number {
  const text = source.text;
  let value: string;
  let i: number;
  const c = text[start + 1];
  if (c === undefined || c === '\n' || c === '\r') throw source.error('Newline in constant', start);
  if (c === '\'') throw source.error('Empty character literal', start);
  if (c === '\\') [value, i] = readEscape(source, start + 1);
  else [value, i] = [c, start + 2];
  if (value.length !== 1) throw source.error('Too many characters in character literal', start);
  if (text[i] !== '\'') throw source.error('Too many characters in character literal', start);
  push('char', value, start);
  return i + 1;
}
