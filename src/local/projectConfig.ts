import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CoreLogLevel } from './coreApi';
import { isPlainObject, parseJsonFile } from './localSettings';

/** This project's root, seen from this module compiled into `dist/src/local`. */
export const PROJECT_ROOT = resolve(__dirname, '..', '..', '..');

/** What the local host takes from `host.json`. */
export interface HostConfig {
  /** `extensions.http.routePrefix` without surrounding slashes; `api` when absent. */
  routePrefix: string;
  /** `logging.logLevel.default`, lower-cased to the library's names. */
  logLevel: CoreLogLevel;
}

const LOG_LEVELS: readonly CoreLogLevel[] = ['trace', 'debug', 'information', 'warning', 'error', 'critical', 'none'];

/**
 * Reads `<projectRoot>/host.json`; a missing file gives the host's defaults. As in
 * the Functions host, an app setting `AzureFunctionsJobHost__<path>` (for example
 * `AzureFunctionsJobHost__logging__logLevel__default=Warning`) overrides the value
 * at that path; names are matched without regard to case.
 */
export function readHostConfig(projectRoot: string, env: NodeJS.ProcessEnv = process.env): HostConfig {
  const file = join(projectRoot, 'host.json');
  const json = existsSync(file) ? parseJsonFile(file) : {};
  applyHostOverrides(json, env);

  const prefix = child(child(json, 'extensions'), 'http').routePrefix ?? 'api';
  if (typeof prefix !== 'string') throw new Error(`${file}: extensions.http.routePrefix must be a string.`);

  const levelSetting = propertyOf(child(child(json, 'logging'), 'logLevel'), 'default');
  const level = typeof levelSetting === 'string' ? levelSetting.toLowerCase() : 'information';
  const logLevel = LOG_LEVELS.find((known) => known === level) ?? 'information';

  return { routePrefix: prefix.replace(/^\/+|\/+$/g, ''), logLevel };
}

type JsonObject = Record<string, unknown>;

const OVERRIDE_PREFIX = 'azurefunctionsjobhost__';
/** Path segments that would reach an object's prototype instead of a property. */
const UNSAFE_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);

/** The name `name` has in `object`, matched without case; `name` itself when absent. */
function keyOf(object: JsonObject, name: string): string {
  const lower = name.toLowerCase();
  return Object.keys(object).find((key) => key.toLowerCase() === lower) ?? name;
}

function propertyOf(object: JsonObject, name: string): unknown {
  return object[keyOf(object, name)];
}

/** The object under `name`, or an empty one. */
function child(object: JsonObject, name: string): JsonObject {
  const value = propertyOf(object, name);
  return isPlainObject(value) ? value : {};
}

/** Writes every `AzureFunctionsJobHost__a__b=value` setting into `json` at `a.b`. */
function applyHostOverrides(json: JsonObject, env: NodeJS.ProcessEnv): void {
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || !name.toLowerCase().startsWith(OVERRIDE_PREFIX)) continue;
    const path = name.slice(OVERRIDE_PREFIX.length).split('__');
    if (path.some((segment) => segment === '' || UNSAFE_SEGMENTS.has(segment.toLowerCase()))) continue;
    let node = json;
    for (const segment of path.slice(0, -1)) {
      const key = keyOf(node, segment);
      const next = node[key];
      node = isPlainObject(next) ? next : (node[key] = {} as JsonObject);
    }
    const last = path[path.length - 1] as string;
    node[keyOf(node, last)] = value;
  }
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
