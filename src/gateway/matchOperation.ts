import type { Operation } from '../catalog/records';
import { compileTemplate, matchTemplate, pathSegments, type CompiledTemplate } from './urlTemplate';

export interface OperationMatch {
  readonly operation: Operation;
  /** Template parameters bound by the request, percent-decoded. */
  readonly params: Readonly<Record<string, string>>;
}

interface Candidate {
  readonly operation: Operation;
  readonly template: CompiledTemplate;
  /**
   * For a template of ASCII literal segments only (no parameter, wildcard or query
   * pair): the path it matches, lower case, without trailing slash (`''` for none).
   * Lets a request path without `%` be compared as a whole, without splitting it.
   */
  readonly literalPath: string | null;
}

const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze({});

function literalPathOf(template: CompiledTemplate): string | null {
  if (template.wildcard !== null || template.query.length !== 0) return null;
  let path = '';
  for (const segment of template.segments) {
    // A decoded `/` (`%2F`) is one segment for the template, two in a plain path.
    if (segment.kind !== 'literal' || !/^[\x00-\x2e\x30-\x7f]*$/.test(segment.text)) return null;
    path += '/' + segment.text;
  }
  return path;
}

/**
 * `matchTemplate` for a literal-only template and a request path without `%`
 * (so decoding is the identity): one trailing slash ignored, compared without case.
 * For an ASCII template the lower-cased path can only equal it at the same length,
 * and whole-path lower-casing equals lower-casing each segment.
 */
function matchesLiteralPath(rest: string, literalPath: string): boolean {
  let end = rest.length;
  if (end > 1 && rest.charCodeAt(end - 1) === 0x2f) end--;
  if (end === 1) end = 0; // `/` has no segments
  if (end !== literalPath.length) return false;
  const path = end === rest.length ? rest : rest.slice(0, end);
  return path === literalPath || path.toLowerCase() === literalPath;
}

// Records are immutable and replaced on change, so identity is a safe cache key:
// a changed operation (or a changed list) simply misses and is compiled afresh.
const compiled = new WeakMap<Operation, CompiledTemplate>();
const byList = new WeakMap<readonly Operation[], ReadonlyMap<string, readonly Candidate[]>>();

function templateOf(operation: Operation): CompiledTemplate {
  let template = compiled.get(operation);
  if (!template) compiled.set(operation, (template = compileTemplate(operation.urlTemplate)));
  return template;
}

/**
 * Decision: when several templates match, the most specific wins — more literal
 * segments, then more mixed segments (`{id}.json`), then no wildcard, then more
 * query pairs, then fewer parameters; remaining ties go to the lower template text
 * and operation id, so the choice never depends on catalog order.
 */
function bySpecificity(a: Candidate, b: Candidate): number {
  const sa = a.template.specificity;
  const sb = b.template.specificity;
  for (let i = 0; i < sa.length; i++) {
    const d = sb[i]! - sa[i]!;
    if (d !== 0) return d;
  }
  return compare(a.template.source, b.template.source) || compare(a.operation.id, b.operation.id);
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function candidatesByMethod(operations: readonly Operation[]): ReadonlyMap<string, readonly Candidate[]> {
  let index = byList.get(operations);
  if (!index) {
    const map = new Map<string, Candidate[]>();
    for (const operation of operations) {
      const list = map.get(operation.method) ?? [];
      const template = templateOf(operation);
      list.push({ operation, template, literalPath: literalPathOf(template) });
      map.set(operation.method, list);
    }
    for (const list of map.values()) list.sort(bySpecificity);
    byList.set(operations, (index = map));
  }
  return index;
}

/**
 * Stage 2: the operation for `method` whose template matches `rest` (the raw path
 * after the API path) and the query. No fallback from HEAD to GET: APIM needs an
 * explicit HEAD operation (the Echo API defines one), and a miss is a 404, never 405.
 */
export function matchOperation(
  operations: readonly Operation[],
  method: string,
  rest: string,
  query: URLSearchParams | null | (() => URLSearchParams | null),
): OperationMatch | undefined {
  const candidates = candidatesByMethod(operations).get(method.toUpperCase());
  if (!candidates) return undefined;
  const plain = !rest.includes('%');
  let segments: string[] | undefined;
  for (const { operation, template, literalPath } of candidates) {
    if (plain && literalPath !== null) {
      if (matchesLiteralPath(rest, literalPath)) return { operation, params: NO_PARAMS };
      continue;
    }
    segments ??= pathSegments(rest);
    // A lazily parsed query is only parsed for a template with query pairs.
    const params = matchTemplate(template, segments, typeof query === 'function' ? (template.query.length ? query() : null) : query);
    if (params) return { operation, params };
  }
  return undefined;
}

/** A SOAP API's operations: those matched by SOAP action, by method and lower-cased action; and the rest. */
interface SoapIndex {
  readonly byAction: ReadonlyMap<string, ReadonlyMap<string, Operation>>;
  readonly others: readonly Operation[];
}

const soapIndexes = new WeakMap<readonly Operation[], SoapIndex>();

/** The lower-cased action of a `/?soapAction=<action>` template (its query value, decoded), else `null`. */
function soapActionTemplate(template: CompiledTemplate): string | null {
  if (template.segments.length !== 0 || template.wildcard !== null || template.query.length !== 1) return null;
  const [pair] = template.query;
  return pair!.name === 'soapaction' ? pair!.value : null;
}

function soapIndexOf(operations: readonly Operation[]): SoapIndex {
  let index = soapIndexes.get(operations);
  if (!index) {
    const byAction = new Map<string, Map<string, Operation>>();
    const others: Operation[] = [];
    // In specificity order, so of two operations with one action the same one always wins.
    for (const [method, candidates] of candidatesByMethod(operations)) {
      for (const { operation, template } of candidates) {
        const action = soapActionTemplate(template);
        if (action === null) {
          others.push(operation);
          continue;
        }
        const actions = byAction.get(method) ?? new Map<string, Operation>();
        if (!actions.has(action)) actions.set(action, operation);
        byAction.set(method, actions);
      }
    }
    soapIndexes.set(operations, (index = { byAction, others }));
  }
  return index;
}

/** No operation of a SOAP API matched; `action` is the SOAP action the request named (`null`: none). */
export interface SoapMiss {
  readonly operation?: undefined;
  readonly action: string | null;
}

/**
 * Stage 2 for a SOAP pass-through API: an operation whose template is
 * `/?soapAction=<action>` matches the request's method, the path `/` and the SOAP
 * action of its headers (`soapActionOf`), compared as query values are, without
 * case. The API's other operations match as in `matchOperation`; a `soapAction`
 * query parameter of the request is no SOAP action.
 */
export function matchSoapOperation(
  operations: readonly Operation[],
  method: string,
  rest: string,
  action: string | null,
  query: () => URLSearchParams | null,
): OperationMatch | SoapMiss {
  const index = soapIndexOf(operations);
  if (action !== null && (rest === '' || rest === '/')) {
    const operation = index.byAction.get(method.toUpperCase())?.get(action.toLowerCase());
    if (operation) return { operation, params: NO_PARAMS };
  }
  return (index.others.length === 0 ? undefined : matchOperation(index.others, method, rest, query)) ?? { action };
}
