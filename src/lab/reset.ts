import type { CatalogChange, CatalogStore } from '../catalog/catalogStore';
import type { CatalogIndex } from '../catalog/catalogIndex';
import { policyRef, refOf, rowKeyOf, type RecordRef } from '../catalog/tableCodec';
import { labSeed } from './seed';

/** Every record in the index, children before parents. */
function everyRecord(index: CatalogIndex): RecordRef[] {
  const refs: RecordRef[] = index.listPolicies().map(policyRef);
  for (const link of index.listLinks()) refs.push({ kind: 'link', productId: link.productId, apiId: link.apiId });
  for (const api of index.listApis()) {
    for (const op of index.operationsOf(api.id)) refs.push({ kind: 'operation', apiId: api.id, id: op.id });
  }
  for (const s of index.listSubscriptions()) refs.push({ kind: 'subscription', id: s.id });
  for (const api of index.listApis()) refs.push({ kind: 'api', id: api.id });
  for (const p of index.listProducts()) refs.push({ kind: 'product', id: p.id });
  return refs;
}

/**
 * Puts the catalog back to the broken scenario-3 lab: everything else is removed
 * and the seed written again, with fresh keys. Records the seed keeps are replaced
 * in place rather than deleted and re-created. Returns the catalog version reached.
 */
export async function resetLab(store: Pick<CatalogStore, 'mutate'>, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { version } = await store.mutate((index) => {
    const seed = labSeed(env);
    const kept = new Set(seed.map((record) => rowKeyOf(refOf(record))));
    const deletions = everyRecord(index)
      .filter((ref) => !kept.has(rowKeyOf(ref)))
      .map((ref): CatalogChange => ({ delete: ref }));
    return { changes: [...deletions, ...seed.map((put): CatalogChange => ({ put }))], value: undefined };
  });
  return version;
}
