import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { globFiles } from './glob';
import { parseJsonFile } from './localSettings';
import { readPackageMain } from './projectConfig';

/** The app's CommonJS entry points load as the Functions worker loads them: with Node's `require`. */
const loadCommonJs = createRequire(__filename);

/** A file of the app threw while loading; `cause` is what it threw. */
export class EntryPointError extends Error {
  override name = 'EntryPointError';
}

/**
 * Loads the app as the Node worker does: every file matched by `package.json`
 * `main`, in path order. CommonJS files are `require`d; `.mjs` files and `.js`
 * files of a `"type": "module"` package are imported. Returns the loaded paths.
 */
export async function loadApp(projectRoot: string): Promise<string[]> {
  const main = readPackageMain(projectRoot);
  const files = globFiles(projectRoot, main);
  if (files.length === 0) {
    throw new Error(`package.json "main" (${main}) matches no file in ${projectRoot}. Did the build run (npx tsc -p .)?`);
  }
  const esm = parseJsonFile(join(projectRoot, 'package.json')).type === 'module';
  for (const file of files) {
    try {
      if (file.endsWith('.mjs') || (esm && file.endsWith('.js'))) await import(pathToFileURL(file).href);
      else loadCommonJs(file);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new EntryPointError(`Unable to load entry point "${relative(projectRoot, file)}": ${message}`, { cause: err });
    }
  }
  return files;
}

