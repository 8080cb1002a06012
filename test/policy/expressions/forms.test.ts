import { describe, expect, it } from 'vitest';
import { ExpressionError, formatValue, isExpression } from '../../../src/policy/expressions';
import { compile, dictionary, evaluate, makeContext } from './context';

const fails = (text: string, overrides: Parameters<typeof evaluate>[1] = {}) => {
  try {
    evaluate(text, overrides);
  } catch (error) {
    expect(error).toBeInstanceOf(ExpressionError);
    return error as ExpressionError;
  }
  throw new Error(`${text} did not throw`);
};

describe('isExpression', () => {
  it('recognises @( and @{ at the very start only', () => {
    expect(isExpression('@(1)')).toBe(true);
    expect(isExpression('@{ return 1; }')).toBe(true);
    expect(isExpression(' @(1)')).toBe(false);
    expect(isExpression('text @(1)')).toBe(false);
    expect(isExpression('@ (1)')).toBe(false);
    expect(isExpression('plain')).toBe(false);
  });
});

describe('the context, with APIM member names', () => {
  it.each([
    ['@(context.Operation.Name.Equals("GetPosts"))', true],
    ['@(context.Operation.Name.Equals("getposts"))', false],
    ['@(context.Operation.Name.Equals("getposts", StringComparison.OrdinalIgnoreCase))', true],
    ['@(context.Response.StatusCode == 200)', true],
    ['@(context.Response.StatusCode != 200)', false],
    ['@(context.Request.IpAddress)', '10.0.0.7'],
    ['@(context.Request.Method)', 'GET'],
    ['@(context.Request.Url.Path)', '/echo/posts'],
    ['@(context.Request.Url.Host)', 'contoso.azure-api.net'],
    ['@(context.Request.Url.Port)', 443],
    ['@(context.Request.Url.QueryString)', '?q=apim&tag=a&tag=b'],
    ['@(context.Subscription.Id)', 'sub-1'],
    ['@(context.Product.Name)', 'Starter'],
    ['@(context.Api.Name)', 'Echo API'],
    ['@(context.Api.SubscriptionKeyParameterNames.Header)', 'Ocp-Apim-Subscription-Key'],
    ['@(context.Operation.Id)', 'get-posts'],
    ['@(context.Deployment.Region)', 'West Europe'],
    ['@(context.RequestId)', '8c5ba0a0-0000-4000-8000-000000000001'],
    ['@(context.Api.Protocols[0])', 'https'],
  ])('%s', (text, expected) => {
    expect(evaluate(text)).toStrictEqual(expected);
  });

  it('headers: GetValueOrDefault joins a header\'s values with ",", the name without case', () => {
    expect(evaluate('@(context.Request.Headers.GetValueOrDefault("accept", "d"))')).toBe('text/plain,application/json');
    expect(evaluate('@(context.Request.Headers.GetValueOrDefault("X-Missing", "d"))')).toBe('d');
    expect(evaluate('@(context.Request.Headers.GetValueOrDefault("X-Missing"))')).toBeNull();
    expect(evaluate('@(context.Request.Headers.ContainsKey("X-Client"))')).toBe(true);
    expect(evaluate('@(context.Request.Headers.ContainsKey("X-Nope"))')).toBe(false);
    expect(evaluate('@(context.Request.Headers["Accept"])')).toStrictEqual(['text/plain', 'application/json']);
    expect(evaluate('@(context.Request.Headers["Accept"].Length)')).toBe(2);
    expect(evaluate('@(context.Request.Headers["Accept"].Count())')).toBe(2);
    expect(evaluate('@(context.Request.Headers["Accept"][1])')).toBe('application/json');
    expect(evaluate('@(context.Request.Headers["X-Client"].First())')).toBe('lab');
    expect(evaluate('@(context.Request.Headers.Count)')).toBe(2);
  });

  it('a missing header read with the indexer throws KeyNotFoundException, as C#', () => {
    const error = fails('@(context.Request.Headers["X-Nope"])');
    expect(error.exception).toBe('KeyNotFoundException');
    expect(error.message).toBe("The given key 'X-Nope' was not present in the dictionary.");
  });

  it('query parameters and matched template parameters', () => {
    expect(evaluate('@(context.Request.Url.Query.GetValueOrDefault("q", ""))')).toBe('apim');
    expect(evaluate('@(context.Request.Url.Query.GetValueOrDefault("tag", ""))')).toBe('a,b');
    expect(evaluate('@(context.Request.Url.Query.GetValueOrDefault("none", ""))')).toBe('');
    expect(evaluate('@(context.Request.MatchedParameters["id"])')).toBe('42');
    expect(evaluate('@(context.Request.MatchedParameters.GetValueOrDefault("nope", "0"))')).toBe('0');
  });

  it('variables: the indexer gives object, GetValueOrDefault<T> casts, the default\'s type stands for T', () => {
    expect(evaluate('@(context.Variables["name"])')).toBe('apim');
    expect(evaluate('@((string)context.Variables["name"] + "!")')).toBe('apim!');
    expect(evaluate('@(context.Variables.GetValueOrDefault<string>("name", "d"))')).toBe('apim');
    expect(evaluate('@(context.Variables.GetValueOrDefault<string>("missing", "d"))')).toBe('d');
    expect(evaluate('@(context.Variables.GetValueOrDefault<string>("missing"))')).toBeNull();
    expect(evaluate('@(context.Variables.GetValueOrDefault<int>("count", 0) * 2)')).toBe(6);
    expect(evaluate('@(context.Variables.GetValueOrDefault<int>("missing"))')).toBe(0);
    expect(evaluate('@(context.Variables.GetValueOrDefault<bool>("enabled", false))')).toBe(true);
    expect(evaluate('@(context.Variables.GetValueOrDefault("name", "d").ToUpper())')).toBe('APIM');
    expect(evaluate('@(context.Variables.ContainsKey("count"))')).toBe(true);
    expect(evaluate('@((int)context.Variables["count"] + 1)')).toBe(4);
    expect(evaluate('@((bool)context.Variables["enabled"])')).toBe(true);
  });

  it('a variable of the wrong type: InvalidCastException, as C#', () => {
    const error = fails('@(context.Variables.GetValueOrDefault<int>("name", 0))');
    expect(error.exception).toBe('InvalidCastException');
    expect(error.message).toBe("Unable to cast object of type 'System.String' to type 'System.Int32'.");
    expect(fails('@((string)context.Variables["count"])').message).toBe(
      "Unable to cast object of type 'System.Int32' to type 'System.String'.",
    );
    expect(fails('@((int)context.Variables["ratio"])').exception).toBe('InvalidCastException');
  });

  it('the body as text', () => {
    expect(evaluate('@(context.Request.Body.As<string>())')).toBe('{"hello":"world"}');
    expect(evaluate('@(context.Request.Body.As<string>(preserveContent: true).Length)')).toBe(17);
    expect(fails('@(context.Response.Body.As<string>())').exception).toBe('NullReferenceException');
    expect(evaluate('@(context.Response.Body?.As<string>() ?? "empty")')).toBe('empty');
  });

  it('dates and elapsed time', () => {
    expect(evaluate('@(context.Timestamp.Year)')).toBe(2025);
    expect(evaluate('@(context.Timestamp.ToString("o"))')).toBe('2025-06-01T12:00:00.0000000Z');
    expect(evaluate('@(context.Timestamp.ToString("yyyy-MM-dd"))')).toBe('2025-06-01');
    expect(evaluate('@(context.Timestamp.AddMinutes(90).ToString("s"))')).toBe('2025-06-01T13:30:00');
    expect(evaluate('@(context.Timestamp.ToString())')).toBe('06/01/2025 12:00:00');
    expect(evaluate('@(context.Subscription.CreatedDate < context.Timestamp)')).toBe(true);
    expect(evaluate('@(context.Elapsed.TotalMilliseconds > 1000)')).toBe(true);
    expect(evaluate('@("took " + context.Elapsed)')).toBe('took 00:00:01.5000000');
    const before = Date.now();
    const now = evaluate('@(DateTime.UtcNow)') as Date;
    expect(now.getTime()).toBeGreaterThanOrEqual(before);
    expect(evaluate('@((DateTime.UtcNow - context.Timestamp).TotalSeconds > 0)')).toBe(true);
  });
});

