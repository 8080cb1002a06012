import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The test console's browser script, as `npm run build` bundles it from
 * client/*.ts (esbuild, one IIFE) into dist/src/lab/console/client.js: next to
 * this module's compiled form, so it ships in dist/ and in the deployed package.
 * Read once, at the first page served, so a missing build fails the page only.
 */

export const CONSOLE_SCRIPT_FILE = 'client.js';

/** Where the built script is: beside this module in dist/, or, run from source (tests), in the build under dist/. */
function scriptCandidates(): string[] {
  return [join(__dirname, CONSOLE_SCRIPT_FILE), resolve(__dirname, '..', '..', '..', 'dist', 'src', 'lab', 'console', CONSOLE_SCRIPT_FILE)];
}

let script: string | undefined;

/** The built script's path; throws when there is no build. */
export function consoleScriptPath(): string {
  const candidates = scriptCandidates();
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new Error(`The test console's script is not built (no ${candidates.join(' or ')}): run npm run build.`);
  return found;
}

/** The script the page inlines, read once. */
export function consoleScript(): string {
  script ??= readFileSync(consoleScriptPath(), 'utf8');
  return script;
}
