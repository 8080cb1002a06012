import type { RegisteredFunction } from './httpFunctions';

/** The readiness line; the test helper and scripts wait for it. */
export function listeningLine(baseUrl: string): string {
  return `Functions host listening on ${baseUrl}`;
}

/** The function list as `func start` prints it, in routing order (first match wins). */
export function formatFunctionList(baseUrl: string, functions: readonly RegisteredFunction[]): string {
  if (functions.length === 0) return 'No functions were registered: check package.json "main" and the build output.';
  const lines = ['Functions:', ''];
  for (const fn of functions) {
    if (!fn.runnable) {
      lines.push(`        ${fn.name}: ${fn.trigger} (not run by the local host)`);
      continue;
    }
    const methods = fn.methods.length > 0 ? fn.methods.join(',') : 'ANY';
    lines.push(`        ${fn.name}: [${methods}] ${baseUrl}/${fn.route ?? ''}`);
  }
  return lines.join('\n');
}

/** The lab module's contract (written elsewhere in the project). */
interface LabBannerModule {
  labBanner?: (baseUrl: string) => Promise<string>;
}

/**
 * Text of the lab banner, from `labBanner(baseUrl)` of the module at `modulePath`
 * (resolved like `require`), or undefined when that module does not exist.
 * Errors thrown by an existing module propagate.
 */
export async function loadLabBanner(modulePath: string, baseUrl: string): Promise<string | undefined> {
  let resolved: string;
  try {
    resolved = require.resolve(modulePath);
  } catch {
    return undefined;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const lab = require(resolved) as LabBannerModule;
  if (typeof lab.labBanner !== 'function') return undefined;
  return lab.labBanner(baseUrl);
}
