import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PolicyError } from '../../../src/policy/context';
import { ExpressionError, compileExpression } from '../../../src/policy/expressions';
import { makeContext } from './context';

const start = { line: 4, column: 7 };

/** Compiles; anything but a PolicyError, or a position outside the text, fails the property. */
function compileOrRefuse(text: string) {
  try {
    return compileExpression(text, { element: 'set-body', position: start });
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    const lines = text.split(/\r\n|\r|\n/);
    const { line, column } = error.position;
    expect(line).toBeGreaterThanOrEqual(start.line);
    expect(line).toBeLessThanOrEqual(start.line + lines.length - 1);
    if (line === start.line) expect(column).toBeGreaterThanOrEqual(start.column);
    expect(column).toBeGreaterThanOrEqual(1);
    return null;
  }
}

/** Runs; anything but an ExpressionError fails the property. */
function runOrFail(compiled: ReturnType<typeof compileExpression>) {
  try {
    compiled(makeContext({ Product: null }));
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
  }
}

const vocabulary = [
  'context', '.', '?.', 'Request', 'Response', 'Product', 'Name', 'Headers', 'Variables', 'Url', 'Query', 'Path',
  'StatusCode', 'IpAddress', 'Body', 'As', '<', '>', 'string', 'int', 'bool', 'GetValueOrDefault', 'Equals',
  'ToLower', 'Substring', 'Split', 'Length', 'Count', 'Contains', '(', ')', '[', ']', '{', '}', ',', ';', ':', '?',
  '??', '!', '==', '!=', '<=', '>=', '&&', '||', '+', '-', '*', '/', '%', '=', '"x"', '@"y"', "'c'", '0', '1', '2.5',
  'true', 'false', 'null', 'var', 'if', 'else', 'return', 'x', 'new', 'foreach', '=>', 'constructor', '__proto__',
  'int.Parse', 'String.Format', 'string.IsNullOrEmpty', 'DateTime.UtcNow', 'StringComparison.OrdinalIgnoreCase',
  '"{0}"', '\n', '$"', '/*', '*/', '//',
];

const tokenSoup = fc.array(fc.constantFrom(...vocabulary), { maxLength: 40 }).map((tokens) => tokens.join(' '));

describe('fuzzed expressions', () => {
  it('arbitrary text after @( or @{: compiles or is refused with a PolicyError inside the text', () => {
    fc.assert(
      fc.property(fc.constantFrom('@(', '@{'), fc.string({ maxLength: 200 }), (open, body) => {
        const compiled = compileOrRefuse(open + body);
        if (compiled !== null) runOrFail(compiled);
      }),
      { numRuns: 2000 },
    );
  });

  it('token soup from the C# vocabulary: only PolicyError at compile time, only ExpressionError at run time', () => {
    fc.assert(
      fc.property(fc.constantFrom('@(', '@{ return '), tokenSoup, fc.constantFrom(')', '; }', ''), (open, body, close) => {
        const compiled = compileOrRefuse(open + body + close);
        if (compiled !== null) runOrFail(compiled);
      }),
      { numRuns: 3000 },
    );
  });

  it('well-formed member chains over the context: compile, or refuse an unknown member', () => {
    const member = fc.constantFrom('Request', 'Url', 'Path', 'Headers', 'Product', 'Name', 'Api', 'Id', 'Length', 'Nope', 'Query', 'Response', 'StatusCode');
    fc.assert(
      fc.property(fc.array(member, { minLength: 1, maxLength: 6 }), fc.boolean(), (members, conditional) => {
        const text = `@(context${members.map((m) => (conditional ? `?.${m}` : `.${m}`)).join('')})`;
        const compiled = compileOrRefuse(text);
        if (compiled !== null) runOrFail(compiled);
      }),
      { numRuns: 1000 },
    );
  });

  it('long and deeply nested inputs are refused quickly', () => {
    fc.assert(
      fc.property(fc.constantFrom('(', '!', '-', '[', 'if (true) ', '{'), fc.integer({ min: 60, max: 3000 }), (piece, count) => {
        const started = performance.now();
        compileOrRefuse(`@{ return ${piece.repeat(count)}1; }`);
        compileOrRefuse(`@(${piece.repeat(count)}`);
        expect(performance.now() - started).toBeLessThan(250);
      }),
      { numRuns: 200 },
    );
    const started = performance.now();
    expect(compileOrRefuse(`@(${'"a" + '.repeat(100_000)}"a")`)).toBeNull();
    expect(performance.now() - started).toBeLessThan(250);
  });
});