describe('null: C# NullReferenceException semantics, ?. and ??', () => {
  it('a member of a null product throws NullReferenceException', () => {
    const error = fails('@(context.Product.Name)', { Product: null });
    expect(error.exception).toBe('NullReferenceException');
    expect(error.message).toBe('Object reference not set to an instance of an object.');
    expect(fails('@(context.Response.StatusCode == 200)', { Response: null }).exception).toBe('NullReferenceException');
  });

  it('?. gives null and skips the rest of the chain; ?? supplies a default', () => {
    expect(evaluate('@(context.Product?.Name)', { Product: null })).toBeNull();
    expect(evaluate('@(context.Product?.Name.ToUpper().Length)', { Product: null })).toBeNull();
    expect(evaluate('@(context.Product?.Name.ToUpper())')).toBe('STARTER');
    expect(evaluate('@(context.Product?.Name ?? "none")', { Product: null })).toBe('none');
    expect(evaluate('@(context.Response?.StatusCode == 200)', { Response: null })).toBe(false);
    expect(evaluate('@(context.LastError?.Reason ?? "ok")')).toBe('ok');
    expect(evaluate('@((string)null ?? "x")')).toBe('x');
  });

  it('a method on a null string throws; concatenation treats null as ""', () => {
    expect(fails('@(context.Variables.GetValueOrDefault<string>("missing").ToLower())').exception).toBe('NullReferenceException');
    expect(evaluate('@("a" + context.Variables.GetValueOrDefault<string>("missing") + "b")')).toBe('ab');
    expect(evaluate('@(context.Subscription.StartDate == null)')).toBe(true);
  });
});

