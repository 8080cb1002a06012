import type { QuotaRow, QuotaStore, StoredQuotaRow } from './quotaStore';

/**
 * Quota windows kept in this process only, with Table Storage's conditional
 * writes: for a gateway composed without storage (tests, the bench, a host whose
 * quotas need not survive a restart nor be shared).
 */
export class MemoryQuotaStore implements QuotaStore {
  private readonly rows = new Map<string, StoredQuotaRow>();
  private version = 0;

  read(counterKey: string, periodKey: string): Promise<StoredQuotaRow | undefined> {
    return Promise.resolve(this.rows.get(`${counterKey}\u0000${periodKey}`));
  }

  /** The new etag, or 'conflict' (as the Table Storage store answers). */
  write(row: QuotaRow, etag: string | undefined): Promise<string> {
    const name = `${row.counterKey}\u0000${row.periodKey}`;
    const current = this.rows.get(name);
    if (etag === undefined ? current !== undefined : current?.etag !== etag) return Promise.resolve('conflict');
    const stored: StoredQuotaRow = { ...row, writes: row.writes.slice(-32), etag: `m${++this.version}` };
    this.rows.set(name, stored);
    return Promise.resolve(stored.etag);
  }

  list(counterKey: string): Promise<StoredQuotaRow[]> {
    return Promise.resolve([...this.rows.values()].filter((row) => row.counterKey === counterKey));
  }

  listCurrent(now: number): Promise<StoredQuotaRow[]> {
    return Promise.resolve([...this.rows.values()].filter((row) => row.periodEnd === null || row.periodEnd > now));
  }
}
