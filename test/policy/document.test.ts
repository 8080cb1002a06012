import { describe, expect, it } from 'vitest';
import { PolicyError } from '../../src/policy/context';
import { DEFAULT_GLOBAL_POLICY, defaultPolicyDocument, parsePolicyDocument } from '../../src/policy/document';
import { ELEMENTS } from '../../src/policy/elements/index';
import { SCOPES, SECTIONS, type Scope, type Section } from '../../src/policy/step';
import { compiled, fakeCompileExpression } from './fakes';

const refusal = (text: string, scope: Scope = 'api'): PolicyError => {
  try {
    compiled(text, scope);
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    return error;
  }
  throw new Error(`expected a refusal of ${text}`);
};

/** A minimal valid instance of each element, on line 3 column 5 of its document. */
const SAMPLES: Record<string, string> = {
  base: '<base />',
  'forward-request': '<forward-request />',
  'return-response': '<return-response><set-status code="200" /></return-response>',
  'set-status': '<set-status code="404" reason="Nope" />',
  'set-header': '<set-header name="X"><value>1</value></set-header>',
  'set-query-parameter': '<set-query-parameter name="q"><value>1</value></set-query-parameter>',
  'set-body': '<set-body>text</set-body>',
  'rewrite-uri': '<rewrite-uri template="/v2/{id}" />',
  'set-backend-service': '<set-backend-service base-url="https://other.example" />',
  choose: '<choose><when condition="@(true)"><set-variable name="a" value="1" /></when></choose>',
  'ip-filter': '<ip-filter action="allow"><address>10.0.0.1</address></ip-filter>',
  'check-header': '<check-header name="X" failed-check-httpcode="401" failed-check-error-message="no" ignore-case="true" />',
  'set-variable': '<set-variable name="a" value="1" />',
  'rate-limit': '<rate-limit calls="5" renewal-period="60" />',
  'rate-limit-by-key': '<rate-limit-by-key calls="5" renewal-period="60" counter-key="@(context.Request.IpAddress)" />',
  quota: '<quota calls="100" renewal-period="604800" />',
  'quota-by-key': '<quota-by-key calls="100" renewal-period="3600" counter-key="k" />',
  'cache-lookup': '<cache-lookup vary-by-developer="false" vary-by-developer-groups="false" />',
  'cache-store': '<cache-store duration="60" />',
};

const inSection = (section: Section, content: string) => `<policies>\n  <${section}>\n    ${content}\n  </${section}>\n</policies>`;

