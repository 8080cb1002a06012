import { equalsIgnoreCase, lastIndexOfIgnoreCase } from './caseFold';
import type { LiteralPart, ParameterPart, RouteTemplate, TemplatePart } from './template';

/** Route values by parameter name; optional parameters without a value are absent. */
export type RouteValues = Record<string, string>;

/**
 * Matches a decoded request path (starting with `/`) against a template with the
 * semantics of ASP.NET Core's template matcher, which the Functions host uses:
 * one trailing slash is ignored, an empty segment never matches, literals ignore
 * case, a catch-all takes the rest of the path (trailing slash included) or
 * nothing, complex segments are matched right to left, then constraints apply.
 */
export function matchTemplate(template: RouteTemplate, path: string): RouteValues | undefined {
  const segments = tokenize(path);
  const values: RouteValues = {};

  for (let i = 0; i < segments.length; i++) {
    const { text, offset } = segments[i] as PathSegment;
    if (text === '') return undefined;
    const parts = template.segments[i]?.parts;
    if (!parts) return undefined;
    const [first] = parts as [TemplatePart];
    if (parts.length === 1 && first.kind === 'parameter') {
      if (first.catchAll) {
        setValue(values, first, path.slice(offset));
        return checkConstraints(template, fillDefaults(template, values));
      }
      values[first.name] = text;
    } else if (parts.length === 1) {
      if (!equalsIgnoreCase(text, (first as LiteralPart).text)) return undefined;
    } else if (!matchComplexSegment(parts, text, values)) {
      return undefined;
    }
  }

  // Template segments the path did not reach: only parameters that can go without a value.
  for (const segment of template.segments.slice(segments.length)) {
    const [part] = segment.parts as [TemplatePart];
    if (segment.parts.length > 1 || part.kind === 'literal') return undefined;
    if (part.catchAll) break;
    if (!part.optional && part.defaultValue === undefined) return undefined;
  }
  return checkConstraints(template, fillDefaults(template, values));
}

interface PathSegment {
  text: string;
  /** Index of the segment's first character in the path. */
  offset: number;
}

/** `/a/b/` -> `a`, `b`; `/` -> nothing. */
function tokenize(path: string): PathSegment[] {
  if (path.length <= 1) return [];
  const end = path.endsWith('/') ? path.length - 1 : path.length;
  const segments: PathSegment[] = [];
  let start = 1;
  for (;;) {
    const slash = path.indexOf('/', start);
    if (slash < 0 || slash >= end) {
      segments.push({ text: path.slice(start, end), offset: start });
      return segments;
    }
    segments.push({ text: path.slice(start, slash), offset: start });
    start = slash + 1;
  }
}

function setValue(values: RouteValues, parameter: ParameterPart, value: string): void {
  if (value !== '') values[parameter.name] = value;
  else if (parameter.defaultValue !== undefined) values[parameter.name] = parameter.defaultValue;
}

function fillDefaults(template: RouteTemplate, values: RouteValues): RouteValues {
  for (const parameter of template.parameters) {
    if (values[parameter.name] === undefined && parameter.defaultValue !== undefined) values[parameter.name] = parameter.defaultValue;
  }
  return values;
}

/** Constraints test present values (defaults included); an absent optional value passes. */
function checkConstraints(template: RouteTemplate, values: RouteValues): RouteValues | undefined {
  for (const parameter of template.parameters) {
    const value = values[parameter.name];
    if (value === undefined) continue;
    if (!parameter.constraints.every((constraint) => constraint.test(value))) return undefined;
  }
  return values;
}

/**
 * `{name}.{ext?}` style segments. When the last part is an optional parameter
 * after a `.`, the segment may also match without that `.` and parameter.
 */
function matchComplexSegment(parts: readonly TemplatePart[], text: string, values: RouteValues): boolean {
  const last = parts[parts.length - 1];
  const beforeLast = parts[parts.length - 2];
  if (last?.kind === 'parameter' && last.optional && beforeLast?.kind === 'literal') {
    if (matchParts(parts, parts.length - 1, text, values)) return true;
    if (text.endsWith(beforeLast.text)) return false;
    return matchParts(parts, parts.length - 3, text, values);
  }
  return matchParts(parts, parts.length - 1, text, values);
}

/**
 * Matches parts `0..lastUsed` right to left: each literal is the last occurrence
 * (ignoring case) left of what is already explained, leaving at least one
 * character for a parameter to its right; parameters take the text between.
 */
function matchParts(parts: readonly TemplatePart[], lastUsed: number, text: string, values: RouteValues): boolean {
  const found: [string, string][] = [];
  let end = text.length;
  let pending: ParameterPart | undefined;
  for (let i = lastUsed; i >= 0; i--) {
    const part = parts[i] as TemplatePart;
    if (part.kind === 'parameter') {
      pending = part;
      if (i > 0) continue;
      const value = text.slice(0, end);
      if (value === '') return false;
      found.push([part.name, value]);
      end = 0;
      break;
    }
    const searchEnd = pending ? end - 1 : end;
    if (searchEnd <= 0) return false;
    const at = lastIndexOfIgnoreCase(text, part.text, searchEnd);
    if (at < 0) return false;
    // The right-most literal of the segment must end it: `Foo` must not match `xFoox`.
    if (i === parts.length - 1 && at + part.text.length !== text.length) return false;
    if (pending) {
      const value = text.slice(at + part.text.length, end);
      if (value === '') return false;
      found.push([pending.name, value]);
      pending = undefined;
    }
    end = at;
  }
  // A leading literal must reach the start of the segment.
  if (parts[0]?.kind === 'literal' && end !== 0) return false;
  for (const [name, value] of found) values[name] = value;
  return true;
}
