import type { QuotaRow, QuotaStore, StoredQuotaRow } from '../../../src/policy/limits/quotaStore';

/**
 * A QuotaStore in memory with Table Storage's conditional semantics, and
 * switches for the failures the counter must survive.
 */
export class MemoryQuotaStore implements QuotaStore {
  readonly rows = new Map<string, StoredQuotaRow>();
  /** Every call fails, as an unreachable storage does. */
  down = false;
  /** The next write lands but its answer is lost (the caller sees an error). */
  loseNextAnswer = false;
  /** Calls wait on this when set (storage that hangs). */
  gate: Promise<void> | undefined;
  writeCount = 0;
  readCount = 0;
  private version = 0;

  async read(counterKey: string, periodKey: string): Promise<StoredQuotaRow | undefined> {
    await this.enter();
    this.readCount++;
    return this.rows.get(`${counterKey}\u0000${periodKey}`);
  }

  async write(row: QuotaRow, etag: string | undefined): Promise<string | 'conflict'> {
    await this.enter();
    const name = `${row.counterKey}\u0000${row.periodKey}`;
    const current = this.rows.get(name);
    if (etag === undefined ? current !== undefined : current?.etag !== etag) return 'conflict';
    this.writeCount++;
    const stored = { ...row, writes: [...row.writes].slice(-32), etag: `v${++this.version}` };
    this.rows.set(name, stored);
    if (this.loseNextAnswer) {
      this.loseNextAnswer = false;
      throw new Error('socket hang up');
    }
    return stored.etag;
  }

  async list(counterKey: string): Promise<StoredQuotaRow[]> {
    await this.enter();
    return [...this.rows.values()].filter((row) => row.counterKey === counterKey);
  }

  async listCurrent(now: number): Promise<StoredQuotaRow[]> {
    await this.enter();
    return [...this.rows.values()].filter((row) => row.periodEnd === null || row.periodEnd > now);
  }

  /** Bumps a row as another instance's write would (its etag changes). */
  bump(counterKey: string, periodKey: string, calls: number): void {
    const name = `${counterKey}\u0000${periodKey}`;
    const row = this.rows.get(name);
    if (!row) throw new Error('no such row');
    this.rows.set(name, { ...row, calls: row.calls + calls, etag: `v${++this.version}` });
  }

  private async enter(): Promise<void> {
    if (this.gate) await this.gate;
    if (this.down) throw new Error('connect ECONNREFUSED 127.0.0.1:1');
  }
}
