import { CatalogUnavailableError } from './catalogErrors';

/** Options of `CatalogStore.mutate`. */
export interface MutateOptions {
  /**
   * When it aborts, the caller stops waiting: `mutate` rejects at once with
   * CatalogUnavailableError, and the write is dropped if it has not begun
   * committing (a commit under way completes, and its change is kept).
   */
  signal?: AbortSignal;
  /**
   * How long the caller waits for the write itself once its turn has come (a
   * few storage calls). Past it the caller gives up as above, and so do the
   * callers with options waiting behind it: storage that does not answer one
   * write will not answer the next, and they should hear so now, not one storage
   * timeout after another.
   */
  runTimeoutMs?: number;
}

/**
 * This instance's catalog writes, one at a time in the order they were asked
 * for, so they never conflict with each other. A write is given a signal that
 * aborts when its caller gives up; it checks it before it starts committing.
 */
export class WriteQueue {
  private tail: Promise<unknown> = Promise.resolve();
  /** Callers of queued writes (with options) not yet started, to be told at once when storage stops answering. */
  private readonly waiting = new Set<AbortController>();

  /** Runs `write` once the writes queued before it are done. */
  run<T>(write: (signal: AbortSignal | undefined) => Promise<T>, options: MutateOptions = {}): Promise<T> {
    const { signal, runTimeoutMs } = options;
    if (!signal && runTimeoutMs === undefined) {
      const run = this.tail.then(() => write(undefined));
      this.tail = run.catch(() => undefined);
      return run;
    }
    // Aborted when the caller gives up: its own deadline, its run timeout, or the one of a write ahead of it.
    const giveUp = new AbortController();
    const follow = () => giveUp.abort();
    if (signal?.aborted) giveUp.abort();
    else signal?.addEventListener('abort', follow, { once: true });
    this.waiting.add(giveUp);
    let timer: NodeJS.Timeout | undefined;
    const run = this.tail
      .then(() => {
        this.waiting.delete(giveUp);
        // Nobody waits for it any more: a write not started is never started.
        if (giveUp.signal.aborted) throw new CatalogUnavailableError('catalog write not started: gave up waiting for earlier writes');
        if (runTimeoutMs !== undefined) {
          timer = setTimeout(() => {
            giveUp.abort();
            for (const waiting of this.waiting) waiting.abort();
          }, runTimeoutMs);
        }
        return write(giveUp.signal);
      })
      .finally(() => {
        clearTimeout(timer);
        this.waiting.delete(giveUp);
        signal?.removeEventListener('abort', follow);
      });
    this.tail = run.catch(() => undefined);
    return abandonOnAbort(run, giveUp.signal);
  }
}

/** `work`, or a CatalogUnavailableError as soon as `signal` aborts (work's own late outcome is then ignored). */
function abandonOnAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  const gaveUp = () => new CatalogUnavailableError('catalog storage did not answer in time');
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(gaveUp());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(gaveUp());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
