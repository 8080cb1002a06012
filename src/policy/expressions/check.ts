/**
 * The checker: resolves every name, member and method of a parsed expression
 * against the static description of `context` and the whitelisted library, types
 * every node as C# would, and refuses what C# (or this gateway) would refuse, at
 * the position of the fault. Its output is a bound tree the compiler turns into
 * closures without further decisions.
 */

import type { Argument, Expr, ExpressionTree, Statement, TypeRef } from './ast';
import { CONTEXT_TYPE } from './contextShape';
import {
  type ArgumentInfo,
  type Member,
  type Resolution,
  isStaticClass,
  resolveMember,
  resolveMethod,
  resolveStaticMember,
  resolveStaticMethod,
} from './library';
import { TYPE_KEYWORDS } from './parse';
import { type ExpressionSource, unsupported } from './source';
import { type ExprType, T, commonType, isAssignable, isNumeric, isReference, isValue, sameType, typeName } from './types';
import { ExpressionError, castToBool, castToDouble, castToInt, castToString, toText } from './values';

/** How a member access sits in a `?.` chain: C# skips the rest of a chain when a `?.` meets null. */
export interface Link {
  /** This access is `?.`. */
  readonly conditional: boolean;
  /** The target may have been skipped by a `?.` further down the chain. */
  readonly propagates: boolean;
  /** The outermost access of a chain holding a `?.`: a skipped chain becomes null here. */
  readonly end: boolean;
}

export type Bound = { readonly type: ExprType; readonly at: number } & (
  | { readonly op: 'constant'; readonly value: unknown }
  | { readonly op: 'context' }
  | { readonly op: 'local'; readonly slot: number }
  | { readonly op: 'read'; readonly target: Bound; readonly name: string; readonly link: Link }
  | { readonly op: 'invoke'; readonly target: Bound | null; readonly member: Member; readonly args: readonly Bound[]; readonly link: Link }
  | { readonly op: 'index'; readonly target: Bound; readonly index: Bound; readonly of: 'array' | 'string' | 'dictionary'; readonly link: Link }
  | { readonly op: 'and' | 'or' | 'coalesce'; readonly left: Bound; readonly right: Bound }
  | { readonly op: 'binary'; readonly fn: (a: unknown, b: unknown) => unknown; readonly left: Bound; readonly right: Bound }
  | { readonly op: 'unary'; readonly fn: (v: unknown) => unknown; readonly operand: Bound }
  | { readonly op: 'conditional'; readonly test: Bound; readonly whenTrue: Bound; readonly whenFalse: Bound }
);

export type BoundStatement =
  | { readonly op: 'store'; readonly slot: number; readonly value: Bound }
  | { readonly op: 'if'; readonly test: Bound; readonly then: BoundStatement; readonly otherwise: BoundStatement | null }
  | { readonly op: 'block'; readonly body: readonly BoundStatement[] }
  | { readonly op: 'return'; readonly value: Bound };

export type BoundTree =
  | { readonly kind: 'expression'; readonly body: Bound }
  | { readonly kind: 'statements'; readonly body: BoundStatement; readonly locals: number; readonly type: ExprType };

interface Local {
  readonly slot: number;
  readonly type: ExprType;
}

const NO_LINK: Link = { conditional: false, propagates: false, end: false };
const TYPES_BY_KEYWORD: Record<string, ExprType> = {
  string: T.string, int: T.int, bool: T.bool, double: T.double, object: T.object, char: T.char,
};

export function checkExpression(tree: ExpressionTree, source: ExpressionSource): BoundTree {
  return new Checker(source).check(tree);
}

/** Marks a bound node that may yield "skipped by `?.`" instead of a value. */
const MAY_SKIP = new WeakSet<Bound>();

class Checker {
  private readonly scopes: Map<string, Local>[] = [];
  private locals = 0;
  private returnType: ExprType | null = null;

  constructor(private readonly source: ExpressionSource) {}

  private fail(message: string, at: number): never {
    throw this.source.error(message, at);
  }

