import { invalidField } from '../apim/armErrors';

/**
 * The OData `$filter` subset of APIM's list operations: clauses joined by `and`,
 * each either a comparison `field op 'value'` (`eq`, `ne`, `gt`, `ge`, `lt`, `le`)
 * or a function `contains(field, 'value')`, `startswith(...)`, `endswith(...)`,
 * `substringof('value', field)`. String literals use single quotes, a quote
 * inside doubled (`'O''Brien'`). Keywords and field names are case-insensitive;
 * each field is returned in its canonical spelling. Some fields allow `eq` only
 * (a subscription's `state`, as in APIM). Anything else (`or`, `not`, grouping
 * parentheses, other functions, numbers) is a 400, never silently ignored: a
 * filter that is dropped would return too much.
 */

export type FilterOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le' | 'contains' | 'startswith' | 'endswith';

export interface FilterClause<F extends string = string> {
  field: F;
  op: FilterOp;
  value: string;
}

const COMPARISONS = new Set<FilterOp>(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const FUNCTIONS = new Set<FilterOp>(['contains', 'startswith', 'endswith']);
const MAX_FILTER_LENGTH = 2048;
const MAX_CLAUSES = 32;

type Token = { kind: 'word'; text: string } | { kind: 'string'; text: string } | { kind: 'punct'; text: '(' | ')' | ',' };

/**
 * Parses `text` into clauses over `fields`; throws a 400 naming `$filter`. Fields
 * in `eqOnly` take `eq` and nothing else; fields in `booleans` take `eq` or `ne`
 * with `true` or `false` (the clause's value is then `'true'` or `'false'`).
 */
export function parseFilter<F extends string>(
  text: string,
  fields: readonly F[],
  eqOnly: readonly F[] = [],
  booleans: readonly F[] = [],
): FilterClause<F>[] {
  const unsupported = () =>
    invalidField(
      '$filter',
      `unsupported filter: use clauses joined by "and", each "field op 'value'" (op: eq, ne, gt, ge, lt, le) or contains/startswith/endswith(field, 'value'), on ${fields.join(', ')}`,
    );
  if (text.length > MAX_FILTER_LENGTH) throw invalidField('$filter', `must be at most ${MAX_FILTER_LENGTH} characters`);
  const tokens = tokenize(text);
  if (!tokens || tokens.length === 0) throw unsupported();

  let at = 0;
  const word = (): string | undefined => {
    const token = tokens[at];
    if (token?.kind !== 'word') return undefined;
    at++;
    return token.text;
  };
  const literal = (): string | undefined => {
    const token = tokens[at];
    if (token?.kind !== 'string') return undefined;
    at++;
    return token.text;
  };
  const punct = (text: '(' | ')' | ','): boolean => {
    const token = tokens[at];
    if (token?.kind !== 'punct' || token.text !== text) return false;
    at++;
    return true;
  };
  const fieldOf = (name: string | undefined): F => {
    const field = name === undefined ? undefined : fields.find((f) => f.toLowerCase() === name.toLowerCase());
    if (!field) throw unsupported();
    return field;
  };

  const clauses: FilterClause<F>[] = [];
  for (;;) {
    const first = word();
    if (first === undefined) throw unsupported();
    const name = first.toLowerCase();
    let clause: FilterClause<F>;
    if (tokens[at]?.kind === 'punct') {
      // A function call.
      if (!punct('(')) throw unsupported();
      if (name === 'substringof') {
        const value = literal();
        if (value === undefined || !punct(',')) throw unsupported();
        clause = { field: fieldOf(word()), op: 'contains', value };
      } else if (FUNCTIONS.has(name as FilterOp)) {
        const field = fieldOf(word());
        const value = punct(',') ? literal() : undefined;
        if (value === undefined) throw unsupported();
        clause = { field, op: name as FilterOp, value };
      } else {
        throw unsupported();
      }
      if (!punct(')')) throw unsupported();
    } else {
      const field = fieldOf(first);
      const op = word()?.toLowerCase() as FilterOp | undefined;
      if (op === undefined || !COMPARISONS.has(op)) throw unsupported();
      if (booleans.includes(field)) {
        const value = word()?.toLowerCase();
        if ((op !== 'eq' && op !== 'ne') || (value !== 'true' && value !== 'false')) {
          throw invalidField('$filter', `${field} supports only eq and ne with true or false`);
        }
        clause = { field, op, value };
      } else {
        const value = literal();
        if (value === undefined) throw unsupported();
        clause = { field, op, value };
      }
    }
    if (booleans.includes(clause.field) && clause.op !== 'eq' && clause.op !== 'ne') {
      throw invalidField('$filter', `${clause.field} supports only eq and ne with true or false`);
    }
    if (clause.op !== 'eq' && eqOnly.includes(clause.field)) {
      throw invalidField('$filter', `${clause.field} supports only eq`);
    }
    clauses.push(clause);
    if (clauses.length > MAX_CLAUSES) throw invalidField('$filter', `must have at most ${MAX_CLAUSES} clauses`);
    if (at === tokens.length) return clauses;
    if (word()?.toLowerCase() !== 'and') throw unsupported();
  }
}

/**
 * Whether a text value satisfies a clause, ignoring case (as APIM compares).
 * Ordering is by UTF-16 code units of the lower-cased texts. A missing value
 * (`null`) equals nothing, differs from everything (`ne` holds, as in OData),
 * is ordered against nothing and contains nothing.
 */
export function textMatches(actual: string | null | undefined, op: FilterOp, value: string): boolean {
  if (actual === null || actual === undefined) return op === 'ne';
  const a = actual.toLowerCase();
  const v = value.toLowerCase();
  switch (op) {
    case 'eq':
      return a === v;
    case 'ne':
      return a !== v;
    case 'gt':
      return a > v;
    case 'ge':
      return a >= v;
    case 'lt':
      return a < v;
    case 'le':
      return a <= v;
    case 'contains':
      return a.includes(v);
    case 'startswith':
      return a.startsWith(v);
    case 'endswith':
      return a.endsWith(v);
  }
}

/** How a list's `$filter` reads one field of an item. */
export type FilterField<T> =
  | { readonly text: (item: T) => string | null | undefined; readonly eqOnly?: boolean }
  | { readonly flag: (item: T) => boolean };

/**
 * The list's `$filter` (if any) as a predicate over items, from the fields the list
 * supports; a filter naming any other field, or using what a field does not
 * support, is a 400 naming `$filter`.
 */
export function filterOf<T, F extends string>(url: URL, fields: Readonly<Record<F, FilterField<T>>>): (item: T) => boolean {
  const text = url.searchParams.get('$filter');
  if (text === null) return () => true;
  const names = Object.keys(fields) as F[];
  const eqOnly = names.filter((name) => {
    const field: FilterField<T> = fields[name];
    return 'text' in field && field.eqOnly === true;
  });
  const booleans = names.filter((name) => 'flag' in fields[name]);
  const tests = parseFilter(text, names, eqOnly, booleans).map(({ field, op, value }): ((item: T) => boolean) => {
    const read: FilterField<T> = fields[field];
    if ('flag' in read) return (item) => (read.flag(item) === (value === 'true')) === (op === 'eq');
    return (item) => textMatches(read.text(item), op, value);
  });
  return (item) => tests.every((test) => test(item));
}

/** Words, quoted strings, `(`, `)` and `,`; undefined on any other character or an unterminated string. */
function tokenize(text: string): Token[] | undefined {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: 'punct', text: c });
      i++;
    } else if (c === "'") {
      let value = '';
      for (i++; ; i++) {
        if (i >= text.length) return undefined;
        if (text[i] === "'") {
          if (text[i + 1] !== "'") break;
          i++;
        }
        value += text[i];
      }
      i++;
      tokens.push({ kind: 'string', text: value });
    } else {
      const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
      if (!word) return undefined;
      tokens.push({ kind: 'word', text: word[0] });
      i += word[0].length;
    }
  }
  return tokens;
}
