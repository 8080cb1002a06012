import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import ignore from 'ignore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSasToken } from '../../src/management';
import { uniqueTableName } from '../helpers/catalog';
import { expectSmokePassed, runCli, SMOKE_CLI } from '../helpers/cli';
import { labHostEnv, PROJECT_ROOT, startHostProcess, type HostProcess } from '../helpers/localHost';

/**
 * The deployment artifact, offline: `.funcignore` read with gitignore's own rules
 * (the `ignore` package, as azd and Core Tools read it), the staged package's
 * contents, and the staged package run on the local host with nothing but its own
 * files and production node_modules.
 */

const PACKAGE_CLI = join(PROJECT_ROOT, 'dist', 'src', 'cli', 'packageCli.js');
const FUNCIGNORE = readFileSync(join(PROJECT_ROOT, '.funcignore'), 'utf8');

/** Every file under `dir`, relative, with `/` separators; `skip` names top-level entries not to walk. */
function filesUnder(dir: string, skip: readonly string[] = []): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() || entry.isSymbolicLink())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .filter((file) => !skip.includes(file.split('/')[0]!));
}

/** The files the app `require`s when its function files load, as absolute paths. */
function requiredFiles(appDir: string): string[] {
  const script = [
    "const { readdirSync } = require('node:fs');",
    "for (const f of readdirSync('dist/src/functions').filter((f) => f.endsWith('.js'))) require('./dist/src/functions/' + f);",
    'process.stdout.write(JSON.stringify(Object.keys(require.cache)));',
    'process.exit(0);',
  ].join('\n');
  const out = execFileSync(process.execPath, ['-e', script], {
    cwd: appDir,
    env: { ...process.env, CatalogStorage: 'UseDevelopmentStorage=true', CATALOG_POLL_MS: '0' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return JSON.parse(out) as string[];
}

let appDir: string;

beforeAll(() => {
  // Outside the project: Node's module resolution must not find the development tree's node_modules.
  appDir = join(mkdtempSync(join(tmpdir(), 'apim-package-')), 'app');
  execFileSync(process.execPath, [PACKAGE_CLI, '--out', appDir], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
}, 180_000);

afterAll(() => {
  if (appDir) rmSync(join(appDir, '..'), { recursive: true, force: true });
});

describe('.funcignore, read with gitignore semantics', () => {
  const rules = ignore().add(FUNCIGNORE);
  const tree = filesUnder(PROJECT_ROOT, ['.git', '.deploy']);

  it('anchors every pattern, so none matches below the root', () => {
    const patterns = FUNCIGNORE.split(/\r?\n/).map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
    expect(patterns.length).toBeGreaterThan(5);
    for (const pattern of patterns) expect(pattern, pattern).toMatch(/^!?\//);
  });

  it('keeps every compiled function file and host.json of the real tree', () => {
    const functions = tree.filter((file) => /^dist\/src\/functions\/[^/]+\.js$/.test(file));
    expect(functions).toEqual(expect.arrayContaining(['dist/src/functions/gateway.js', 'dist/src/functions/management.js']));
    for (const file of [...functions, 'host.json', 'package.json', 'dist/src/lab/console/client.js']) expect(rules.ignores(file), file).toBe(false);
  });

  it('keeps every node_modules file the app requires', () => {
    const required = requiredFiles(appDir).map((file) => relative(appDir, file).split(sep).join('/'));
    const modules = required.filter((file) => file.startsWith('node_modules/'));
    // Files under a package's src/ folder: what an unanchored `src/` used to drop.
    expect(modules.some((file) => /^node_modules\/(.+\/)?debug\/src\//.test(file))).toBe(true);
    for (const file of required) expect(rules.ignores(file), file).toBe(false);
  });

  it('an unanchored src/ would drop them: the check can fail', () => {
    const unanchored = ignore().add('src/');
    expect(unanchored.ignores('dist/src/functions/gateway.js')).toBe(true);
    expect(unanchored.ignores('node_modules/debug/src/index.js')).toBe(true);
    expect(rules.ignores('dist/src/functions/gateway.js')).toBe(false);
  });

  it('leaves the sources, tests, infrastructure and local settings out', () => {
    for (const file of ['src/functions/gateway.ts', 'test/e2e/lab.test.ts', 'infra/main.bicep', 'bench/run.js', 'tsconfig.json', 'local.settings.json', '.azurite/x', 'README.md', 'azure.yaml', '.deploy/app/host.json']) {
      expect(rules.ignores(file), file).toBe(true);
    }
    const kept = tree.filter((file) => !rules.ignores(file));
    expect(kept.filter((file) => /^(src|test|infra|bench|docs)\//.test(file))).toEqual([]);
  });
});

describe('npm run package', () => {
  it('stages host.json, package.json, the lockfile, .funcignore, dist/ and node_modules/, nothing else', () => {
    expect(readdirSync(appDir).sort()).toEqual(['.funcignore', 'dist', 'host.json', 'node_modules', 'package-lock.json', 'package.json']);
    expect(readFileSync(join(appDir, 'host.json'), 'utf8')).toBe(readFileSync(join(PROJECT_ROOT, 'host.json'), 'utf8'));
    expect(filesUnder(join(appDir, 'dist')).sort()).toEqual(filesUnder(join(PROJECT_ROOT, 'dist')).sort());
  });

  it('holds the production dependencies only', () => {
    const lock = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const dev = Object.entries(lock.packages).filter(([path, entry]) => path && entry.dev).map(([path]) => path);
    const prod = Object.entries(lock.packages).filter(([path, entry]) => path && !entry.dev).map(([path]) => path);
    expect(dev).toEqual(expect.arrayContaining(['node_modules/vitest', 'node_modules/azurite', 'node_modules/typescript']));
    for (const path of dev) expect(existsSync(join(appDir, path)), path).toBe(false);
    for (const path of prod) expect(existsSync(join(appDir, path)), path).toBe(true);
  });

  it('is self-contained: every file the app loads is its own', () => {
    const required = requiredFiles(appDir);
    expect(required.length).toBeGreaterThan(100);
    for (const file of required) expect(file.startsWith(appDir + sep), file).toBe(true);
  });

  it('loses nothing to .funcignore when azd packs the folder', () => {
    const rules = ignore().add(readFileSync(join(appDir, '.funcignore'), 'utf8'));
    expect(filesUnder(appDir).filter((file) => rules.ignores(file))).toEqual([]);
  });
});

describe('the staged package on the local host', () => {
  const PRIMARY = randomBytes(64).toString('base64');
  let host: HostProcess;

  beforeAll(async () => {
    host = await startHostProcess({
      root: appDir,
      env: labHostEnv(uniqueTableName('pkg'), { primary: PRIMARY, secondary: randomBytes(64).toString('base64') }, { WEBSITE_HOSTNAME: undefined }),
    });
  }, 60_000);

  afterAll(async () => {
    await host?.stop();
  });

  it('serves every function from the staged folder', () => {
    expect(host.output()).toMatch(/management: \[/);
    expect(host.output()).toMatch(/zz-gateway: \[/);
  });

  it('passes the scenario-3 smoke test (npm run smoke)', () => {
    const token = createSasToken({ identifier: 'integration', key: PRIMARY, expiry: new Date(Date.now() + 3_600_000) });
    expectSmokePassed(runCli(SMOKE_CLI, [host.baseUrl], token));
  });

  it('answers the lab 401, the echo backend and the management API', async () => {
    const missing = await fetch(`${host.baseUrl}/echo/resource?param1=sample`);
    expect(missing.status).toBe(401);
    expect(await missing.text()).toContain('missing subscription key');
    const echo = await fetch(`${host.baseUrl}/backend/echo/x`, { method: 'POST', body: 'hi', headers: { 'Content-Type': 'text/plain' } });
    expect(await echo.text()).toBe('hi');
    const token = createSasToken({ identifier: 'integration', key: PRIMARY, expiry: new Date(Date.now() + 3_600_000) });
    const service = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/apim-lab/providers/Microsoft.ApiManagement/service/apim-lab';
    const apis = await fetch(`${host.baseUrl}/management${service}/apis?api-version=2024-05-01`, { headers: { Authorization: `SharedAccessSignature ${token}` } });
    expect(apis.status).toBe(200);
  });
});
