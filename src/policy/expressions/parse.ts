/**
 * A Pratt parser for the C# that policy expressions use: `@( expression )` and
 * `@{ statements }`. Constructs of C# this gateway does not run are recognised
 * and refused by name, at their position.
 */

import type { Argument, Expr, ExpressionTree, Statement, TypeRef } from './ast';
import { type ExpressionSource, unsupported } from './source';
import { type Token, tokenize } from './tokens';

/** Deeper nesting than this is refused: compile time and stack stay bounded whatever the input. */
export const MAX_NESTING = 64;

/** Type keywords a cast, a declaration or a generic argument may name. */
export const TYPE_KEYWORDS = new Set(['string', 'int', 'bool', 'double', 'object', 'char']);

/** C# keywords this gateway does not run; each is refused by name. */
const REFUSED_KEYWORDS = new Set([
  'abstract', 'as', 'base', 'break', 'byte', 'case', 'catch', 'checked', 'class', 'const', 'continue', 'decimal',
  'default', 'delegate', 'do', 'enum', 'event', 'explicit', 'extern', 'finally', 'fixed', 'float', 'for', 'foreach',
  'goto', 'implicit', 'in', 'interface', 'internal', 'is', 'lock', 'long', 'namespace', 'new', 'operator', 'out',
  'override', 'params', 'private', 'protected', 'public', 'readonly', 'ref', 'sbyte', 'sealed', 'short', 'sizeof',
  'stackalloc', 'static', 'struct', 'switch', 'this', 'throw', 'try', 'typeof', 'uint', 'ulong', 'unchecked',
  'unsafe', 'ushort', 'using', 'virtual', 'void', 'volatile', 'while', 'await', 'yield', 'nameof', 'async',
]);

/** Binding powers of the binary operators, as C#'s precedence. */
const BINARY: Record<string, number> = {
  '??': 20, '||': 30, '&&': 40, '|': 50, '^': 60, '&': 70,
  '==': 80, '!=': 80, '<': 90, '>': 90, '<=': 90, '>=': 90,
  '<<': 100, '+': 110, '-': 110, '*': 120, '/': 120, '%': 120,
};
const SUPPORTED_BINARY = new Set(['??', '||', '&&', '==', '!=', '<', '>', '<=', '>=', '+', '-', '*', '/', '%']);
const ASSIGNMENTS = new Set(['=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<=', '>>=', '??=']);

export function parseExpressionText(source: ExpressionSource): ExpressionTree {
  return new Parser(source).parseTree();
}

class Parser {
  private readonly tokens: Token[];
  private index = 0;
  private depth = 0;

  constructor(private readonly source: ExpressionSource) {
    // The text starts with `@(` or `@{`; the tokens start at the bracket.
    this.tokens = tokenize(source, 1);
  }

