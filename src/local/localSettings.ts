import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const LOCAL_SETTINGS_FILE = 'local.settings.json';

/** What {@link loadLocalSettings} did, for messages (names only: values may hold keys). */
export interface LoadedLocalSettings {
  /** False when there is no local.settings.json (which is fine). */
  found: boolean;
  /** Names set from the file. */
  applied: string[];
  /** Names left alone because the real environment already had them. */
  overridden: string[];
  /** `Host.LocalHttpPort`, which `func start` uses when no port is given. */
  localHttpPort?: number;
}

/**
 * Copies `Values` of `<dir>/local.settings.json` into `env` the way `func start`
 * does: a variable already in the environment wins, an empty value sets nothing,
 * numbers and booleans become text as .NET writes them. An encrypted file is refused.
 */
export function loadLocalSettings(dir: string, env: NodeJS.ProcessEnv = process.env): LoadedLocalSettings {
  const file = join(dir, LOCAL_SETTINGS_FILE);
  const result: LoadedLocalSettings = { found: false, applied: [], overridden: [] };
  if (!existsSync(file)) return result;
  result.found = true;

  const settings = parseJsonFile(file);
  if (settings.IsEncrypted === true) {
    throw new Error(`${file} is encrypted (IsEncrypted: true); decrypt it with "func settings decrypt" or set IsEncrypted to false.`);
  }
  const values = settings.Values ?? {};
  if (!isPlainObject(values)) throw new Error(`${file}: "Values" must be an object of strings.`);
  for (const [name, raw] of Object.entries(values)) {
    const value = settingText(raw);
    if (value === undefined || value === '') continue;
    if (env[name] !== undefined) {
      result.overridden.push(name);
      continue;
    }
    env[name] = value;
    result.applied.push(name);
  }

  const host = settings.Host;
  if (isPlainObject(host)) {
    const port = Number(host.LocalHttpPort);
    if (Number.isInteger(port) && port > 0 && port < 65536) result.localHttpPort = port;
  }
  return result;
}

function settingText(raw: unknown): string | undefined {
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number') return String(raw);
  // Json.NET reads a JSON boolean into a string as "True"/"False".
  if (typeof raw === 'boolean') return raw ? 'True' : 'False';
  return undefined;
}

/** Reads a JSON file that may start with a byte-order mark (Visual Studio writes one). */
export function parseJsonFile(file: string): Record<string, unknown> {
  const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (!isPlainObject(parsed)) throw new Error(`${file} must contain a JSON object.`);
  return parsed;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