describe('operators with C# semantics', () => {
  it.each([
    ['@(1 + 2 * 3)', 7],
    ['@((1 + 2) * 3)', 9],
    ['@(7 / 2)', 3],
    ['@(-7 / 2)', -3],
    ['@(7 % 3)', 1],
    ['@(-7 % 3)', -1],
    ['@(7.0 / 2)', 3.5],
    ['@(7 / 2.0)', 3.5],
    ['@(1.5e1d)', 15],
    ['@(2147483647 + 1)', -2147483648],
    ['@(0x1F)', 31],
    ['@(-(3))', -3],
    ['@(1 < 2 && 2 <= 2 && 3 > 2 && 3 >= 4 == false)', true],
    ['@(true || 1 / 0 == 0)', true],
    ['@(false && 1 / 0 == 0)', false],
    ['@(!true)', false],
    ['@(!(1 == 2))', true],
    ['@(1 == 1.0)', true],
    ['@("a" == "a")', true],
    ['@("a" == "A")', false],
    ['@("a" != null)', true],
    ['@(null == null)', true],
    ['@(1 > 2 ? "big" : "small")', 'small'],
    ['@(true ? 1 : 2.5)', 1],
    ['@(true ? "a" : null)', 'a'],
    ['@(false ? "a" : true ? "b" : "c")', 'b'],
    ['@("n=" + 5)', 'n=5'],
    ['@(1 + 2 + "x")', '3x'],
    ['@("x" + 1 + 2)', 'x12'],
    ['@("x" + true)', 'xTrue'],
    ['@("x" + 0.5)', 'x0.5'],
    ['@("x" + 1e21)', 'x1E+21'],
    ["@('a' + \"b\")", 'ab'],
    ['@("x" + null)', 'x'],
    ['@((string)"s")', 's'],
    ['@((int)3.9)', 3],
    ['@((int)-3.9)', -3],
    ['@((double)3 / 2)', 1.5],
    ['@((int)\'A\')', 65],
    ['@((object)1)', 1],
  ])('%s', (text, expected) => {
    expect(evaluate(text)).toStrictEqual(expected);
  });

  it('integer division by zero throws DivideByZeroException; a double one gives infinity', () => {
    expect(fails('@(1 / (2 - 2))').exception).toBe('DivideByZeroException');
    expect(fails('@(1 % (2 - 2))').exception).toBe('DivideByZeroException');
    expect(evaluate('@(1.0 / 0)')).toBe(Infinity);
  });
});