  parseTree(): ExpressionTree {
    const open = this.next();
    let tree: ExpressionTree;
    if (open.text === '(' && open.kind === 'operator') {
      const body = this.parseExpression();
      this.expect(')');
      tree = { kind: 'expression', body };
    } else {
      this.index--;
      tree = { kind: 'statements', body: this.parseBlock() };
    }
    const rest = this.peek();
    if (rest.kind !== 'end') throw this.source.error('Unexpected text after the end of the expression', rest.at);
    return tree;
  }

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.index + ahead, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const token = this.peek();
    if (this.index < this.tokens.length - 1) this.index++;
    return token;
  }

  private isOperator(text: string, ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.kind === 'operator' && token.text === text;
  }

  private isWord(text: string, ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.kind === 'identifier' && token.text === text;
  }

  private expect(text: string): Token {
    const token = this.peek();
    if (token.kind !== 'operator' || token.text !== text) throw this.unexpected(token, `'${text}' expected`);
    return this.next();
  }

  private expectIdentifier(): Token {
    const token = this.peek();
    if (token.kind !== 'identifier') throw this.unexpected(token, 'Identifier expected');
    this.refuseKeyword(token);
    return this.next();
  }

  private unexpected(token: Token, expected: string) {
    if (token.kind === 'end') return this.source.error(`${expected}; the expression ends here`, token.at);
    return this.source.error(`${expected}, found '${describe(token)}'`, token.at);
  }

  private refuseKeyword(token: Token): void {
    if (token.kind === 'identifier' && REFUSED_KEYWORDS.has(token.text)) {
      throw this.source.error(unsupported(`'${token.text}'`), token.at);
    }
  }

  private enter(at: number): void {
    if (++this.depth > MAX_NESTING) {
      throw this.source.error(`The expression is nested more than ${MAX_NESTING} levels deep`, at);
    }
  }

  // Statements

  private parseBlock(): Statement & { kind: 'block' } {
    const open = this.expect('{');
    this.enter(open.at);
    const body: Statement[] = [];
    while (!this.isOperator('}')) {
      if (this.peek().kind === 'end') throw this.unexpected(this.peek(), "'}' expected");
      const statement = this.parseStatement();
      if (statement !== null) body.push(statement);
    }
    this.next();
    this.depth--;
    return { kind: 'block', body, at: open.at };
  }

  /** One statement, or null for an empty one (`;`). */
  private parseStatement(): Statement | null {
    const token = this.peek();
    if (token.kind === 'operator' && token.text === ';') {
      this.next();
      return null;
    }
    if (token.kind === 'operator' && token.text === '{') return this.parseBlock();
    if (token.kind === 'identifier') {
      this.refuseKeyword(token);
      switch (token.text) {
        case 'if':
          return this.parseIf();
        case 'else':
          throw this.source.error("'else' without 'if'", token.at);
        case 'return': {
          this.next();
          if (this.isOperator(';')) throw this.source.error('A return statement needs a value', token.at);
          const value = this.parseExpression();
          this.expect(';');
          return { kind: 'return', value, at: token.at };
        }
      }
      const isVar = token.text === 'var' && this.peek(1).kind === 'identifier';
      if (isVar || (TYPE_KEYWORDS.has(token.text) && this.peek(1).kind === 'identifier')) {
        return this.parseDeclaration(isVar ? null : { name: token.text, at: token.at });
      }
      if (this.isOperator('=', 1)) {
        this.next();
        this.next();
        const value = this.parseExpression();
        this.expect(';');
        return { kind: 'assign', name: token.text, value, at: token.at };
      }
      const after = this.peek(1);
      if (after.kind === 'operator' && ASSIGNMENTS.has(after.text)) {
        throw this.source.error(unsupported(`The operator '${after.text}'`), after.at);
      }
      if (after.kind === 'identifier' && !TYPE_KEYWORDS.has(token.text)) {
        throw this.source.error(unsupported(`A declaration of type '${token.text}'`), token.at);
      }
    }
    this.parseExpression();
    const after = this.peek();
    if (after.kind === 'operator' && (ASSIGNMENTS.has(after.text) || after.text === '++' || after.text === '--')) {
      throw this.source.error(unsupported(`The operator '${after.text}' here`), after.at);
    }
    throw this.source.error(
      "Only 'var' declarations, assignments to them, 'if'/'else' and 'return' can be used as statements",
      token.at,
    );
  }

  private parseIf(): Statement {
    const keyword = this.next();
    this.enter(keyword.at);
    this.expect('(');
    const test = this.parseExpression();
    this.expect(')');
    const then = this.parseEmbedded();
    let otherwise: Statement | null = null;
    if (this.isWord('else')) {
      this.next();
      otherwise = this.parseEmbedded();
    }
    this.depth--;
    return { kind: 'if', test, then, otherwise, at: keyword.at };
  }

  /** The body of `if`/`else`: a declaration there would be C#'s error CS1023. */
  private parseEmbedded(): Statement {
    const at = this.peek().at;
    const statement = this.parseStatement();
    if (statement === null) return { kind: 'block', body: [], at };
    if (statement.kind === 'declare') {
      throw this.source.error('Embedded statement cannot be a declaration; use a block { }', statement.at);
    }
    return statement;
  }

  private parseDeclaration(type: TypeRef | null): Statement {
    const first = this.next();
    const name = this.expectIdentifier();
    let init: Expr | null = null;
    if (this.isOperator('=')) {
      this.next();
      init = this.parseExpression();
    } else if (type === null) {
      throw this.source.error('Implicitly-typed variables must be initialized', name.at);
    }
    if (this.isOperator(',')) throw this.source.error(unsupported('Declaring several variables in one statement'), this.peek().at);
    this.expect(';');
    return { kind: 'declare', type, name: name.text, init, at: first.at };
  }

  // Expressions

  parseExpression(): Expr {
    const start = this.peek();
    this.enter(start.at);
    const test = this.parseBinary(0);
    let result = test;
    if (this.isOperator('?')) {
      const question = this.next();
      const whenTrue = this.parseExpression();
      this.expect(':');
      const whenFalse = this.parseExpression();
      result = { kind: 'conditional', test, whenTrue, whenFalse, at: question.at };
    }
    const after = this.peek();
    if (after.kind === 'operator' && ASSIGNMENTS.has(after.text) && after.text !== '=') {
      throw this.source.error(unsupported(`The operator '${after.text}'`), after.at);
    }
    if (after.kind === 'operator' && after.text === '=>') {
      throw this.source.error(unsupported("A lambda expression ('=>')"), after.at);
    }
    this.depth--;
    return result;
  }

  private parseBinary(minPower: number): Expr {
    let left = this.parseUnary();
    for (;;) {
      const token = this.peek();
      if (token.kind === 'identifier' && (token.text === 'is' || token.text === 'as')) this.refuseKeyword(token);
      if (token.kind !== 'operator') break;
      const power = BINARY[token.text];
      if (power === undefined || power <= minPower) break;
      if (!SUPPORTED_BINARY.has(token.text)) throw this.source.error(unsupported(`The operator '${token.text}'`), token.at);
      this.next();
      // `??` is right-associative; the others bind to the left.
      this.enter(token.at);
      const right = token.text === '??' ? this.parseBinary(power - 1) : this.parseBinary(power);
      this.depth--;
      left = { kind: 'binary', op: token.text, left, right, at: token.at };
    }
    return left;
  }

  private parseUnary(): Expr {
    const token = this.peek();
    if (token.kind === 'operator' && (token.text === '!' || token.text === '-' || token.text === '+')) {
      this.next();
      this.enter(token.at);
      const operand = this.parseUnary();
      this.depth--;
      return { kind: 'unary', op: token.text, operand, at: token.at };
    }
    if (token.kind === 'operator' && (token.text === '~' || token.text === '++' || token.text === '--' || token.text === '&' || token.text === '*')) {
      throw this.source.error(unsupported(`The operator '${token.text}'`), token.at);
    }
    if (this.isCast()) {
      this.next();
      const type = this.next();
      this.next();
      this.enter(token.at);
      const operand = this.parseUnary();
      this.depth--;
      return { kind: 'cast', type: { name: type.text, at: type.at }, operand, at: token.at };
    }
    return this.parsePostfix(this.parsePrimary());
  }

  /** `(int)x`: a parenthesised type keyword is always a cast; `(Name)x` is a cast to a type we refuse. */
  private isCast(): boolean {
    if (!this.isOperator('(') || this.peek(1).kind !== 'identifier' || !this.isOperator(')', 2)) return false;
    const name = this.peek(1).text;
    if (TYPE_KEYWORDS.has(name)) return true;
    const after = this.peek(3);
    const startsOperand =
      after.kind === 'identifier' || after.kind === 'string' || after.kind === 'char' || after.kind === 'int' ||
      after.kind === 'double' || (after.kind === 'operator' && (after.text === '(' || after.text === '!'));
    if (startsOperand && (REFUSED_KEYWORDS.has(name) || /^[A-Z]/.test(name))) {
      throw this.source.error(unsupported(`A cast to '${name}'`), this.peek(1).at);
    }
    return false;
  }

  private parsePrimary(): Expr {
    const token = this.next();
    switch (token.kind) {
      case 'string':
      case 'char':
        return { kind: 'literal', type: token.kind, value: token.text, at: token.at };
      case 'int':
      case 'double':
        return { kind: 'literal', type: token.kind, value: token.number, at: token.at };
      case 'identifier':
        this.refuseKeyword(token);
        if (token.text === 'true' || token.text === 'false') {
          return { kind: 'literal', type: 'bool', value: token.text === 'true', at: token.at };
        }
        if (token.text === 'null') return { kind: 'literal', type: 'null', value: null, at: token.at };
        return { kind: 'name', name: token.text, at: token.at };
      case 'operator':
        if (token.text === '(') {
          const inner = this.parseExpression();
          this.expect(')');
          return inner;
        }
        if (token.text === '=>') throw this.source.error(unsupported("A lambda expression ('=>')"), token.at);
        throw this.unexpected(token, 'Expression expected');
      case 'end':
        throw this.unexpected(token, 'Expression expected');
    }
  }

  private parsePostfix(target: Expr): Expr {
    let result = target;
    for (;;) {
      const token = this.peek();
      if (token.kind !== 'operator') return result;
      if (token.text === '.' || token.text === '?.') {
        this.next();
        result = this.parseMember(result, token.text === '?.');
      } else if (token.text === '[') {
        this.next();
        const index = this.parseExpression();
        if (this.isOperator(',')) throw this.source.error(unsupported('An indexer with several arguments'), this.peek().at);
        this.expect(']');
        result = { kind: 'index', target: result, index, at: token.at };
      } else if (token.text === '(') {
        throw this.source.error('Method name expected', token.at);
      } else if (token.text === '++' || token.text === '--' || token.text === '->' || token.text === '::') {
        throw this.source.error(unsupported(`The operator '${token.text}'`), token.at);
      } else if (token.text === '?' && this.isOperator('[', 1)) {
        throw this.source.error(unsupported("The null-conditional indexer '?['"), token.at);
      } else {
        return result;
      }
    }
  }

  private parseMember(target: Expr, conditional: boolean): Expr {
    const name = this.expectIdentifier();
    const typeArgs: TypeRef[] = [];
    // `Name<T>(`: a generic method call, not a comparison.
    if (this.isOperator('<') && this.peek(1).kind === 'identifier' && this.isOperator('>', 2) && this.isOperator('(', 3)) {
      this.next();
      const type = this.next();
      typeArgs.push({ name: type.text, at: type.at });
      this.next();
    }
    if (!this.isOperator('(')) {
      if (typeArgs.length > 0) throw this.unexpected(this.peek(), "'(' expected");
      return { kind: 'member', target, name: name.text, at: name.at, conditional };
    }
    this.next();
    const args: Argument[] = [];
    if (!this.isOperator(')')) {
      for (;;) {
        args.push(this.parseArgument());
        if (!this.isOperator(',')) break;
        this.next();
      }
    }
    this.expect(')');
    return { kind: 'call', target, name: name.text, at: name.at, conditional, typeArgs, args };
  }

  private parseArgument(): Argument {
    const token = this.peek();
    this.refuseKeyword(token);
    if (token.kind === 'identifier' && this.isOperator(':', 1)) {
      this.next();
      this.next();
      return { name: token.text, value: this.parseExpression(), at: token.at };
    }
    return { value: this.parseExpression(), at: token.at };
  }
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'string':
      return 'string literal';
    case 'char':
      return 'character literal';
    default:
      return token.text;
  }
}
