import { describe, expect, it } from 'vitest';
import { PolicyError, type SourcePosition } from '../../../src/policy/context';
import { MAX_EXPRESSION_LENGTH, MAX_NESTING, compileExpression } from '../../../src/policy/expressions';

/** The refusal of `text` placed at `start` in a document. */
function refusal(text: string, start: SourcePosition = { line: 3, column: 10 }): PolicyError {
  try {
    compileExpression(text, { element: 'set-header', position: start });
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return error as PolicyError;
  }
  throw new Error(`${text} was accepted`);
}

/** Where the fault is: line 3, column 10 + offset of `marker` in a one-line text. */
const at = (text: string, marker: string, nth = 0) => {
  let offset = -1;
  for (let i = 0; i <= nth; i++) offset = text.indexOf(marker, offset + 1);
  if (offset < 0) throw new Error(`${marker} not in ${text}`);
  return { line: 3, column: 10 + offset };
};

describe('unknown members are write-time errors at the member', () => {
  it.each([
    ['@(context.Foo)', 'Foo', "'IContext' does not contain a definition for 'Foo'"],
    ['@(context.Request.Nope)', 'Nope', "'IRequest' does not contain a definition for 'Nope'"],
    ['@(context.Request.Url.Nope.Length)', 'Nope', "'IUrl' does not contain a definition for 'Nope'"],
    ['@(context.Product?.Nope)', 'Nope', "'IProduct' does not contain a definition for 'Nope'"],
    ['@(context.Request.IpAddress.Nope())', 'Nope', "'string' does not contain a definition for 'Nope'"],
    ['@(context.Request.Headers.Nope("x"))', 'Nope', "'IReadOnlyDictionary<string, string[]>' does not contain a definition for 'Nope'"],
    ['@(context.Request.Method())', 'Method', "Non-invocable member 'IRequest.Method' cannot be used like a method"],
    ['@(context.Request.IpAddress(1))', 'IpAddress', "Non-invocable member 'IRequest.IpAddress' cannot be used like a method"],
    ['@(foo.Bar)', 'foo', "The name 'foo' does not exist in the current context"],
    ['@(string.Nope(1))', 'Nope', "'string' does not contain a definition for 'Nope'"],
    ['@(DateTime.Tomorrow)', 'Tomorrow', "'DateTime' does not contain a definition for 'Tomorrow'"],
    ['@(string)', 'string', "'string' is a type, which is not valid in the given context"],
  ])('%s', (text, marker, message) => {
    const error = refusal(text);
    expect(error.message).toBe(message);
    expect(error.position).toStrictEqual(at(text, marker));
    expect(error.element).toBe('set-header');
  });

  it('names the position in a text spanning lines, from where the text starts', () => {
    const text = '@{\n  var ip = context.Request.IpAddress;\n  return context.Request.Nope;\n}';
    const error = refusal(text, { line: 7, column: 22 });
    expect(error.position).toStrictEqual({ line: 9, column: 26 });
    expect(error.detail).toBe("Error in element 'set-header' on line 9, column 26: 'IRequest' does not contain a definition for 'Nope'");
    // On the first line, columns count from the text's own column.
    expect(refusal('@(context.\nNope)', { line: 7, column: 22 }).position).toStrictEqual({ line: 8, column: 1 });
    expect(refusal('@(\r\n  context.Nope)', { line: 2, column: 5 }).position).toStrictEqual({ line: 3, column: 11 });
  });
});