  check(tree: ExpressionTree): BoundTree {
    if (tree.kind === 'expression') return { kind: 'expression', body: this.expr(tree.body) };
    const body = this.statement(tree.body);
    if (!returns(tree.body)) this.fail('Not all code paths return a value', tree.body.at);
    return { kind: 'statements', body, locals: this.locals, type: this.returnType ?? T.object };
  }

  // Statements

  private statement(statement: Statement): BoundStatement {
    switch (statement.kind) {
      case 'block': {
        this.scopes.push(new Map());
        const body = statement.body.map((s) => this.statement(s));
        this.scopes.pop();
        return { op: 'block', body };
      }
      case 'declare': {
        if (statement.name === 'context' || this.lookup(statement.name) !== undefined) {
          this.fail(`A local variable named '${statement.name}' cannot be declared in this scope because it would give a different meaning to '${statement.name}'`, statement.at);
        }
        const init = statement.init === null ? null : this.expr(statement.init);
        let type: ExprType;
        if (statement.type === null) {
          if (init === null || isValue(init.type, 'null')) this.fail("Cannot assign <null> to an implicitly-typed variable", statement.at);
          type = init.type;
        } else {
          type = this.typeRef(statement.type);
          if (init !== null) this.convertible(init, type);
        }
        const slot = this.locals++;
        this.scopes[this.scopes.length - 1]!.set(statement.name, { slot, type });
        const value = init ?? { op: 'constant', value: defaultOf(type), type, at: statement.at };
        return { op: 'store', slot, value };
      }
      case 'assign': {
        const local = this.lookup(statement.name);
        if (local === undefined) {
          if (statement.name === 'context') this.fail("'context' cannot be assigned to", statement.at);
          this.fail(`The name '${statement.name}' does not exist in the current context`, statement.at);
        }
        const value = this.expr(statement.value);
        this.convertible(value, local.type);
        return { op: 'store', slot: local.slot, value };
      }
      case 'if': {
        const test = this.condition(statement.test);
        const then = this.statement(statement.then);
        const otherwise = statement.otherwise === null ? null : this.statement(statement.otherwise);
        return { op: 'if', test, then, otherwise };
      }
      case 'return': {
        const value = this.expr(statement.value);
        if (this.returnType === null) {
          if (isValue(value.type, 'null')) this.returnType = T.object;
          else this.returnType = value.type;
        } else {
          const common = commonType(this.returnType, value.type);
          if (common === null) {
            this.fail(`Cannot implicitly convert type '${typeName(value.type)}' to '${typeName(this.returnType)}'`, statement.value.at);
          }
          this.returnType = common;
        }
        return { op: 'return', value };
      }
    }
  }

