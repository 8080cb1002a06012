import { describe, expect, it } from 'vitest';
import { PolicyError } from '../../src/policy/context';
import { MAX_DOCUMENT_BYTES, parsePolicyXml, type XmlElement } from '../../src/policy/parse';

const refusal = (text: string, format: 'xml' | 'rawxml' = 'xml'): PolicyError => {
  try {
    parsePolicyXml(text, format);
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return error as PolicyError;
  }
  throw new Error('expected a refusal');
};

const element = (node: XmlElement, index: number) => node.children.filter((c) => c.kind === 'element')[index] as XmlElement;

describe('parsePolicyXml', () => {
  it('returns elements, attributes, text with positions', () => {
    const text = '<policies>\n  <inbound>\n    <set-header name="a"  exists-action = \'skip\'>\n      <value> x &amp; y </value>\n    </set-header>\n  </inbound>\n</policies>';
    const root = parsePolicyXml(text, 'xml');
    expect(root.name).toBe('policies');
    expect(root.position).toEqual({ line: 1, column: 1 });
    const inbound = element(root, 0);
    expect(inbound.position).toEqual({ line: 2, column: 3 });
    const setHeader = element(inbound, 0);
    expect(setHeader.position).toEqual({ line: 3, column: 5 });
    expect(setHeader.attributes).toEqual([
      { name: 'name', value: 'a', position: { line: 3, column: 17 }, valuePosition: { line: 3, column: 23 } },
      { name: 'exists-action', value: 'skip', position: { line: 3, column: 27 }, valuePosition: { line: 3, column: 44 } },
    ]);
    const value = element(setHeader, 0);
    expect(value.position).toEqual({ line: 4, column: 7 });
    expect(value.children).toEqual([{ kind: 'text', text: ' x & y ', position: { line: 4, column: 15 } }]);
  });

  it('reads CDATA as text and skips comments', () => {
    const root = parsePolicyXml('<policies><!-- note --><a><![CDATA[<b>&]]></a></policies>', 'xml');
    expect(element(root, 0).children).toEqual([{ kind: 'text', text: '<b>&', position: { line: 1, column: 36 } }]);
  });

  it('refuses malformed XML with the position of the fault', () => {
    const error = refusal('<policies>\n  <inbound>\n  </outbound>\n</policies>');
    expect(error.message).toMatch(/not well-formed/);
    expect(error.position).toEqual({ line: 3, column: 13 });
    expect(error.detail).toMatch(/^Error in element '(policies|inbound)' on line 3, column 13: /);
  });

  it.each([
    ['empty', ''],
    ['text only', 'hello'],
    ['two roots', '<a/><b/>'],
    ['unclosed', '<policies><inbound>'],
    ['duplicate attribute', '<policies a="1" a="2"/>'],
    ['unquoted attribute', '<policies a=1/>'],
    ['bare ampersand', '<policies>a & b</policies>'],
  ])('refuses %s', (_name, text) => {
    expect(refusal(text).detail).toMatch(/^Error in element '[^']+' on line \d+, column \d+: /);
  });

  it('refuses any DOCTYPE: the billion laughs never expand', () => {
    const lol = [
      '<?xml version="1.0"?>',
      '<!DOCTYPE lolz [',
      ' <!ENTITY lol "lol">',
      ...Array.from({ length: 9 }, (_, i) => ` <!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`),
      ']>',
      '<policies>&lol9;</policies>',
    ].join('\n');
    const started = performance.now();
    const error = refusal(lol);
    expect(performance.now() - started).toBeLessThan(200);
    expect(error.message).toMatch(/DOCTYPE/);
    expect(error.position.line).toBe(2);
  });

  it('refuses external entities', () => {
    const error = refusal('<!DOCTYPE policies [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>\n<policies>&xxe;</policies>');
    expect(error.message).toMatch(/DOCTYPE/);
    expect(refusal('<!DOCTYPE policies SYSTEM "http://example.com/evil.dtd"><policies/>').message).toMatch(/DOCTYPE/);
  });

  it('refuses entities other than the predefined ones, and accepts character references', () => {
    const error = refusal('<policies>\n<a>&nbsp;</a></policies>');
    expect(error.message).toMatch(/predefined XML entities/);
    expect(error.position.line).toBe(2);
    const root = parsePolicyXml('<policies><a x="&#65;&#x42;&lt;&gt;&amp;&quot;&apos;"/></policies>', 'xml');
    expect(element(root, 0).attributes[0]!.value).toBe('AB<>&"\'');
  });

  it('refuses processing instructions but accepts the XML declaration', () => {
    expect(refusal('<policies><?evil data?></policies>').message).toMatch(/Processing instructions/);
    expect(parsePolicyXml('<?xml version="1.0" encoding="utf-8"?>\n<policies/>', 'xml').position).toEqual({ line: 2, column: 1 });
  });

  it('refuses documents over 256 KiB before parsing, counting UTF-8 bytes', () => {
    const filler = (n: number) => `<policies><!--${'x'.repeat(n)}--></policies>`;
    const overhead = filler(0).length;
    expect(() => parsePolicyXml(filler(MAX_DOCUMENT_BYTES - overhead), 'xml')).not.toThrow();
    const error = refusal(filler(MAX_DOCUMENT_BYTES - overhead + 1));
    expect(error.message).toMatch(/262145 bytes/);
    // Multi-byte characters count as their UTF-8 length.
    expect(refusal(`<policies><!--${'é'.repeat(MAX_DOCUMENT_BYTES / 2)}--></policies>`).message).toMatch(/bytes long/);
    const started = performance.now();
    refusal(`<policies>${'<a>'.repeat(200_000)}`);
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('accepts 64 levels of nesting and refuses 65, at the 65th element', () => {
    const nest = (depth: number) => `<policies>${'<a>'.repeat(depth - 1)}${'</a>'.repeat(depth - 1)}</policies>`;
    expect(() => parsePolicyXml(nest(64), 'xml')).not.toThrow();
    const error = refusal(nest(65));
    expect(error.message).toMatch(/more than 64 levels/);
    expect(error.position).toEqual({ line: 1, column: 11 + 63 * 3 });
  });

  it('reads rawxml: expressions with <, && and quotes unescaped, positions as written', () => {
    const raw = '<policies>\n  <inbound>\n    <choose><when condition="@(context.Request.Headers.GetValueOrDefault("a","") == "<x>" && true)" x="1">\n      <set-body>@{ return a < b && c > "d"; }</set-body></when></choose>';
    const error = refusal(raw + '\n  </inbound>', 'rawxml');
    expect(error.position.line).toBe(5);
    const root = parsePolicyXml(raw + '\n  </inbound>\n</policies>', 'rawxml');
    const when = element(element(element(root, 0), 0), 0);
    expect(when.attributes[0]!.value).toBe('@(context.Request.Headers.GetValueOrDefault("a","") == "<x>" && true)');
    // The attribute after the expression is found where the rawxml has it.
    expect(when.attributes[1]!.position).toEqual({ line: 3, column: 101 });
    const body = element(when, 0);
    expect(body.children[0]).toEqual({ kind: 'text', text: '@{ return a < b && c > "d"; }', position: { line: 4, column: 17 } });
  });
});