describe('string members', () => {
  it.each([
    ['@("AbC".ToLower())', 'abc'],
    ['@("AbC".ToUpper())', 'ABC'],
    ['@("AbC".ToLowerInvariant())', 'abc'],
    ['@("AbC".ToUpperInvariant())', 'ABC'],
    ['@("abc".Contains("b"))', true],
    ['@("abc".Contains("B"))', false],
    ['@("abc".Contains("B", StringComparison.OrdinalIgnoreCase))', true],
    ['@("abc".Contains(\'c\'))', true],
    ['@("abc".StartsWith("ab"))', true],
    ['@("abc".StartsWith("AB", StringComparison.OrdinalIgnoreCase))', true],
    ['@("abc".EndsWith("bc"))', true],
    ['@("abc".EndsWith("BC"))', false],
    ['@("abc".Equals("abc"))', true],
    ['@("abc".Equals(null))', false],
    ['@("  a b  ".Trim())', 'a b'],
    ['@("  a ".TrimStart())', 'a '],
    ['@("xxaxx".Trim(\'x\'))', 'a'],
    ['@("abcdef".Substring(2))', 'cdef'],
    ['@("abcdef".Substring(2, 3))', 'cde'],
    ['@("a-b-c".Replace("-", "+"))', 'a+b+c'],
    ['@("a-b-c".Replace(\'-\', \'.\'))', 'a.b.c'],
    ['@("a,b;c".Split(\',\', \';\')[2])', 'c'],
    ['@("a::b".Split("::")[1])', 'b'],
    ['@("a,b,c".Split(\',\').Length)', 3],
    ['@("abc".Length)', 3],
    ['@("abc"[1])', 'b'],
    ['@("abcabc".IndexOf("c"))', 2],
    ['@("abcabc".IndexOf(\'c\', 3))', 5],
    ['@("abcabc".IndexOf("C", StringComparison.OrdinalIgnoreCase))', 2],
    ['@("abcabc".LastIndexOf("c"))', 5],
    ['@("7".PadLeft(3, \'0\'))', '007'],
    ['@("abc".ToString())', 'abc'],
    ['@(5.ToString())', '5'],
    ['@(true.ToString())', 'True'],
    ['@(string.IsNullOrEmpty(""))', true],
    ['@(string.IsNullOrEmpty(context.Request.IpAddress))', false],
    ['@(String.IsNullOrWhiteSpace("  "))', true],
    ['@(String.Format("{0}/{1} {{x}}", "a", 2))', 'a/2 {x}'],
    ['@(String.Format("{0}{1}{2}{3}", 1, 2, 3, 4))', '1234'],
    ['@(string.Join("|", "a,b".Split(\',\')))', 'a|b'],
    ['@(string.Equals("a", "A", StringComparison.OrdinalIgnoreCase))', true],
    ['@(string.Empty)', ''],
    ['@(int.Parse("42") + 1)', 43],
    ['@(int.Parse(" -7 "))', -7],
    ['@(Int32.Parse("0"))', 0],
    ['@(bool.Parse("True"))', true],
    ['@(int.MaxValue)', 2147483647],
    ['@("tab\\there")', 'tab\there'],
    ['@("quote\\"d")', 'quote"d'],
    ['@("\\u0041\\x42")', 'AB'],
    ['@(@"C:\\path ""quoted""")', 'C:\\path "quoted"'],
  ])('%s', (text, expected) => {
    expect(evaluate(text)).toStrictEqual(expected);
  });

  it('run-time failures as C#: Substring out of range, int.Parse of non-digits, First of nothing', () => {
    const substring = fails('@("abc".Substring(5))');
    expect(substring.exception).toBe('ArgumentOutOfRangeException');
    const parse = fails('@(int.Parse("abc"))');
    expect(parse.exception).toBe('FormatException');
    expect(parse.message).toBe("The input string 'abc' was not in a correct format.");
    expect(fails('@(int.Parse("99999999999"))').exception).toBe('OverflowException');
    expect(fails('@(int.Parse(context.Variables.GetValueOrDefault<string>("none")))').exception).toBe('ArgumentNullException');
    expect(fails('@("".Split(\',\')[3])').exception).toBe('IndexOutOfRangeException');
    expect(fails('@(String.Format(context.Variables.GetValueOrDefault<string>("name") + "{1}", 1))').exception).toBe('FormatException');
  });
});

describe('statement blocks', () => {
  it('var, typed declarations, assignment, if/else and return', () => {
    const text = `@{
      var ip = context.Request.IpAddress;
      string zone;
      if (ip.StartsWith("10.")) {
        zone = "internal";
      } else if (ip.StartsWith("192.168.")) {
        zone = "lab";
      } else {
        zone = "external";
      }
      int n = 2;
      n = n * 21;
      return zone + ":" + n;
    }`;
    expect(evaluate(text)).toBe('internal:42');
    const request = makeContext().Request;
    expect(evaluate(text, { Request: { ...request, IpAddress: '192.168.1.1' } })).toBe('lab:42');
    expect(evaluate(text, { Request: { ...request, IpAddress: '8.8.8.8' } })).toBe('external:42');
  });

  it('an early return ends the block; nested blocks have their own locals', () => {
    expect(evaluate('@{ if (context.Response.StatusCode == 200) return "ok"; return "other"; }')).toBe('ok');
    expect(evaluate('@{ { var a = 1; } { var a = 2; return a; } }')).toBe(2);
    expect(evaluate('@{ /* comment */ var x = 1; // line comment\n return x; }')).toBe(1);
  });

  it('each call gets fresh locals', () => {
    const run = compile('@{ var n = context.Variables.GetValueOrDefault<int>("count", 0); n = n + 1; return n; }');
    const context = makeContext();
    expect(run(context)).toBe(4);
    expect(run(context)).toBe(4);
    expect(run(makeContext({ Variables: dictionary({ count: 10 }) }))).toBe(11);
  });
});

describe('formatValue: the text C# would print', () => {
  it('formats booleans, numbers, null, dates and arrays as .NET does', () => {
    expect(formatValue(true)).toBe('True');
    expect(formatValue(200)).toBe('200');
    expect(formatValue(0.1)).toBe('0.1');
    expect(formatValue(null)).toBe('');
    expect(formatValue(new Date('2025-01-02T03:04:05Z'))).toBe('01/02/2025 03:04:05');
    expect(formatValue(['a'])).toBe('System.String[]');
  });
});
