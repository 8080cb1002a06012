import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CoreLogLevel } from './coreApi';
import { isPlainObject, parseJsonFile } from './localSettings';

/** What the local host takes from `host.json`. */
export interface HostConfig {
  /** `extensions.http.routePrefix` without surrounding slashes; `api` when absent. */
  routePrefix: string;
  /** `logging.logLevel.default`, lower-cased to the library's names. */
  logLevel: CoreLogLevel;
}

const LOG_LEVELS: readonly CoreLogLevel[] = ['trace', 'debug', 'information', 'warning', 'error', 'critical', 'none'];

/** Reads `<projectRoot>/host.json`; a missing file gives the host's defaults. */
export function readHostConfig(projectRoot: string): HostConfig {
  const file = join(projectRoot, 'host.json');
  const json = existsSync(file) ? parseJsonFile(file) : {};

  const http = isPlainObject(json.extensions) && isPlainObject(json.extensions.http) ? json.extensions.http : {};
  const prefix = http.routePrefix ?? 'api';
  if (typeof prefix !== 'string') throw new Error(`${file}: extensions.http.routePrefix must be a string.`);

  const logLevels = isPlainObject(json.logging) && isPlainObject(json.logging.logLevel) ? json.logging.logLevel : {};
  const level = typeof logLevels.default === 'string' ? logLevels.default.toLowerCase() : 'information';
  const logLevel = LOG_LEVELS.find((known) => known === level) ?? 'information';

  return { routePrefix: prefix.replace(/^\/+|\/+$/g, ''), logLevel };
}

/** `package.json` `main`: the file or glob of files that register the functions. */
export function readPackageMain(projectRoot: string): string {
  const file = join(projectRoot, 'package.json');
  if (!existsSync(file)) throw new Error(`No package.json in ${projectRoot}.`);
  const main = parseJsonFile(file).main;
  if (typeof main !== 'string' || main.trim() === '') {
    throw new Error(`${file} has no "main": set it to the compiled function files, e.g. "dist/src/functions/*.js".`);
  }
  return main.trim();
}
