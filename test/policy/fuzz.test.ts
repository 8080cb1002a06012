import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { composePolicy } from '../../src/policy/compose';
import { PolicyError } from '../../src/policy/context';
import { parsePolicyDocument } from '../../src/policy/document';
import { xmlToRawxml } from '../../src/policy/rawxml';
import { SCOPES } from '../../src/policy/step';
import { fakeCompileExpression } from './fakes';

const SEEDS = [
  '<policies><inbound><base /><rate-limit calls="5" renewal-period="60" /><quota calls="100" renewal-period="604800" /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>',
  '<policies>\n  <inbound>\n    <choose>\n      <when condition="@(context.Response.StatusCode == 1)">\n        <return-response><set-status code="403" reason="No" /><set-header name="a" exists-action="append"><value>@(context.Request.IpAddress)</value></set-header><set-body>x</set-body></return-response>\n      </when>\n      <otherwise><set-variable name="v" value="@(7)" /></otherwise>\n    </choose>\n    <ip-filter action="forbid"><address>10.0.0.1</address><address-range from="::1" to="::2" /></ip-filter>\n    <rewrite-uri template="/a/{id}?b=1" copy-unmatched-params="false" />\n  </inbound>\n  <backend><forward-request timeout="10" /></backend>\n  <outbound><cache-store duration="5" /></outbound>\n</policies>',
  '<policies><inbound><check-header name="h" failed-check-httpcode="401" failed-check-error-message="m" ignore-case="true"><value>v</value></check-header><cache-lookup vary-by-developer="true" vary-by-developer-groups="false"><vary-by-header>Accept</vary-by-header></cache-lookup><rate-limit-by-key calls="1" renewal-period="1" counter-key="@(&quot;k&quot;)" /><quota-by-key calls="1" renewal-period="300" counter-key="k" first-period-start="2024-01-01" /><set-backend-service base-url="https://x.example" /><set-query-parameter name="q"><value>1</value></set-query-parameter></inbound></policies>',
];

const PIECES = ['<', '>', '/>', '</', '"', "'", '&', '&amp;', '&lt;', '&bogus;', '<!DOCTYPE x>', '<?pi?>', '<![CDATA[', ']]>', '<!--', '-->', '@(', ')', '@{', '}', '=', ' ', '\n', '<base />', '<inbound>', '</inbound>', '<when condition="@(true)">', 'calls="-1"', 'é', '\u0000', '<x>'];

/** Either returns a document or refuses it with a PolicyError; anything else is a bug. */
function parseOnlyRefuses(text: string, format: 'xml' | 'rawxml', scope: (typeof SCOPES)[number]): void {
  try {
    const document = parsePolicyDocument(text, format, scope, { compileExpression: fakeCompileExpression });
    composePolicy({ global: null, product: null, api: null, operation: null, [scope]: document });
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    expect(error.position.line).toBeGreaterThanOrEqual(1);
    expect(error.position.column).toBeGreaterThanOrEqual(1);
    expect(error.detail).toMatch(/^Error in element '.*' on line \d+, column \d+: /s);
  }
}

const mutation = fc.record({
  seed: fc.constantFrom(...SEEDS),
  edits: fc.array(fc.record({ at: fc.nat(), remove: fc.nat({ max: 6 }), insert: fc.constantFrom(...PIECES) }), { minLength: 1, maxLength: 6 }),
});

const mutate = ({ seed, edits }: { seed: string; edits: { at: number; remove: number; insert: string }[] }) =>
  edits.reduce((text, { at, remove, insert }) => {
    const i = at % (text.length + 1);
    return text.slice(0, i) + insert + text.slice(i + remove);
  }, seed);

describe('fuzzed policy documents', () => {
  it('the seeds are valid documents', () => {
    for (const seed of SEEDS) expect(() => parsePolicyDocument(seed, 'xml', 'product', { compileExpression: fakeCompileExpression })).not.toThrow();
  });

  it('mutated documents only ever throw PolicyError (xml and rawxml, every scope)', () => {
    fc.assert(
      fc.property(mutation, fc.constantFrom('xml' as const, 'rawxml' as const), fc.constantFrom(...SCOPES), (m, format, scope) => {
        parseOnlyRefuses(mutate(m), format, scope);
      }),
      { numRuns: 600 },
    );
  });

  it('random strings only ever throw PolicyError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.constantFrom('xml' as const, 'rawxml' as const), (text, format) => {
        parseOnlyRefuses(text, format, 'api');
        parseOnlyRefuses(`<policies><inbound>${text}</inbound></policies>`, format, 'api');
      }),
      { numRuns: 300 },
    );
  });

  it('the rawxml form of any accepted document is accepted too', () => {
    fc.assert(
      fc.property(mutation, (m) => {
        const text = mutate(m);
        try {
          parsePolicyDocument(text, 'xml', 'product', { compileExpression: fakeCompileExpression });
        } catch {
          return;
        }
        expect(() => parsePolicyDocument(xmlToRawxml(text), 'rawxml', 'product', { compileExpression: fakeCompileExpression })).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });
});
