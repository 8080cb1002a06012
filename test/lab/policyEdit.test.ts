import { describe, expect, it } from 'vitest';
import { parsePolicyDocument } from '../../src/policy/document';
import { addToSection, documentText, editableDocument, newElement, putDocument, removeElement } from '../../src/lab/diagnosis/policyEdit';

/** The lab's corrected documents: one element removed or added, the rest of the text as it was written. */

const api = { scope: 'api', apiId: 'a' } as const;
const doc = (value: string, format: 'xml' | 'rawxml' = 'rawxml') => editableDocument(api, { ...api, format, value });

describe('policy edits', () => {
  it('removes an element with the blanks before it; an emptied when and choose go too, the otherwise stays in its place', () => {
    const text = [
      '<policies>',
      '  <inbound>',
      '    <base />',
      '    <choose>',
      '      <when condition="@(context.Operation.Name == "X")">',
      '        <ip-filter action="forbid"><address>1.2.3.4</address></ip-filter>',
      '      </when>',
      '      <otherwise>',
      '        <set-header name="a" exists-action="override"><value>b</value></set-header>',
      '      </otherwise>',
      '    </choose>',
      '  </inbound>',
      '</policies>',
    ].join('\n');
    const edited = doc(text);
    expect(removeElement(edited, { line: 6, column: 9 })).toBe(true);
    expect(documentText(edited)).toBe(
      ['<policies>', '  <inbound>', '    <base />', '    <set-header name="a" exists-action="override"><value>b</value></set-header>', '  </inbound>', '</policies>'].join('\n'),
    );
    expect(removeElement(edited, { line: 99, column: 1 })).toBe(false);
  });

  it('keeps a choose that has another when', () => {
    const text = '<policies><inbound><choose><when condition="true"><base /></when><when condition="false"><base /></when></choose></inbound></policies>';
    const edited = doc(text, 'xml');
    removeElement(edited, { line: 1, column: text.indexOf('<base') + 1 });
    expect(documentText(edited)).toBe('<policies><inbound><choose><when condition="false"><base /></when></choose></inbound></policies>');
  });

  it('adds after <base />, at the end, into an empty or self-closed section and into a section the document left out, laid out as its neighbours', () => {
    const edited = doc(['<policies>', '  <inbound>', '    <base />', '    <set-variable name="v" value="1" />', '  </inbound>', '  <backend>', '  </backend>', '  <outbound />', '</policies>'].join('\n'));
    addToSection(edited, 'inbound', newElement('cache-lookup', { 'vary-by-developer': 'false', 'vary-by-developer-groups': 'false' }), 'after-base');
    addToSection(edited, 'backend', newElement('base'), 'start');
    addToSection(edited, 'outbound', newElement('cache-store', { duration: '60' }), 'end');
    addToSection(edited, 'on-error', newElement('base'), 'end');
    const text = documentText(edited);
    expect(text).toBe(
      [
        '<policies>',
        '  <inbound>',
        '    <base />',
        '    <cache-lookup vary-by-developer="false" vary-by-developer-groups="false" />',
        '    <set-variable name="v" value="1" />',
        '  </inbound>',
        '  <backend>',
        '    <base />',
        '  </backend>',
        '  <outbound>',
        '    <cache-store duration="60" />',
        '  </outbound>',
        '  <on-error>',
        '    <base />',
        '  </on-error>',
        '</policies>',
      ].join('\n'),
    );
    expect(() => parsePolicyDocument(text, 'rawxml', 'api')).not.toThrow();
  });

  it('writes expressions back in the format of the document: rawxml as C#, xml escaped', () => {
    const raw = '<policies>\n  <inbound>\n    <set-header name="x" exists-action="override"><value>@(context.Request.Headers.GetValueOrDefault("a", "<b>"))</value></set-header>\n    <base />\n  </inbound>\n</policies>';
    const fromRaw = doc(raw);
    removeElement(fromRaw, { line: 4, column: 5 });
    expect(documentText(fromRaw)).toBe('<policies>\n  <inbound>\n    <set-header name="x" exists-action="override"><value>@(context.Request.Headers.GetValueOrDefault("a", "<b>"))</value></set-header>\n  </inbound>\n</policies>');
    const xml = '<policies><inbound><set-header name="x" exists-action="override"><value>@(context.Variables.GetValueOrDefault&lt;string&gt;(&quot;a&quot;))</value></set-header><base /></inbound></policies>';
    const fromXml = doc(xml, 'xml');
    removeElement(fromXml, { line: 1, column: xml.indexOf('<base') + 1 });
    const written = documentText(fromXml);
    expect(written).toBe('<policies><inbound><set-header name="x" exists-action="override"><value>@(context.Variables.GetValueOrDefault&lt;string&gt;("a"))</value></set-header></inbound></policies>');
    expect(() => parsePolicyDocument(written, 'xml', 'api')).not.toThrow();
  });

  it("writes a scope's default out when it has no document, and PUTs with If-Match * to create it", () => {
    const created = editableDocument({ scope: 'operation', apiId: 'a', operationId: 'o' }, undefined);
    addToSection(created, 'outbound', newElement('cache-store', { duration: '5' }), 'end');
    const request = putDocument(created, undefined);
    expect(request).toMatchObject({ method: 'PUT', path: '/apis/a/operations/o/policies/policy', ifMatch: '*' });
    expect((request.body as { properties: { value: string } }).properties.value).toContain('<outbound>\n    <base />\n    <cache-store duration="5" />\n  </outbound>');
  });
});
