/**
 * Settles as `work` does, or rejects with `timeoutError()` once `ms` have passed,
 * whichever comes first. A late failure of `work` after the timeout is swallowed
 * (never an unhandled rejection); the timer never keeps the process alive.
 */
export function withTimeout<T>(work: Promise<T>, ms: number, timeoutError: () => Error): Promise<T> {
  work.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError()), ms);
    timer.unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