  private lookup(name: string): Local | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const local = this.scopes[i]!.get(name);
      if (local !== undefined) return local;
    }
    return undefined;
  }

  private typeRef(type: TypeRef): ExprType {
    if (!Object.prototype.hasOwnProperty.call(TYPES_BY_KEYWORD, type.name)) this.fail(unsupported(`The type '${type.name}'`), type.at);
    return TYPES_BY_KEYWORD[type.name]!;
  }

  private convertible(value: Bound, to: ExprType): void {
    if (!isAssignable(value.type, to)) {
      this.fail(`Cannot implicitly convert type '${typeName(value.type)}' to '${typeName(to)}'`, value.at);
    }
  }

  private condition(expr: Expr): Bound {
    const bound = this.expr(expr);
    if (!isValue(bound.type, 'bool')) this.fail(`Cannot implicitly convert type '${typeName(bound.type)}' to 'bool'`, expr.at);
    return bound;
  }

  // Expressions

  private expr(expr: Expr, inChain = false): Bound {
    switch (expr.kind) {
      case 'literal':
        return { op: 'constant', value: expr.value, type: T[expr.type], at: expr.at };
      case 'name':
        return this.name(expr.name, expr.at);
      case 'member':
      case 'call':
      case 'index':
        return this.access(expr, inChain);
      case 'unary':
        return this.unary(expr.op, this.expr(expr.operand), expr.at);
      case 'binary':
        return this.binary(expr.op, this.expr(expr.left), this.expr(expr.right), expr.at);
      case 'conditional': {
        const test = this.condition(expr.test);
        const whenTrue = this.expr(expr.whenTrue);
        const whenFalse = this.expr(expr.whenFalse);
        const type = commonType(whenTrue.type, whenFalse.type);
        if (type === null) {
          this.fail(`Type of conditional expression cannot be determined because there is no implicit conversion between '${typeName(whenTrue.type)}' and '${typeName(whenFalse.type)}'`, expr.at);
        }
        return { op: 'conditional', test, whenTrue, whenFalse, type, at: expr.at };
      }
      case 'cast':
        return this.cast(this.typeRef(expr.type), this.expr(expr.operand), expr.at);
    }
  }

  private name(name: string, at: number): Bound {
    if (name === 'context') return { op: 'context', type: CONTEXT_TYPE, at };
    const local = this.lookup(name);
    if (local !== undefined) return { op: 'local', slot: local.slot, type: local.type, at };
    if (isStaticClass(name) || TYPE_KEYWORDS.has(name)) this.fail(`'${name}' is a type, which is not valid in the given context`, at);
    this.fail(`The name '${name}' does not exist in the current context`, at);
  }

  /** `x.Member`, `x.Method(...)`, `x[i]`, each possibly through `?.`. */
  private access(expr: Expr & { kind: 'member' | 'call' | 'index' }, inChain: boolean): Bound {
    if (expr.target.kind === 'name' && expr.kind !== 'index' && this.isStaticName(expr.target.name)) {
      if (expr.conditional) this.fail("'?.' cannot be applied to a type", expr.at);
      return this.staticAccess(expr.target.name, expr);
    }
    const target = this.expr(expr.target, true);
    const conditional = expr.kind !== 'index' && expr.conditional;
    if (conditional && !isReference(target.type)) {
      this.fail(`Operator '?' cannot be applied to operand of type '${typeName(target.type)}'`, expr.at);
    }
    const propagates = MAY_SKIP.has(target);
    const mayShort = conditional || propagates;
    const link: Link = mayShort ? { conditional, propagates, end: !inChain } : NO_LINK;
    let bound: Bound;
    if (isValue(target.type, 'null')) this.fail(`Operator '.' cannot be applied to operand of type '<null>'`, expr.at);
    if (expr.kind === 'index') {
      bound = this.index(target, this.expr(expr.index), link, expr.at);
    } else if (expr.kind === 'member') {
      bound = this.member(target, expr.name, link, expr.at);
    } else {
      const args = this.args(expr.args);
      const typeArgs = this.typeArgs(expr.typeArgs);
      const method = this.resolved(
        target.type.kind === 'shape' ? this.shapeMethod(target.type, expr.name, expr.at) : resolveMethod(target.type, expr.name, typeArgs, args.info),
        target.type,
        expr.name,
        expr.at,
        undefined,
        expr.typeArgs[0]?.at,
      );
      bound = { op: 'invoke', target, member: method, args: args.bound, link, type: method.type, at: expr.at };
    }
    if (mayShort && inChain) MAY_SKIP.add(bound);
    return bound;
  }

  private isStaticName(name: string): boolean {
    return name !== 'context' && this.lookup(name) === undefined && (isStaticClass(name) || TYPE_KEYWORDS.has(name));
  }

  private staticAccess(className: string, expr: Expr & { kind: 'member' | 'call' }): Bound {
    if (expr.kind === 'member') {
      const member = this.resolved(resolveStaticMember(className, expr.name), null, expr.name, expr.at, className);
      return { op: 'invoke', target: null, member, args: [], link: NO_LINK, type: member.type, at: expr.at };
    }
    if (expr.typeArgs.length > 0) this.fail(`The non-generic method '${expr.name}' cannot be used with type arguments`, expr.typeArgs[0]!.at);
    const args = this.args(expr.args);
    const member = this.resolved(resolveStaticMethod(className, expr.name, args.info), null, expr.name, expr.at, className);
    return { op: 'invoke', target: null, member, args: args.bound, link: NO_LINK, type: member.type, at: expr.at };
  }

  private shapeMethod(type: ExprType & { kind: 'shape' }, name: string, at: number): Resolution {
    if (type.shape.members.has(name)) this.fail(`Non-invocable member '${type.shape.name}.${name}' cannot be used like a method`, at);
    return null;
  }

  /** `typeArgAt`: a refusal of a generic call points at its type argument (`As<JObject>`). */
  private resolved(resolution: Resolution, on: ExprType | null, name: string, at: number, className?: string, typeArgAt?: number): Member {
    if (resolution === null) {
      const owner = on === null ? className! : typeName(on);
      this.fail(`'${owner}' does not contain a definition for '${name}'`, at);
    }
    if ('error' in resolution) this.fail(resolution.error, typeArgAt ?? at);
    return resolution;
  }

  private member(target: Bound, name: string, link: Link, at: number): Bound {
    if (target.type.kind === 'shape') {
      const type = target.type.shape.members.get(name);
      if (type === undefined) this.fail(`'${target.type.shape.name}' does not contain a definition for '${name}'`, at);
      return { op: 'read', target, name, link, type, at };
    }
    const member = this.resolved(resolveMember(target.type, name), target.type, name, at);
    return { op: 'invoke', target, member, args: [], link, type: member.type, at };
  }

  private index(target: Bound, index: Bound, link: Link, at: number): Bound {
    const type = target.type;
    if (type.kind === 'dictionary') {
      this.convertible(index, T.string);
      return { op: 'index', target, index, of: 'dictionary', link, type: type.values, at };
    }
    if (type.kind === 'array' || isValue(type, 'string')) {
      this.convertible(index, T.int);
      const of = type.kind === 'array' ? 'array' : 'string';
      return { op: 'index', target, index, of, link, type: type.kind === 'array' ? type.element : T.char, at };
    }
    this.fail(`Cannot apply indexing with [] to an expression of type '${typeName(type)}'`, at);
  }

  private args(args: readonly Argument[]): { bound: Bound[]; info: ArgumentInfo[] } {
    const bound = args.map((a) => this.expr(a.value));
    const info = args.map((a, i): ArgumentInfo => ({
      type: bound[i]!.type,
      name: a.name,
      constant: a.value.kind === 'literal' ? a.value.value : undefined,
    }));
    return { bound, info };
  }

  private typeArgs(typeArgs: readonly TypeRef[]): string[] {
    return typeArgs.map((t) => t.name);
  }

  private unary(op: '!' | '-' | '+', operand: Bound, at: number): Bound {
    const type = operand.type;
    if (op === '!' && isValue(type, 'bool')) return { op: 'unary', fn: (v) => (v === null ? null : !v), operand, type, at };
    if (op === '-' && isValue(type, 'int')) return { op: 'unary', fn: (v) => (v === null ? null : -(v as number) | 0), operand, type, at };
    if (op === '-' && isValue(type, 'double')) return { op: 'unary', fn: (v) => (v === null ? null : -(v as number)), operand, type, at };
    if (op === '+' && isNumeric(type)) return operand;
    this.fail(`Operator '${op}' cannot be applied to operand of type '${typeName(type)}'`, at);
  }

  private binary(op: string, left: Bound, right: Bound, at: number): Bound {
    const l = left.type;
    const r = right.type;
    const refuse = (): never => this.fail(`Operator '${op}' cannot be applied to operands of type '${typeName(l)}' and '${typeName(r)}'`, at);
    switch (op) {
      case '&&':
      case '||':
        if (!isValue(l, 'bool') || !isValue(r, 'bool')) refuse();
        return { op: op === '&&' ? 'and' : 'or', left, right, type: T.bool, at };
      case '??': {
        if (!isReference(l) || isValue(l, 'null')) refuse();
        const type = isAssignable(r, l) ? l : isAssignable(l, r) ? r : refuse();
        return { op: 'coalesce', left, right, type, at };
      }
      case '==':
      case '!=': {
        if (!comparable(l, r)) refuse();
        const equal = equality(l, r);
        const fn = op === '==' ? equal : (a: unknown, b: unknown) => !equal(a, b);
        return { op: 'binary', fn, left, right, type: T.bool, at };
      }
      case '<':
      case '>':
      case '<=':
      case '>=': {
        const ordered = (isNumeric(l) && isNumeric(r)) || (sameType(l, r) && (isValue(l, 'DateTime') || isValue(l, 'TimeSpan') || isValue(l, 'char')));
        if (!ordered) refuse();
        return { op: 'binary', fn: relational(op, isValue(l, 'DateTime')), left, right, type: T.bool, at };
      }
      case '+':
        if (isValue(l, 'string') || isValue(r, 'string')) {
          if (isValue(l, 'null') && isValue(r, 'null')) refuse();
          const lk = textKind(l);
          const rk = textKind(r);
          return { op: 'binary', fn: (a, b) => toTextOf(a, lk) + toTextOf(b, rk), left, right, type: T.string, at };
        }
        if (isValue(l, 'DateTime') && isValue(r, 'TimeSpan')) {
          return { op: 'binary', fn: lifted((a, b) => new Date((a as Date).getTime() + (b as number))), left, right, type: T.DateTime, at };
        }
        if (sameType(l, r) && isValue(l, 'TimeSpan')) return { op: 'binary', fn: lifted((a, b) => (a as number) + (b as number)), left, right, type: l, at };
        return this.arithmetic(op, left, right, at, refuse);
      case '-':
        if (isValue(l, 'DateTime') && isValue(r, 'DateTime')) {
          return { op: 'binary', fn: lifted((a, b) => (a as Date).getTime() - (b as Date).getTime()), left, right, type: T.TimeSpan, at };
        }
        if (isValue(l, 'DateTime') && isValue(r, 'TimeSpan')) {
          return { op: 'binary', fn: lifted((a, b) => new Date((a as Date).getTime() - (b as number))), left, right, type: T.DateTime, at };
        }
        if (sameType(l, r) && isValue(l, 'TimeSpan')) return { op: 'binary', fn: lifted((a, b) => (a as number) - (b as number)), left, right, type: l, at };
        return this.arithmetic(op, left, right, at, refuse);
      default:
        return this.arithmetic(op, left, right, at, refuse);
    }
  }

  private arithmetic(op: string, left: Bound, right: Bound, at: number, refuse: () => never): Bound {
    if (!isNumeric(left.type) || !isNumeric(right.type)) refuse();
    const integral = isValue(left.type, 'int') && isValue(right.type, 'int');
    const type = integral ? T.int : T.double;
    return { op: 'binary', fn: lifted(arithmeticOf(op, integral)), left, right, type, at };
  }

  private cast(to: ExprType, operand: Bound, at: number): Bound {
    const from = operand.type;
    const refuse = (): never => this.fail(`Cannot convert type '${typeName(from)}' to '${typeName(to)}'`, at);
    if (sameType(from, to) || isValue(to, 'object')) return { ...operand, type: to };
    if (isValue(from, 'null')) {
      if (!isReference(to)) this.fail(`Cannot convert null to '${typeName(to)}' because it is a non-nullable value type`, at);
      return { ...operand, type: to };
    }
    const convert = (fn: (v: unknown) => unknown): Bound => ({ op: 'unary', fn, operand, type: to, at });
    if (isValue(from, 'object')) {
      switch (to.kind === 'value' ? to.name : '') {
        case 'string':
          return convert(castToString);
        case 'int':
          return convert(castToInt);
        case 'double':
          return convert(castToDouble);
        case 'bool':
          return convert(castToBool);
      }
      refuse();
    }
    if (isValue(from, 'int') && isValue(to, 'double')) return { ...operand, type: to };
    if (isValue(from, 'double') && isValue(to, 'int')) return convert((v) => (v === null ? null : Math.trunc(v as number) | 0));
    if (isValue(from, 'char') && isValue(to, 'int')) return convert((v) => (v === null ? null : (v as string).charCodeAt(0)));
    if (isValue(from, 'int') && isValue(to, 'char')) return convert((v) => (v === null ? null : String.fromCharCode((v as number) & 0xffff)));
    return refuse();
  }
}

