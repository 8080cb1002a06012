import type { CatalogChange, CatalogStore } from '../catalog/catalogStore';
import type { CatalogIndex } from '../catalog/catalogIndex';
import { policyRef, refOf, rowKeyOf, type CatalogRecord, type RecordRef } from '../catalog/tableCodec';
import { distinctRecords, type LabScenario } from './instance/scenarios';
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

/** The records of a scenario's APIs: their operations, documents and product links. */
function recordsOfApis(index: CatalogIndex, apiIds: readonly string[]): RecordRef[] {
  const owned = new Set(apiIds);
  return everyRecord(index).filter((ref) => {
    if (ref.kind === 'operation' || ref.kind === 'link') return owned.has(ref.apiId);
    if (ref.kind === 'policy') return (ref.scope === 'api' || ref.scope === 'operation') && owned.has(ref.apiId);
    return false;
  });
}

/** Puts `records` and deletes the `candidates` that are not among them. */
function replace(candidates: readonly RecordRef[], records: readonly CatalogRecord[]): CatalogChange[] {
  const kept = new Set(records.map((record) => rowKeyOf(refOf(record))));
  const deletions = candidates.filter((ref) => !kept.has(rowKeyOf(ref))).map((ref): CatalogChange => ({ delete: ref }));
  return [...deletions, ...records.map((put): CatalogChange => ({ put }))];
}

/**
 * Puts the catalog back to the broken lab instance: everything else is removed and
 * the seed written again, with fresh keys. Records the seed keeps are replaced in
 * place rather than deleted and re-created. Returns the catalog version reached.
 *
 * With a scenario, restores only what that scenario owns (its APIs with their
 * operations, documents and links, its products and documents, the
 * administrator's subscriptions to them) and leaves the rest of the catalog as it
 * is. Subscriptions that still exist keep their keys and are made active again.
 */
export async function resetLab(store: Pick<CatalogStore, 'mutate'>, env: NodeJS.ProcessEnv = process.env, scenario?: LabScenario): Promise<number> {
  const { version } = await store.mutate((index) => {
    if (!scenario) return { changes: replace(everyRecord(index), labSeed(env)), value: undefined };
    const records = distinctRecords(scenario.records(env)).map((r): CatalogRecord => {
      if (r.kind !== 'subscription') return r;
      const existing = index.getSubscription(r.value.id);
      return existing ? { kind: 'subscription', value: { ...r.value, primaryKey: existing.primaryKey, secondaryKey: existing.secondaryKey, createdDate: existing.createdDate, startDate: existing.startDate } } : r;
    });
    return { changes: replace(recordsOfApis(index, scenario.apiIds), records), value: undefined };
  });
  return version;
}
