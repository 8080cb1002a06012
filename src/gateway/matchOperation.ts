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
      list.push({ operation, template: templateOf(operation) });
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
  const segments = pathSegments(rest);
  for (const { operation, template } of candidates) {
    // A lazily parsed query is only parsed for a template with query pairs.
    const params = matchTemplate(template, segments, typeof query === 'function' ? (template.query.length ? query() : null) : query);
    if (params) return { operation, params };
  }
  return undefined;
}