describe('parsePolicyDocument', () => {
  it('compiles the four sections into steps, remembering where each element was written', () => {
    const document = compiled(inSection('inbound', '<base />\n    <set-header name="a"><value>b</value></set-header>'));
    expect(document.scope).toBe('api');
    expect(document.sections.inbound?.map((s) => [s.origin.element, s.origin.position])).toEqual([
      ['base', { line: 3, column: 5 }],
      ['set-header', { line: 4, column: 5 }],
    ]);
    expect(document.sections.backend).toBeUndefined();
  });

  it('reads the default global document: one plain forward-request in backend', () => {
    const document = parsePolicyDocument(DEFAULT_GLOBAL_POLICY, 'xml', 'global');
    expect(document.sections.inbound).toEqual([]);
    expect(document.sections.backend?.map((s) => s.marker)).toEqual(['default-forward']);
    expect(defaultPolicyDocument('product').sections.outbound?.map((s) => s.marker)).toEqual(['base']);
  });

  it('has a sample for every element it supports', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual([...ELEMENTS.keys()].sort());
  });

  for (const [name, definition] of ELEMENTS) {
    for (const section of SECTIONS) {
      const scope = definition.scopes[0]!;
      if (definition.sections.includes(section)) {
        it(`accepts '${name}' in ${section}`, () => {
          expect(() => compiled(inSection(section, SAMPLES[name]!), scope)).not.toThrow();
        });
      } else {
        it(`refuses '${name}' in ${section}, naming element, line and column`, () => {
          const error = refusal(inSection(section, SAMPLES[name]!), scope);
          expect(error.detail).toBe(
            `Error in element '${name}' on line 3, column 5: '${name}' is not allowed in the '${section}' section (allowed in: ${definition.sections.join(', ')}).`,
          );
        });
      }
    }
    for (const scope of SCOPES.filter((s) => !definition.scopes.includes(s))) {
      it(`refuses '${name}' at ${scope} scope`, () => {
        const error = refusal(inSection(definition.sections[0]!, SAMPLES[name]!), scope);
        expect(error.detail).toMatch(new RegExp(`^Error in element '${name}' on line 3, column 5: '${name}' is not allowed at ${scope} scope`));
      });
    }
  }

  it('accepts quota only at product scope, rate-limit anywhere but global', () => {
    expect(refusal(inSection('inbound', SAMPLES.quota!), 'api').message).toBe("'quota' is not allowed at api scope (allowed at: product).");
    expect(() => compiled(inSection('inbound', SAMPLES.quota!), 'product')).not.toThrow();
    expect(refusal(inSection('inbound', SAMPLES['rate-limit']!), 'global').element).toBe('rate-limit');
  });

  it.each(['json-to-xml', 'validate-jwt', 'send-request', 'mock-response', 'Base'])('refuses the unsupported element %s, never ignores it', (name) => {
    const error = refusal(inSection('inbound', `<${name} />`));
    expect(error.detail).toBe(`Error in element '${name}' on line 3, column 5: The element '${name}' is not supported by this gateway.`);
  });

  it('refuses unsupported elements nested in choose', () => {
    const error = refusal(inSection('inbound', '<choose>\n      <when condition="@(true)">\n        <send-request mode="new" />\n      </when>\n    </choose>'));
    expect(error.detail).toMatch(/^Error in element 'send-request' on line 5, column 9: /);
  });

  it('refuses unknown and repeated sections, text, and a root other than policies', () => {
    expect(refusal('<policies>\n<inbound />\n<middle />\n</policies>').detail).toMatch(/^Error in element 'middle' on line 3, column 1: 'middle' is not a policy section/);
    expect(refusal('<policies><inbound /><inbound /></policies>').detail).toMatch(/^Error in element 'inbound' on line 1, column 22: The section 'inbound' appears more than once/);
    expect(refusal('<policies>hello<inbound /></policies>').message).toMatch(/takes no text/);
    expect(refusal('<policies><inbound>hello</inbound></policies>').message).toMatch(/takes no text/);
    expect(refusal('<policy><inbound /></policy>').message).toMatch(/root element must be 'policies'/);
    expect(refusal('<policies version="2" />').message).toMatch(/attribute 'version' is not allowed/);
  });

  it('refuses base twice in a section, and base inside choose', () => {
    expect(refusal(inSection('inbound', '<base />\n    <base />')).detail).toMatch(/^Error in element 'base' on line 4, column 5: /);
    expect(refusal(inSection('inbound', '<choose><when condition="@(true)"><base /></when></choose>')).message).toMatch(/only directly in a section/);
  });

  it('refuses unknown attributes at the attribute', () => {
    const error = refusal(inSection('inbound', '<set-header name="a" overwrite="yes"><value>b</value></set-header>'));
    expect(error.detail).toBe(
      "Error in element 'set-header' on line 3, column 26: The attribute 'overwrite' is not allowed on 'set-header' (allowed: name, exists-action).",
    );
  });

  it('compiles expressions with the gateway expression compiler when none is given', () => {
    const document = parsePolicyDocument(inSection('inbound', SAMPLES['rate-limit-by-key']!), 'xml', 'api');
    expect(document.sections.inbound).toHaveLength(1);
    const broken = inSection('inbound', SAMPLES['rate-limit-by-key']!.replace('context.', 'context.Nope.'));
    expect(() => parsePolicyDocument(broken, 'xml', 'api')).toThrow(PolicyError);
  });

  it('passes the exact position of an expression to the compiler, in rawxml as in xml', () => {
    const seen: unknown[] = [];
    const text = '<policies>\n  <inbound>\n    <set-variable name="a" value="@(&quot;x&quot;)" /><set-body>\n  @("y")</set-body>\n  </inbound>\n</policies>';
    parsePolicyDocument(text, 'xml', 'api', {
      compileExpression: (expression, where) => {
        seen.push([expression, where]);
        return fakeCompileExpression(expression, where);
      },
    });
    expect(seen).toEqual([
      ['@("x")', { element: 'set-variable', position: { line: 3, column: 35 } }],
      ['@("y")', { element: 'set-body', position: { line: 4, column: 3 } }],
    ]);
    seen.length = 0;
    const raw = '<policies>\n  <inbound>\n    <set-variable name="a" value="@("x" + "<")" />\n  </inbound>\n</policies>';
    parsePolicyDocument(raw, 'rawxml', 'api', {
      compileExpression: (expression, where) => {
        seen.push([expression, where]);
        return () => 'v';
      },
    });
    expect(seen).toEqual([['@("x" + "<")', { element: 'set-variable', position: { line: 3, column: 35 } }]]);
  });

  it('reports a bad expression where it is written', () => {
    const error = refusal(inSection('inbound', '<set-variable name="a" value="@(nonsense)" />'));
    expect(error.detail).toMatch(/^Error in element 'set-variable' on line 3, column 35: Unsupported expression/);
  });
});
