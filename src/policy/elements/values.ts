/**
 * Attribute values and element text that may be policy expressions: compiled
 * once, evaluated per call. A plain value costs nothing at run time.
 */
import { formatValue, isExpression } from '../expressions';
import { contextOf } from '../callContext';
import { PolicyError, type SourcePosition } from '../context';
import type { PolicyCall } from '../call';
import type { XmlAttribute, XmlElement } from '../parse';
import { Attributes, textContent } from './attributes';
import type { CompileContext } from './definition';

export type Evaluate<T> = (call: PolicyCall) => T;

export { isExpression };

/** C#'s rendering of a value in text (`True`, not `true`), as the expression compiler formats it. */
export const toText: (value: unknown) => string = formatValue;

/** Trims blanks around text; element text positions already point at the first non-blank character. */
function trimmed(text: string, position: SourcePosition): { text: string; position: SourcePosition } {
  return { text: text.trim(), position };
}

/** Where an attribute value's first non-blank character is. */
function valueStart(attribute: XmlAttribute): SourcePosition {
  let { line, column } = attribute.valuePosition;
  for (const c of attribute.value.slice(0, attribute.value.length - attribute.value.trimStart().length)) {
    if (c === '\n') {
      line += 1;
      column = 1;
    } else {
      column += 1;
    }
  }
  return { line, column };
}

/** An expression's result, or undefined when `text` is plain. */
export function compileIfExpression(
  text: string,
  position: SourcePosition,
  element: string,
  context: CompileContext,
): Evaluate<unknown> | undefined {
  const value = trimmed(text, position);
  if (!isExpression(value.text)) return undefined;
  const compiled = context.compileExpression(value.text, { element, position: value.position });
  return (call) => compiled(contextOf(call));
}

/** A text value: plain (as written) or an expression rendered as text. */
export function textValue(text: string, position: SourcePosition, element: string, context: CompileContext): Evaluate<string> {
  const expression = compileIfExpression(text, position, element, context);
  if (expression === undefined) return () => text;
  return (call) => toText(expression(call));
}

/**
 * The text of an element that takes no attributes, only text (CDATA included):
 * plain, or an expression rendered as text. `owner` is the policy element named
 * in refusals (`set-header` for its `<value>` children).
 */
export function elementTextValue(element: XmlElement, context: CompileContext, owner: string = element.name): Evaluate<string> {
  new Attributes(element, []);
  const { text, position } = textContent(element);
  return textValue(text, position, owner, context);
}

/** An attribute's expression, or undefined when its value is plain. */
export function attributeExpression(attribute: XmlAttribute, element: string, context: CompileContext): Evaluate<unknown> | undefined {
  return compileIfExpression(attribute.value, valueStart(attribute), element, context);
}

export function attributeText(attribute: XmlAttribute, element: string, context: CompileContext): Evaluate<string> {
  return textValue(attribute.value, valueStart(attribute), element, context);
}

/** A condition: `true`/`false`, or an expression that must yield a boolean when it runs. */
export function attributeCondition(attribute: XmlAttribute, element: string, context: CompileContext): Evaluate<boolean> {
  const plain = attribute.value.trim().toLowerCase();
  if (plain === 'true' || plain === 'false') {
    const value = plain === 'true';
    return () => value;
  }
  const expression = compileIfExpression(attribute.value, valueStart(attribute), element, context);
  if (expression === undefined) {
    throw new PolicyError(`The attribute '${attribute.name}' must be an expression (@(...)) or 'true'/'false'.`, element, attribute.position);
  }
  return (call) => {
    const result = expression(call);
    if (typeof result !== 'boolean') throw new TypeError(`The '${attribute.name}' of '${element}' did not yield a boolean.`);
    return result;
  };
}