describe('prototype walking is unreachable', () => {
  it.each([
    ['@(context.constructor)', 'constructor'],
    ['@(context.__proto__)', '__proto__'],
    ['@(context.Request.__proto__.constructor)', '__proto__'],
    ['@(context.Request.Headers.constructor)', 'constructor'],
    ['@(context.Request.Headers.get("x"))', 'get'],
    ['@(context.Request.Body.As)', 'As'],
    ['@(context.Request.IpAddress.constructor)', 'constructor'],
    ['@("".constructor)', 'constructor'],
    ['@(context.toString())', 'toString'],
    ['@(context.hasOwnProperty("Api"))', 'hasOwnProperty'],
    ['@(context.Request.IpAddress.valueOf())', 'valueOf'],
    ['@(context.Api.Protocols.map)', 'map'],
    ['@(context.Timestamp.getTime())', 'getTime'],
    ['@(string.prototype)', 'prototype'],
  ])('%s', (text, marker) => {
    const error = refusal(text);
    expect(error.message).toMatch(/does not contain a definition for|cannot be used like a method/);
    expect(error.position).toStrictEqual(at(text, marker));
  });

  it('the indexer is for dictionaries, arrays and strings only', () => {
    const text = '@(context["constructor"])';
    expect(refusal(text).message).toBe("Cannot apply indexing with [] to an expression of type 'IContext'");
    expect(refusal(text).position).toStrictEqual(at(text, '['));
  });

  it('a dictionary key never reaches an object property', () => {
    const compiled = compileExpression('@(context.Variables.ContainsKey("__proto__"))', { element: 'x', position: { line: 1, column: 1 } });
    const variables = { Keys: [], get: (key: string) => new Map<string, unknown>().get(key) };
    expect(compiled({ Variables: variables } as never)).toBe(false);
  });
});

describe('unsupported constructs are refused by name', () => {
  it.each([
    ['@{ foreach (var h in context.Request.Headers) { } return 1; }', 'foreach', "'foreach' is not supported in policy expressions by this gateway"],
    ['@{ while (true) { } }', 'while', "'while' is not supported in policy expressions by this gateway"],
    ['@{ for (;;) { } }', 'for', "'for' is not supported in policy expressions by this gateway"],
    ['@{ try { return 1; } catch { return 2; } }', 'try', "'try' is not supported in policy expressions by this gateway"],
    ['@{ throw null; }', 'throw', "'throw' is not supported in policy expressions by this gateway"],
    ['@{ switch (1) { } }', 'switch', "'switch' is not supported in policy expressions by this gateway"],
    ['@(new JObject())', 'new', "'new' is not supported in policy expressions by this gateway"],
    ['@(typeof(string))', 'typeof', "'typeof' is not supported in policy expressions by this gateway"],
    ['@(context.Variables["x"] is string)', 'is', "'is' is not supported in policy expressions by this gateway"],
    ['@(context.Variables["x"] as string)', 'as', "'as' is not supported in policy expressions by this gateway"],
    ['@(context.Request.Headers.Any(h => h.Key == "x"))', '=>', "A lambda expression ('=>') is not supported in policy expressions by this gateway"],
    ['@($"id {context.RequestId}")', '$', 'An interpolated string ($"...") is not supported in policy expressions by this gateway; use + or String.Format'],
    ['@(1 & 2)', '&', "The operator '&' is not supported in policy expressions by this gateway"],
    ['@(1 | 2)', '|', "The operator '|' is not supported in policy expressions by this gateway"],
    ['@(1 << 2)', '<<', "The operator '<<' is not supported in policy expressions by this gateway"],
    ['@(~1)', '~', "The operator '~' is not supported in policy expressions by this gateway"],
    ['@{ var i = 0; i++; return i; }', '++', "The operator '++' is not supported in policy expressions by this gateway"],
    ['@{ var i = 0; i += 1; return i; }', '+=', "The operator '+=' is not supported in policy expressions by this gateway"],
    ['@((JObject)context.Variables["x"])', 'JObject', "A cast to 'JObject' is not supported in policy expressions by this gateway"],
    ['@((long)1)', 'long', "A cast to 'long' is not supported in policy expressions by this gateway"],
    ['@(1L)', 'L', "The numeric suffix 'L' is not supported in policy expressions by this gateway"],
    ['@(1.5m)', 'm', "The numeric suffix 'm' is not supported in policy expressions by this gateway"],
    ['@(context.Request.Body.As<JObject>())', 'JObject', "'As<JObject>()' is not supported in policy expressions by this gateway; only As<string>()"],
    ['@(context.Variables.GetValueOrDefault<JObject>("x"))', 'JObject', 'JObject is not a supported type argument here; use string, int, bool, double or object'],
    ['@(context.Request.Headers?["x"])', '?', "The null-conditional indexer '?[' is not supported in policy expressions by this gateway"],
    ['@(int.TryParse("1", out var n))', 'out', "'out' is not supported in policy expressions by this gateway"],
    ['@(2147483648)', '2147483648', 'An integer literal larger than int.MaxValue is not supported in policy expressions by this gateway'],
  ])('%s', (text, marker, message) => {
    const error = refusal(text);
    expect(error.message).toBe(message);
    expect(error.position).toStrictEqual(at(text, marker));
  });
});

