import { describe, expect, it } from 'vitest';
import { CatalogIndex } from '../../src/catalog/catalogIndex';
import { diagnoseLab } from '../../src/lab/diagnosis';
import { ECHO_API_ID, labSeed, LAB_SUBSCRIPTIONS } from '../../src/lab/seed';

function seededIndex(): CatalogIndex {
  const index = new CatalogIndex();
  for (const put of labSeed({ WEBSITE_HOSTNAME: 'localhost:7071' })) index.applyChange({ put }, 1);
  return index;
}

function removeHardCodedHeaders(index: CatalogIndex): void {
  for (const op of index.operationsOf(ECHO_API_ID)) index.putOperation({ ...op, request: { ...op.request, headers: [] } });
}

describe('lab diagnosis', () => {
  it('finds both faults of scenario 3 in the seed', () => {
    const state = diagnoseLab(seededIndex());
    expect(state.status).toBe('broken');
    expect(state.findings.map((f) => f.code).sort()).toEqual(['apiInNoProduct', 'hardCodedKeyHeader', 'hardCodedKeyHeader']);
    expect(state.findings.filter((f) => f.operationId).map((f) => f.operationId).sort()).toEqual(['create-resource', 'retrieve-resource']);
  });

  it('is partly fixed when only the headers are removed, fixed when the API is also in Starter', () => {
    const index = seededIndex();
    removeHardCodedHeaders(index);
    expect(diagnoseLab(index).status).toBe('partly fixed');
    index.putLink({ productId: 'starter', apiId: ECHO_API_ID });
    const state = diagnoseLab(index);
    expect(state).toEqual({ status: 'fixed', findings: [], usableProducts: ['starter'] });
  });

  it('sees that a product without an active admin subscription does not help', () => {
    const index = seededIndex();
    removeHardCodedHeaders(index);
    index.putLink({ productId: 'starter', apiId: ECHO_API_ID });
    index.putSubscription({ ...index.getSubscription(LAB_SUBSCRIPTIONS.starter)!, state: 'suspended' });
    const state = diagnoseLab(index);
    expect(state.status).toBe('partly fixed');
    expect(state.findings[0]?.code).toBe('noActiveAdminSubscription');
  });

  it('reports a missing Echo API', () => {
    expect(diagnoseLab(new CatalogIndex()).status).toBe('missing');
  });
});
