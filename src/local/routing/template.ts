import { equalsIgnoreCase } from './caseFold';
import { resolveConstraint, type RouteConstraint } from './constraints';

/** Literal text of a segment (`{{` and `}}` already unescaped). */
export interface LiteralPart {
  readonly kind: 'literal';
  readonly text: string;
}

/** `{name}`, `{name?}`, `{name=default}`, `{name:int}`, `{*rest}`. */
export interface ParameterPart {
  readonly kind: 'parameter';
  readonly name: string;
  readonly catchAll: boolean;
  readonly optional: boolean;
  readonly defaultValue: string | undefined;
  readonly constraints: readonly RouteConstraint[];
}

export type TemplatePart = LiteralPart | ParameterPart;

/** One `/`-separated piece; "complex" when it has more than one part, e.g. `{name}.{ext}`. */
export interface TemplateSegment {
  readonly parts: readonly TemplatePart[];
}

export interface RouteTemplate {
  readonly text: string;
  readonly segments: readonly TemplateSegment[];
  readonly parameters: readonly ParameterPart[];
}

/**
 * Parses an ASP.NET Core route template as the Functions host does, with the same
 * refusals (consecutive separators or parameters, misplaced catch-all or optional
 * parameters, duplicate names, unknown constraints). Throws an Error naming the problem.
 */
export function parseRouteTemplate(text: string): RouteTemplate {
  const body = text.startsWith('~/') ? text.slice(2) : text.startsWith('/') ? text.slice(1) : text;
  const pieces = body === '' ? [] : splitSegments(body, text);
  // One trailing slash is harmless: routing ignores it in requests too.
  if (pieces.length > 1 && pieces[pieces.length - 1] === '') pieces.pop();

  const segments = pieces.map((piece) => {
    if (piece === '') {
      throw new Error(`The route template "${text}" has an empty segment: "/" must be separated by a parameter or a literal.`);
    }
    return { parts: parseSegment(piece, text) };
  });
  const parameters = segments.flatMap((segment) => segment.parts.filter((part): part is ParameterPart => part.kind === 'parameter'));
  validate(text, segments, parameters);
  return { text, segments, parameters };
}

/** Splits at `/` outside `{...}`, so a constraint such as `regex(a/b)` stays whole. */
function splitSegments(body: string, text: string): string[] {
  const pieces: string[] = [];
  let current = '';
  let inParameter = false;
  for (let i = 0; i < body.length; i++) {
    const char = body[i] as string;
    const next = body[i + 1];
    if ((char === '{' || char === '}') && next === char) {
      current += char + next;
      i++;
    } else if (char === '{') {
      if (inParameter) throw new Error(`The route template "${text}" has an unescaped "{" inside a parameter; write "{{".`);
      inParameter = true;
      current += char;
    } else if (char === '}') {
      if (!inParameter) throw new Error(`The route template "${text}" has an unmatched "}"; write "}}" for a literal brace.`);
      inParameter = false;
      current += char;
    } else if (char === '/' && !inParameter) {
      pieces.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  if (inParameter) throw new Error(`The route template "${text}" has a "{" without its "}".`);
  pieces.push(current);
  return pieces;
}

function parseSegment(piece: string, text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let literal = '';
  const pushLiteral = () => {
    if (literal === '') return;
    if (literal.includes('?')) throw new Error(`The route template "${text}" has "?" in a literal: only a parameter can be optional.`);
    parts.push({ kind: 'literal', text: literal });
    literal = '';
  };
  for (let i = 0; i < piece.length; i++) {
    const char = piece[i] as string;
    if ((char === '{' || char === '}') && piece[i + 1] === char) {
      literal += char;
      i++;
      continue;
    }
    if (char !== '{') {
      literal += char;
      continue;
    }
    // A parameter: read to the closing brace, unescaping doubled braces inside it.
    let inner = '';
    for (i++; i < piece.length; i++) {
      const c = piece[i] as string;
      if ((c === '{' || c === '}') && piece[i + 1] === c) {
        inner += c;
        i++;
      } else if (c === '}') {
        break;
      } else {
        inner += c;
      }
    }
    pushLiteral();
    if (parts[parts.length - 1]?.kind === 'parameter') {
      throw new Error(`The route template "${text}" has two consecutive parameters in "${piece}": separate them by "/" or a literal.`);
    }
    parts.push(parseParameter(inner, text));
  }
  pushLiteral();
  return parts;
}

function parseParameter(inner: string, text: string): ParameterPart {
  let rest = inner;
  const catchAll = rest.startsWith('*');
  rest = rest.replace(/^\*{1,2}/, '');

  const nameEnd = rest.search(/[:=]|\?$/);
  const name = nameEnd < 0 ? rest : rest.slice(0, nameEnd);
  rest = nameEnd < 0 ? '' : rest.slice(nameEnd);
  if (name === '' || /[{}/?*]/.test(name)) {
    throw new Error(`The route template "${text}" has an invalid parameter name "${name}" in "{${inner}}".`);
  }

  const constraints: RouteConstraint[] = [];
  while (rest.startsWith(':')) {
    const end = constraintEnd(rest);
    constraints.push(resolveConstraint(rest.slice(1, end)));
    rest = rest.slice(end);
  }

  let optional = false;
  let defaultValue: string | undefined;
  if (rest.startsWith('=')) {
    defaultValue = rest.slice(1);
    if (defaultValue.endsWith('?')) throw new Error(`The route template "${text}": the optional parameter "${name}" cannot have a default value.`);
  } else if (rest === '?') {
    optional = true;
  } else if (rest !== '') {
    throw new Error(`The route template "${text}" has an invalid parameter "{${inner}}".`);
  }
  if (catchAll && optional) throw new Error(`The route template "${text}": the catch-all parameter "${name}" cannot be optional.`);
  return { kind: 'parameter', name, catchAll, optional, defaultValue, constraints };
}

/** Index just past one `:constraint` (parentheses may hold `:` `=` `?`). */
function constraintEnd(rest: string): number {
  let depth = 0;
  for (let i = 1; i < rest.length; i++) {
    const char = rest[i];
    if (char === '(') depth++;
    else if (char === ')') depth = Math.max(0, depth - 1);
    else if (depth === 0 && (char === ':' || char === '=' || (char === '?' && i === rest.length - 1))) return i;
  }
  return rest.length;
}

function validate(text: string, segments: TemplateSegment[], parameters: ParameterPart[]): void {
  segments.forEach((segment, index) => {
    segment.parts.forEach((part, position) => {
      if (part.kind !== 'parameter') return;
      if (part.catchAll && (index !== segments.length - 1 || segment.parts.length > 1)) {
        throw new Error(`The route template "${text}": the catch-all parameter "${part.name}" must be alone in the last segment.`);
      }
      if (part.optional && segment.parts.length > 1) {
        if (position !== segment.parts.length - 1) {
          throw new Error(`The route template "${text}": the optional parameter "${part.name}" must be at the end of its segment.`);
        }
        const before = segment.parts[position - 1];
        if (before?.kind !== 'literal' || before.text !== '.') {
          throw new Error(`The route template "${text}": only a period (.) can precede the optional parameter "${part.name}".`);
        }
      }
    });
  });
  parameters.forEach((parameter, index) => {
    if (parameters.slice(0, index).some((other) => equalsIgnoreCase(other.name, parameter.name))) {
      throw new Error(`The route template "${text}" uses the parameter name "${parameter.name}" more than once.`);
    }
  });
}
