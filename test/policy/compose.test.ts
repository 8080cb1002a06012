import { describe, expect, it } from 'vitest';
import { composePolicy, describePolicy, type ScopeDocuments } from '../../src/policy/compose';
import type { Step } from '../../src/policy/step';
import { compiled, policies } from './fakes';

const variable = (name: string) => `<set-variable name="${name}" value="1" />`;
const names = (steps: readonly Step[]) => steps.map((s) => `${s.origin.scope}:${s.origin.element}`);
const none: ScopeDocuments = { global: null, product: null, api: null, operation: null };

describe('composePolicy', () => {
  it('with no documents is APIM default: forward-request only, recognised as default', () => {
    const policy = composePolicy(none);
    expect(names(policy.backend)).toEqual(['global:forward-request']);
    expect(policy.inbound).toEqual([]);
    expect(policy.isDefault).toBe(true);
  });

  it('nests each scope where <base /> stands, section by section', () => {
    const policy = composePolicy({
      global: compiled(policies({ inbound: variable('g'), backend: '<forward-request />', outbound: variable('g') }), 'global'),
      product: compiled(policies({ inbound: `${variable('p1')}<base />${variable('p2')}` }), 'product'),
      api: compiled(policies({ inbound: `<base />${variable('a')}`, outbound: `${variable('a')}<base />` }), 'api'),
      operation: compiled(policies({ inbound: `${variable('o')}<base />`, outbound: '<base />' }), 'operation'),
    });
    expect(names(policy.inbound)).toEqual(['operation:set-variable', 'product:set-variable', 'global:set-variable', 'product:set-variable', 'api:set-variable']);
    expect(names(policy.outbound)).toEqual(['api:set-variable', 'global:set-variable']);
    expect(names(policy.backend)).toEqual(['global:forward-request']);
    expect(policy.isDefault).toBe(false);
  });

  it('a section without <base /> drops what the outer scopes had there, and only there', () => {
    const policy = composePolicy({
      ...none,
      api: compiled(policies({ inbound: variable('a'), backend: '', outbound: '<base />' }), 'api'),
    });
    expect(names(policy.inbound)).toEqual(['api:set-variable']);
    // No forward-request: the backend is never called.
    expect(policy.backend).toEqual([]);
    expect(policy.isDefault).toBe(false);
  });

  it('a section the document leaves out inherits, as <base /> would', () => {
    const policy = composePolicy({ ...none, operation: compiled(policies({ inbound: variable('o') }), 'operation') });
    expect(names(policy.backend)).toEqual(['global:forward-request']);
  });

  it('<base /> at global scope is nothing', () => {
    const policy = composePolicy({ ...none, global: compiled(policies({ inbound: `<base />${variable('g')}`, backend: '<base /><forward-request />' }), 'global') });
    expect(names(policy.inbound)).toEqual(['global:set-variable']);
    expect(names(policy.backend)).toEqual(['global:forward-request']);
  });

  it('a product document applies only when the caller passes it (calls authorized by that product)', () => {
    const product = compiled(policies({ inbound: '<base /><rate-limit calls="5" renewal-period="60" />' }), 'product');
    const api = compiled(policies({ inbound: '<base />' }), 'api');
    expect(names(composePolicy({ ...none, product, api }).inbound)).toEqual(['product:rate-limit']);
    expect(composePolicy({ ...none, product: null, api }).inbound).toEqual([]);
    expect(composePolicy({ ...none, product: null, api }).isDefault).toBe(true);
  });

  it('an API that drops the product section skips the product rate limit', () => {
    const product = compiled(policies({ inbound: '<rate-limit calls="5" renewal-period="60" />' }), 'product');
    const api = compiled(policies({ inbound: variable('a') }), 'api');
    expect(names(composePolicy({ ...none, product, api }).inbound)).toEqual(['api:set-variable']);
  });

  it('a forward-request with non-default attributes is not the default policy', () => {
    const global = compiled(policies({ backend: '<forward-request timeout="20" />' }), 'global');
    expect(composePolicy({ ...none, global }).isDefault).toBe(false);
  });

  it('describes the effective policy with origins', () => {
    const api = compiled(policies({ inbound: `<base />\n${variable('a')}` }), 'api');
    expect(describePolicy(composePolicy({ ...none, api }))).toEqual([
      'inbound: set-variable (api, line 2, column 1)',
      'backend: forward-request (global, line 1, column 31)',
    ]);
  });
});
