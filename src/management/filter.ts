import { invalidField } from '../apim/armErrors';

/**
 * The OData `$filter` subset the lab supports: `field eq 'value'` clauses joined
 * by `and`, e.g. `state eq 'active' and productId eq 'starter'`. String literals
 * use single quotes, a quote inside doubled (`'O''Brien'`). Keywords and field
 * names are case-insensitive; each field is returned in its canonical spelling.
 * Anything else is a 400, never silently ignored: a filter that is dropped
 * would return too much.
 */

export interface FilterClause<F extends string = string> {
  field: F;
  value: string;
}

const MAX_FILTER_LENGTH = 2048;

type Token = { kind: 'word'; text: string } | { kind: 'string'; text: string };

/** Parses `text` into clauses over `fields`; throws a 400 naming `$filter`. */
export function parseFilter<F extends string>(text: string, fields: readonly F[]): FilterClause<F>[] {
  const unsupported = () =>
    invalidField('$filter', `unsupported filter: use "field eq 'value'" clauses joined by "and", on ${fields.join(', ')}`);
  if (text.length > MAX_FILTER_LENGTH) throw invalidField('$filter', `must be at most ${MAX_FILTER_LENGTH} characters`);
  const tokens = tokenize(text);
  if (!tokens) throw unsupported();
  const clauses: FilterClause<F>[] = [];
  for (let i = 0; ; i += 4) {
    const [name, op, literal, joiner] = [tokens[i], tokens[i + 1], tokens[i + 2], tokens[i + 3]];
    if (name?.kind !== 'word' || op?.kind !== 'word' || op.text.toLowerCase() !== 'eq' || literal?.kind !== 'string') throw unsupported();
    const field = fields.find((f) => f.toLowerCase() === name.text.toLowerCase());
    if (!field) throw unsupported();
    clauses.push({ field, value: literal.text });
    if (joiner === undefined) return clauses;
    if (joiner.kind !== 'word' || joiner.text.toLowerCase() !== 'and') throw unsupported();
  }
}

/** Words and quoted strings; undefined on any other character or an unterminated string. */
function tokenize(text: string): Token[] | undefined {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
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
