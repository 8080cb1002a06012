import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bootstrapLocalSettings } from '../../src/cli/settingsBootstrap';

const sample = { IsEncrypted: false, Values: { FUNCTIONS_WORKER_RUNTIME: 'node', CatalogStorage: 'UseDevelopmentStorage=true' } };

function project(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'settings-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), JSON.stringify(content));
  return dir;
}

const read = (dir: string) => JSON.parse(readFileSync(join(dir, 'local.settings.json'), 'utf8'));

describe('local settings bootstrap', () => {
  it('creates local.settings.json from the sample with two distinct generated management keys', () => {
    const dir = project({ 'local.settings.sample.json': sample });
    expect(bootstrapLocalSettings(dir, {})).toEqual(['MANAGEMENT_PRIMARY_KEY', 'MANAGEMENT_SECONDARY_KEY', 'KEY_ENCRYPTION_KEY']);
    const values = read(dir).Values;
    expect(values.CatalogStorage).toBe('UseDevelopmentStorage=true');
    expect(Buffer.from(values.MANAGEMENT_PRIMARY_KEY, 'base64')).toHaveLength(64);
    expect(values.MANAGEMENT_PRIMARY_KEY).not.toBe(values.MANAGEMENT_SECONDARY_KEY);
    expect(Buffer.from(values.KEY_ENCRYPTION_KEY, 'base64')).toHaveLength(32);
  });

  it('generates keys once: a second start keeps them', () => {
    const dir = project({ 'local.settings.sample.json': sample });
    bootstrapLocalSettings(dir, {});
    const first = read(dir).Values.MANAGEMENT_PRIMARY_KEY;
    expect(bootstrapLocalSettings(dir, {})).toEqual([]);
    expect(read(dir).Values.MANAGEMENT_PRIMARY_KEY).toBe(first);
  });

  it('adds only the missing key to an existing file and keeps the rest of it', () => {
    const dir = project({ 'local.settings.json': { IsEncrypted: false, Values: { MANAGEMENT_PRIMARY_KEY: 'mine', Other: 'x' }, Host: { LocalHttpPort: 7072 } } });
    expect(bootstrapLocalSettings(dir, {})).toEqual(['MANAGEMENT_SECONDARY_KEY', 'KEY_ENCRYPTION_KEY']);
    const settings = read(dir);
    expect(settings.Values.MANAGEMENT_PRIMARY_KEY).toBe('mine');
    expect(settings.Values.Other).toBe('x');
    expect(settings.Host.LocalHttpPort).toBe(7072);
  });

  it('writes nothing when the environment already supplies storage and keys', () => {
    const dir = project({ 'local.settings.sample.json': sample });
    const env = { CatalogStorage: 'UseDevelopmentStorage=true', MANAGEMENT_PRIMARY_KEY: 'a', MANAGEMENT_SECONDARY_KEY: 'b', KEY_ENCRYPTION_KEY: 'k' };
    expect(bootstrapLocalSettings(dir, env)).toEqual([]);
    expect(existsSync(join(dir, 'local.settings.json'))).toBe(false);
  });
});

describe('local settings file permissions', () => {
  it('makes an existing 0644 file 0600 when it writes secrets into it', () => {
    const dir = project({ 'local.settings.json': { IsEncrypted: false, Values: { Other: 'x' } } });
    const file = join(dir, 'local.settings.json');
    chmodSync(file, 0o644);
    expect(bootstrapLocalSettings(dir, {})).toContain('MANAGEMENT_PRIMARY_KEY');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('creates the file 0600', () => {
    const dir = project({ 'local.settings.sample.json': sample });
    bootstrapLocalSettings(dir, {});
    expect(statSync(join(dir, 'local.settings.json')).mode & 0o777).toBe(0o600);
  });
});
