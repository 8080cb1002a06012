import { sanitize } from '../logging/sanitizer';
import type { CoreLogLevel } from './coreApi';

/**
 * Where host and function messages go. `source` is a function name, or `host`.
 * Callers pass messages only: never request headers or query strings, which can
 * carry subscription keys.
 */
export interface HostLogger {
  log(level: CoreLogLevel, source: string, message: string): void;
}

const RANK: Record<CoreLogLevel, number> = { trace: 0, debug: 1, information: 2, warning: 3, error: 4, critical: 5, none: 6 };

/** `[source] message`, sanitized; warnings and errors to stderr, below `minLevel` dropped. */
export function createConsoleLogger(
  minLevel: CoreLogLevel = 'information',
  out: (line: string) => void = (line) => process.stdout.write(line),
  err: (line: string) => void = (line) => process.stderr.write(line),
): HostLogger {
  return {
    log(level, source, message) {
      if (level === 'none' || RANK[level] < RANK[minLevel]) return;
      const line = `[${source}] ${sanitize(message)}\n`;
      (RANK[level] >= RANK.warning ? err : out)(line);
    },
  };
}

/** Message and stack of anything thrown, for logs. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  try {
    return typeof err === 'string' ? err : JSON.stringify(err);
  } catch {
    return String(err);
  }
}