function returns(statement: Statement): boolean {
  switch (statement.kind) {
    case 'return':
      return true;
    case 'block':
      return statement.body.some(returns);
    case 'if':
      return statement.otherwise !== null && returns(statement.then) && returns(statement.otherwise);
    default:
      return false;
  }
}

function defaultOf(type: ExprType): unknown {
  if (isValue(type, 'int') || isValue(type, 'double')) return 0;
  if (isValue(type, 'bool')) return false;
  if (isValue(type, 'char')) return '\0';
  return null;
}

/** Whether C# lets `==` compare these types. */
function comparable(l: ExprType, r: ExprType): boolean {
  if (isValue(l, 'null') || isValue(r, 'null')) return true;
  if (isValue(l, 'object') || isValue(r, 'object')) return isReference(l) || isReference(r);
  if (isNumeric(l) && isNumeric(r)) return true;
  return sameType(l, r);
}

function equality(l: ExprType, r: ExprType): (a: unknown, b: unknown) => boolean {
  if (isValue(l, 'DateTime') || isValue(r, 'DateTime') || isValue(l, 'object') || isValue(r, 'object')) {
    return (a, b) => {
      if (a === undefined) a = null;
      if (b === undefined) b = null;
      if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
      return a === b;
    };
  }
  return (a, b) => (a ?? null) === (b ?? null);
}

