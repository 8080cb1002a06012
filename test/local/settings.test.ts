import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadLocalSettings } from '../../src/local/localSettings';
import { readHostConfig, readPackageMain } from '../../src/local/projectConfig';
import { effectiveStorageSetting, isDevelopmentStorage } from '../../src/local/storage';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'local-settings-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, content: unknown) => writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));

describe('loadLocalSettings', () => {
  it('copies Values, letting real environment variables win', () => {
    write('local.settings.json', { IsEncrypted: false, Values: { FROM_FILE: 'file', BOTH: 'file', COUNT: 3, FLAG: true, EMPTY: '' }, Host: { LocalHttpPort: 7072 } });
    const env: NodeJS.ProcessEnv = { BOTH: 'env' };
    const result = loadLocalSettings(dir, env);
    expect(env).toEqual({ BOTH: 'env', FROM_FILE: 'file', COUNT: '3', FLAG: 'True' });
    expect(result).toEqual({ found: true, applied: ['FROM_FILE', 'COUNT', 'FLAG'], overridden: ['BOTH'], localHttpPort: 7072 });
  });

  it('is fine without the file', () => {
    const env: NodeJS.ProcessEnv = {};
    expect(loadLocalSettings(dir, env)).toEqual({ found: false, applied: [], overridden: [] });
    expect(env).toEqual({});
  });

  it('reads a file with a byte-order mark', () => {
    write('local.settings.json', `\uFEFF${JSON.stringify({ Values: { A: 'a' } })}`);
    const env: NodeJS.ProcessEnv = {};
    loadLocalSettings(dir, env);
    expect(env.A).toBe('a');
  });

  it('refuses encrypted and malformed files', () => {
    write('local.settings.json', { IsEncrypted: true, Values: { A: 'x' } });
    expect(() => loadLocalSettings(dir, {})).toThrow(/encrypted/);
    write('local.settings.json', '{ not json');
    expect(() => loadLocalSettings(dir, {})).toThrow(/not valid JSON/);
  });
});

describe('readHostConfig', () => {
  it('defaults the route prefix to api, and reads an empty one', () => {
    expect(readHostConfig(dir, {})).toEqual({ routePrefix: 'api', logLevel: 'information' });
    write('host.json', { version: '2.0', extensions: { http: { routePrefix: '' } }, logging: { logLevel: { default: 'Warning' } } });
    expect(readHostConfig(dir, {})).toEqual({ routePrefix: '', logLevel: 'warning' });
    write('host.json', { version: '2.0', extensions: { http: { routePrefix: '/v1/' } } });
    expect(readHostConfig(dir, {}).routePrefix).toBe('v1');
  });

  it('lets AzureFunctionsJobHost__ settings override host.json, names matched without case', () => {
    write('host.json', { version: '2.0', extensions: { http: { routePrefix: '' } }, logging: { logLevel: { default: 'Information' } } });
    const env = { AzureFunctionsJobHost__logging__logLevel__Default: 'Warning', AZUREFUNCTIONSJOBHOST__EXTENSIONS__HTTP__ROUTEPREFIX: 'v2' };
    expect(readHostConfig(dir, env)).toEqual({ routePrefix: 'v2', logLevel: 'warning' });
    // Without the section in host.json, the override creates it.
    write('host.json', { version: '2.0' });
    expect(readHostConfig(dir, { AzureFunctionsJobHost__logging__logLevel__default: 'None' })).toEqual({ routePrefix: 'api', logLevel: 'none' });
    // A value in place of a section is replaced by the section.
    write('host.json', { version: '2.0', logging: 'verbose' });
    expect(readHostConfig(dir, { AzureFunctionsJobHost__logging__logLevel__default: 'Error' }).logLevel).toBe('error');
  });

  it('ignores override names that are empty or would reach a prototype', () => {
    write('host.json', { version: '2.0' });
    const env = {
      AzureFunctionsJobHost__: 'x',
      AzureFunctionsJobHost__logging____default: 'Error',
      AzureFunctionsJobHost____proto____polluted: 'yes',
      AzureFunctionsJobHost__logging__constructor__x: 'yes',
    };
    expect(readHostConfig(dir, env)).toEqual({ routePrefix: 'api', logLevel: 'information' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reads package.json main and explains a missing one', () => {
    write('package.json', { main: 'dist/src/functions/*.js' });
    expect(readPackageMain(dir)).toBe('dist/src/functions/*.js');
    write('package.json', { name: 'x' });
    expect(() => readPackageMain(dir)).toThrow(/no "main"/);
  });
});

describe('storage setting', () => {
  it('prefers CatalogStorage over AzureWebJobsStorage and recognises the development account', () => {
    expect(effectiveStorageSetting({ AzureWebJobsStorage: 'a', CatalogStorage: 'c' })).toEqual({ name: 'CatalogStorage', value: 'c' });
    expect(effectiveStorageSetting({ AzureWebJobsStorage: 'a' })?.name).toBe('AzureWebJobsStorage');
    expect(effectiveStorageSetting({})).toBeUndefined();
    expect(isDevelopmentStorage('UseDevelopmentStorage=true')).toBe(true);
    expect(isDevelopmentStorage('usedevelopmentstorage=TRUE;')).toBe(true);
    expect(isDevelopmentStorage('DefaultEndpointsProtocol=https;AccountName=x')).toBe(false);
  });
});
