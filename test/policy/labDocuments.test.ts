import { describe, expect, it } from 'vitest';
import { PolicyError } from '../../src/policy/context';
import { parsePolicyDocument } from '../../src/policy/document';

// The troubleshooting lab's documents, as administrators write them (rawxml: expressions unescaped).
const GLOBAL = `<policies>
  <inbound>
    <choose>
      <when condition="@(context.Operation.Name.Equals("GetComments"))">
        <rate-limit-by-key calls="1" renewal-period="10" counter-key="@(context.Request.IpAddress)" increment-condition="@(context.Response.StatusCode == 200)" />
      </when>
    </choose>
  </inbound>
  <backend><forward-request /></backend>
  <outbound />
  <on-error />
</policies>`;

const STANDARD = `<policies>
  <inbound>
    <base />
    <choose>
      <when condition="@(context.Operation.Name.Equals("GetPosts"))">
        <ip-filter action="forbid"><address-range from="0.0.0.0" to="255.255.255.255" /></ip-filter>
      </when>
    </choose>
  </inbound>
  <backend><base /></backend>
  <outbound><base /></outbound>
  <on-error><base /></on-error>
</policies>`;

describe('policy documents with real expressions', () => {
  it('compiles the lab global policy and the Standard product policy (rawxml) with the gateway expression compiler', () => {
    expect(parsePolicyDocument(GLOBAL, 'rawxml', 'global').sections.inbound).toHaveLength(1);
    expect(parsePolicyDocument(STANDARD, 'rawxml', 'product').sections.inbound).toHaveLength(2);
  });

  it('refuses an unknown context member at write time, naming element, line and column', () => {
    const text = GLOBAL.replace('context.Operation.Name', 'context.Operation.Nom');
    let error: unknown;
    try {
      parsePolicyDocument(text, 'rawxml', 'global');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PolicyError);
    const refusal = error as PolicyError;
    expect(refusal.position.line).toBe(4);
    expect(refusal.detail).toMatch(/^Error in element 'when' on line 4, column \d+: .*Nom/);
  });
});

describe("the lab seed's policy documents", () => {
  it('every document of the lab instance compiles at its scope with the gateway expression compiler', async () => {
    const { labSeed } = await import('../../src/lab/seed');
    const documents = labSeed({ WEBSITE_HOSTNAME: 'localhost:7071' }).flatMap((r) => (r.kind === 'policy' ? [r.value] : []));
    expect(documents.map((d) => d.scope).sort()).toEqual(['api', 'global', 'operation', 'operation', 'operation', 'operation', 'operation', 'product', 'product']);
    for (const d of documents) expect(() => parsePolicyDocument(d.value, d.format, d.scope), JSON.stringify(d)).not.toThrow();
  });

  it("Starter's document counts its quota (100 calls, 700 KB an hour) before the outer scopes' inbound", async () => {
    const { labPolicies } = await import('../../src/lab/seed');
    const starter = labPolicies().find((p) => p.scope === 'product' && p.productId === 'starter');
    expect(starter).toMatchObject({ scope: 'product', productId: 'starter', format: 'rawxml' });
    const document = parsePolicyDocument(starter!.value, starter!.format, 'product');
    expect(document.sections.inbound!.map((step) => step.marker ?? step.origin.element)).toEqual(['quota', 'base']);
    expect(['backend', 'outbound', 'on-error'].map((s) => document.sections[s as 'backend']!.map((step) => step.marker))).toEqual([['base'], ['base'], ['base']]);
  });

  it("GetHeaders' document has an empty backend section without <base />, and ProductStore's operations an outbound without it", async () => {
    const { labSeed } = await import('../../src/lab/seed');
    const documents = labSeed({ WEBSITE_HOSTNAME: 'localhost:7071' }).flatMap((r) => (r.kind === 'policy' && r.value.scope === 'operation' ? [r.value] : []));
    const getHeaders = documents.find((d) => d.apiId === 'blank-api' && d.operationId === 'getheaders')!;
    expect(parsePolicyDocument(getHeaders.value, getHeaders.format, 'operation').sections.backend).toEqual([]);
    const store = documents.filter((d) => d.apiId === 'productstore').map((d) => d.operationId).sort();
    expect(store).toEqual(['Products_DeleteProduct', 'Products_GetAllProducts', 'Products_GetProduct', 'Products_PostProduct']);
    for (const d of documents.filter((x) => x.apiId === 'productstore')) expect(parsePolicyDocument(d.value, d.format, 'operation').sections.outbound).toEqual([]);
  });
});