describe('type errors C# reports at compile time', () => {
  it.each([
    ['@(context.Response.StatusCode == "200")', '==', "Operator '==' cannot be applied to operands of type 'int' and 'string'"],
    ['@(context.Request.Method < "Z")', '<', "Operator '<' cannot be applied to operands of type 'string' and 'string'"],
    ['@(context.Request.Method && true)', '&&', "Operator '&&' cannot be applied to operands of type 'string' and 'bool'"],
    ['@(!context.Request.Method)', '!', "Operator '!' cannot be applied to operand of type 'string'"],
    ['@(!context.Variables["x"])', '!', "Operator '!' cannot be applied to operand of type 'object'"],
    ['@("a" - 1)', '-', "Operator '-' cannot be applied to operands of type 'string' and 'int'"],
    ['@(context.Response.StatusCode ?? 0)', '??', "Operator '??' cannot be applied to operands of type 'int' and 'int'"],
    ['@(true ? "a" : 1)', '?', "Type of conditional expression cannot be determined because there is no implicit conversion between 'string' and 'int'"],
    ['@(context.Request.Method ? 1 : 2)', 'Method', "Cannot implicitly convert type 'string' to 'bool'"],
    ['@((string)context.Response.StatusCode)', '(s', "Cannot convert type 'int' to 'string'"],
    ['@((int)"5")', '(i', "Cannot convert type 'string' to 'int'"],
    ['@((int)null)', '(i', "Cannot convert null to 'int' because it is a non-nullable value type"],
    ['@(context.Request.Headers[1])', '1', "Cannot implicitly convert type 'int' to 'string'"],
    ['@("abc".Substring("1"))', 'Substring', "No overload of 'Substring' accepts arguments of types (string)"],
    ['@("abc".Substring(1, 2, 3))', 'Substring', "No overload for method 'Substring' takes 3 arguments"],
    ['@("abc".ToLower<string>())', 'string', "The non-generic method 'ToLower' cannot be used with type arguments"],
    ['@(context.Request.Body.As())', 'As', "The type arguments for method 'As' cannot be inferred from the usage; write As<string>()"],
    ['@(context.Timestamp.ToString("yyyy-QQ"))', 'ToString', "The date format 'QQ' is not supported by this gateway."],
    ['@(String.Format("{x}", 1))', 'Format', 'The format string of String.Format is invalid: Input string was not in a correct format.'],
    ['@(String.Format("{1}", 1))', 'Format', 'The format string of String.Format is invalid: Index (zero based) must be greater than or equal to zero and less than the size of the argument list.'],
    ['@(5.Length)', 'Length', "'int' does not contain a definition for 'Length'"],
    ['@(null.Length)', 'Length', "Operator '.' cannot be applied to operand of type '<null>'"],
    ['@(context.Response.StatusCode?.ToString())', 'ToString', "Operator '?' cannot be applied to operand of type 'int'"],
  ])('%s', (text, marker, message) => {
    const error = refusal(text);
    expect(error.message).toBe(message);
    expect(error.position).toStrictEqual(at(text, marker));
  });

  it('statement blocks: declarations, assignments, returns', () => {
    const cases: [string, string, string][] = [
      ['@{ var x = 1; }', '{', 'Not all code paths return a value'],
      ['@{ if (true) { return 1; } }', '{', 'Not all code paths return a value'],
      ['@{ var x = null; return x; }', 'var', 'Cannot assign <null> to an implicitly-typed variable'],
      ['@{ var x; return 1; }', 'x', 'Implicitly-typed variables must be initialized'],
      ['@{ int x = "a"; return x; }', '"a"', "Cannot implicitly convert type 'string' to 'int'"],
      ['@{ var x = 1; x = "a"; return x; }', '"a"', "Cannot implicitly convert type 'string' to 'int'"],
      ['@{ y = 1; return 1; }', 'y', "The name 'y' does not exist in the current context"],
      ['@{ var x = 1; var x = 2; return x; }', 'var x = 2', "A local variable named 'x' cannot be declared in this scope because it would give a different meaning to 'x'", ],
      ['@{ var context = 1; return context; }', 'var', "A local variable named 'context' cannot be declared in this scope because it would give a different meaning to 'context'"],
      ['@{ if (true) return "a"; return 1; }', '1', "Cannot implicitly convert type 'int' to 'string'"],
      ['@{ if (1) return 1; return 2; }', '1', "Cannot implicitly convert type 'int' to 'bool'"],
      ['@{ "a".ToLower(); return 1; }', '"a"', "Only 'var' declarations, assignments to them, 'if'/'else' and 'return' can be used as statements"],
      ['@{ return; }', 'return', 'A return statement needs a value'],
      ['@{ if (true) var x = 1; return 1; }', 'var', 'Embedded statement cannot be a declaration; use a block { }'],
      ['@{ JObject o = null; return 1; }', 'JObject', "A declaration of type 'JObject' is not supported in policy expressions by this gateway"],
      ['@{ else { } return 1; }', 'else', "'else' without 'if'"],
    ];
    for (const [text, marker, message] of cases) {
      const error = refusal(text);
      expect([text, error.message]).toStrictEqual([text, message]);
      expect([text, error.position]).toStrictEqual([text, at(text, marker)]);
    }
  });
});