function relational(op: string, dates: boolean): (a: unknown, b: unknown) => boolean {
  const value = dates ? (v: unknown) => (v as Date).getTime() : (v: unknown) => v as number;
  // C#'s lifted comparisons: null compares false both ways.
  switch (op) {
    case '<':
      return (a, b) => a != null && b != null && value(a) < value(b);
    case '>':
      return (a, b) => a != null && b != null && value(a) > value(b);
    case '<=':
      return (a, b) => a != null && b != null && value(a) <= value(b);
    default:
      return (a, b) => a != null && b != null && value(a) >= value(b);
  }
}

const divideByZero = () => new ExpressionError('Attempted to divide by zero.', 'DivideByZeroException');

function arithmeticOf(op: string, integral: boolean): (a: number, b: number) => number {
  if (integral) {
    switch (op) {
      case '+':
        return (a, b) => (a + b) | 0;
      case '-':
        return (a, b) => (a - b) | 0;
      case '*':
        return Math.imul;
      case '/':
        return (a, b) => {
          if (b === 0) throw divideByZero();
          return (a / b) | 0;
        };
      default:
        return (a, b) => {
          if (b === 0) throw divideByZero();
          return a % b | 0;
        };
    }
  }
  switch (op) {
    case '+':
      return (a, b) => a + b;
    case '-':
      return (a, b) => a - b;
    case '*':
      return (a, b) => a * b;
    case '/':
      return (a, b) => a / b;
    default:
      return (a, b) => a % b;
  }
}

/** C#'s lifted operators: a null operand gives null. */
function lifted<A, B>(fn: (a: A, b: B) => unknown): (a: unknown, b: unknown) => unknown {
  return (a, b) => (a === null || a === undefined || b === null || b === undefined ? null : fn(a as A, b as B));
}

type TextKind = 'double' | 'TimeSpan' | 'other';
const textKind = (type: ExprType): TextKind => (isValue(type, 'double') ? 'double' : isValue(type, 'TimeSpan') ? 'TimeSpan' : 'other');
const toTextOf = (value: unknown, kind: TextKind) => (typeof value === 'string' ? value : toText(value, kind));
