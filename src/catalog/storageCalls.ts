import { RestError } from '@azure/data-tables';

/** Small helpers around calls to Table Storage. */

/** The HTTP status of a storage failure, if it has one. */
export function statusOf(error: unknown): number | undefined {
  return error instanceof RestError ? error.statusCode : undefined;
}

/** An error's message without anything that could be a secret (connection strings never reach here). */
export function describe(error: unknown): string {
  if (error instanceof RestError) return `${error.statusCode ?? error.code ?? 'error'} ${error.message.split('\n')[0]}`;
  return error instanceof Error ? error.message : String(error);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `fn` over every item, at most `limit` at a time; the results in the items' order. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  });
  await Promise.all(workers);
  return results;
}
