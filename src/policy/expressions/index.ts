/**
 * Policy expressions: APIM's `@( C# expression )` and `@{ statements }`, compiled
 * once, at write time, to closures over the read-only `context`. Tokenizer ->
 * Pratt parser -> checker (every member resolved against the description of
 * `context`) -> compiler. Nothing is evaluated as code; nothing outside the
 * declared context members and the whitelisted .NET members is reachable.
 * See docs/policies.md.
 */

import type { ExpressionContext, SourcePosition } from '../context';
import { checkExpression } from './check';
import { compileTree } from './compile';
import { parseExpressionText } from './parse';
import { ExpressionSource } from './source';

export { ExpressionError } from './values';
export { MAX_NESTING } from './parse';

export type CompiledExpression = (context: ExpressionContext) => unknown;

/** Longer expression text is refused, so compile time stays bounded whatever is submitted. */
export const MAX_EXPRESSION_LENGTH = 4096;

/** True when `text` is an expression: starts with `@(` or `@{` (after no leading text). */
export function isExpression(text: string): boolean {
  return text.startsWith('@(') || text.startsWith('@{');
}

/**
 * Compiles `text` (an attribute value or element text holding `@(...)` or `@{ ... }`) once,
 * to a closure. Throws PolicyError(message, where.element, <exact position of the fault in the
 * document>) on a syntax error, an unknown member, an unsupported construct. `where.position`
 * is the position of the first character of `text` in the document (line/column; the text may
 * span lines).
 *
 * The closure returns the value as C# would hold it (string, number, boolean, Date, string[],
 * or null) and throws `ExpressionError` where C# would throw; `formatValue` gives its text.
 */
export function compileExpression(text: string, where: { element: string; position: SourcePosition }): CompiledExpression {
  const source = new ExpressionSource(text, where.element, where.position);
  if (!isExpression(text)) throw source.error("A policy expression starts with '@(' or '@{'", 0);
  if (text.length > MAX_EXPRESSION_LENGTH) {
    throw source.error(`The expression is longer than ${MAX_EXPRESSION_LENGTH} characters`, MAX_EXPRESSION_LENGTH);
  }
  return compileTree(checkExpression(parseExpressionText(source), source));
}

export { toText as formatValue } from './values';