describe('syntax errors', () => {
  it.each([
    ['@(1 +)', ')', "Expression expected, found ')'"],
    ['@(context.)', ')', "Identifier expected, found ')'"],
    ['@((1)', '', "')' expected; the expression ends here"],
    ['@(1) trailing', 'trailing', 'Unexpected text after the end of the expression'],
    ['@("open)', '"', 'Newline in constant'],
    ['@("a\\q")', '\\', 'Unrecognized escape sequence'],
    ["@('ab')", "'", 'Too many characters in character literal'],
    ["@('')", "'", 'Empty character literal'],
    ['@(1 # 2)', '#', "Unexpected character '#'"],
    ['@(1 /* open)', '/*', "End-of-file found, '*/' expected"],
    ['@{ return 1 }', '}', "';' expected, found '}'"],
    ['@{ return 1;', '', "'}' expected; the expression ends here"],
    ['@((1)(2))', '(2', 'Method name expected'],
  ])('%s', (text, marker, message) => {
    const error = refusal(text);
    expect(error.message).toBe(message);
    const expected = marker === '' ? { line: 3, column: 10 + text.length } : at(text, marker);
    expect(error.position).toStrictEqual(expected);
  });

  it('text that is not an expression at all', () => {
    expect(refusal('plain').message).toBe("A policy expression starts with '@(' or '@{'");
  });
});

describe('bounded compile time', () => {
  it(`refuses text longer than ${MAX_EXPRESSION_LENGTH} characters`, () => {
    const text = `@(${'1 + '.repeat(1100)}1)`;
    const error = refusal(text);
    expect(error.message).toBe(`The expression is longer than ${MAX_EXPRESSION_LENGTH} characters`);
    expect(error.position).toStrictEqual({ line: 3, column: 10 + MAX_EXPRESSION_LENGTH });
  });

  it(`refuses nesting deeper than ${MAX_NESTING}, and accepts it up to there`, () => {
    const nested = (depth: number) => `@(${'('.repeat(depth - 1)}1${')'.repeat(depth - 1)})`;
    expect(() => compileExpression(nested(MAX_NESTING), { element: 'x', position: { line: 1, column: 1 } })).not.toThrow();
    const text = nested(MAX_NESTING + 1);
    const error = refusal(text);
    expect(error.message).toBe(`The expression is nested more than ${MAX_NESTING} levels deep`);
    expect(error.position).toStrictEqual(at(text, '1'));
    expect(refusal(`@(${'!'.repeat(100)}true)`).message).toBe(`The expression is nested more than ${MAX_NESTING} levels deep`);
    expect(refusal(`@{ ${'if (true) '.repeat(70)}return 1; return 2; }`).message).toBe(
      `The expression is nested more than ${MAX_NESTING} levels deep`,
    );
  });

  it('long flat expressions within the limit compile quickly', () => {
    const text = `@(${'context.Request.Method.ToLower().Length + '.repeat(90)}1)`;
    expect(text.length).toBeLessThan(MAX_EXPRESSION_LENGTH);
    const started = performance.now();
    compileExpression(text, { element: 'x', position: { line: 1, column: 1 } });
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
