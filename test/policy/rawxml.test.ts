import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePolicyXml, type XmlNode } from '../../src/policy/parse';
import { expressionEnd, rawxmlToXml, xmlToRawxml } from '../../src/policy/rawxml';

const RAW = [
  '<policies>',
  '  <inbound>',
  '    <choose>',
  '      <when condition="@(context.Request.Headers.GetValueOrDefault("a","") == "x" && 1 < 2)">',
  "        <set-header name='b' exists-action='override'><value>@(\"it's\" + 'c')</value></set-header>",
  '        <set-body>@{ var s = "<b>)}"; return s + @"say ""hi"""; }</set-body>',
  '      </when>',
  '    </choose>',
  '    <!-- @(not an expression < here) -->',
  '    <set-body><![CDATA[@(kept & raw)]]></set-body>',
  '  </inbound>',
  '</policies>',
].join('\n');

/** The tree without positions, to compare meaning. */
const shape = (node: XmlNode): unknown =>
  node.kind === 'text'
    ? node.text
    : { name: node.name, attributes: node.attributes.map((a) => [a.name, a.value]), children: node.children.map(shape) };

describe('rawxml <-> xml', () => {
  it('escapes only what sits inside expressions', () => {
    const xml = rawxmlToXml(RAW);
    expect(xml).toContain('condition="@(context.Request.Headers.GetValueOrDefault(&quot;a&quot;,&quot;&quot;) == &quot;x&quot; &amp;&amp; 1 &lt; 2)"');
    expect(xml).toContain(`<value>@("it's" + 'c')</value>`);
    expect(xml).toContain('<set-body>@{ var s = "&lt;b&gt;)}"; return s + @"say ""hi"""; }</set-body>');
    expect(xml).toContain('<!-- @(not an expression < here) -->');
    expect(xml).toContain('<![CDATA[@(kept & raw)]]>');
    const when = parsePolicyXml(xml, 'xml');
    expect(when).toBeDefined();
  });

  it('round-trips rawxml -> xml -> rawxml to the same text', () => {
    expect(xmlToRawxml(rawxmlToXml(RAW))).toBe(RAW);
  });

  it('round-trips xml -> rawxml -> xml to the same text for escaped expressions', () => {
    const xml = rawxmlToXml(RAW);
    expect(rawxmlToXml(xmlToRawxml(xml))).toBe(xml);
  });

  it('reads the same tree from the rawxml and from its xml form', () => {
    expect(shape(parsePolicyXml(RAW, 'rawxml'))).toEqual(shape(parsePolicyXml(rawxmlToXml(RAW), 'xml')));
  });

  it('leaves an expression that never closes as it is', () => {
    const raw = '<policies><inbound><set-body>@(a < b</set-body></inbound></policies>';
    expect(rawxmlToXml(raw)).toBe(raw);
  });

  it('unescapes character references inside expressions when writing rawxml', () => {
    expect(xmlToRawxml('<a x="@(&#34;q&#x22; &gt; 1)" y="&amp;"/>')).toBe('<a x="@("q" > 1)" y="&amp;"/>');
  });

  it('finds the end of an expression past strings, chars and comments', () => {
    expect(expressionEnd('@(")" + \')\')', 0)).toBe(11);
    expect(expressionEnd('@{ /* } */ return 1; // }\n}', 0)).toBe(26);
    expect(expressionEnd('@(a]', 0)).toBe(-1);
    expect(expressionEnd('@("never', 0)).toBe(-1);
  });

  it('keeps the meaning of any well-formed document with expressions in both directions (property)', () => {
    const exprChar = fc.constantFrom('a', '<', '>', '&', '"', "'", ' ', '(', ')', '=', '!', '1');
    const expression = fc.array(exprChar, { maxLength: 12 }).map((chars) => {
      // Keep quotes and brackets balanced so the expression closes.
      const text = chars.join('').replace(/["'()]/g, '');
      return `@(${text} + "s<&>" + 'c')`;
    });
    fc.assert(
      fc.property(expression, expression, (inAttribute, inText) => {
        const raw = `<policies><inbound><when condition="${inAttribute}"><set-body>${inText}</set-body></when></inbound></policies>`;
        const xml = rawxmlToXml(raw);
        expect(xmlToRawxml(xml)).toBe(raw);
        const tree = shape(parsePolicyXml(xml, 'xml')) as { children: { children: { attributes: string[][]; children: { children: string[] }[] }[] }[] };
        const when = tree.children[0]!.children[0]!;
        expect(when.attributes[0]![1]).toBe(inAttribute);
        expect(when.children[0]!.children[0]).toBe(inText);
      }),
      { numRuns: 300 },
    );
  });
});
