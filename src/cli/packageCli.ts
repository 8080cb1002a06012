/**
 * `npm run package -- [--out <dir>]`: the deployment artifact, the folder azd zips
 * and uploads (azure.yaml `dist`). Default `.deploy/app`:
 *
 *   host.json, package.json, package-lock.json, .funcignore
 *   dist/            the build as it is (npm run package builds first)
 *   node_modules/    production dependencies only, from the lockfile
 *
 * and nothing else: no sources, tests, development tools or settings files.
 * Prints its size and file count.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../local/projectConfig';

/** The files of the project root the artifact holds, beside `dist/` and `node_modules/`. */
export const PACKAGE_FILES = ['host.json', 'package.json', 'package-lock.json', '.funcignore'] as const;

export const DEFAULT_PACKAGE_DIR = join(PROJECT_ROOT, '.deploy', 'app');

export interface PackageSummary {
  dir: string;
  files: number;
  bytes: number;
}

/**
 * Stages the artifact in `outDir` (emptied first) from the project's current build.
 * The `.funcignore` goes along so that azd packs the folder by its rules (which
 * exclude nothing in it) rather than by its default for Node, which leaves
 * `node_modules` out.
 */
export function stagePackage(outDir: string, projectRoot = PROJECT_ROOT): PackageSummary {
  const dist = join(projectRoot, 'dist', 'src', 'functions');
  if (!existsSync(dist)) throw new Error(`${dist} is missing: build first (npm run build).`);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  for (const file of PACKAGE_FILES) cpSync(join(projectRoot, file), join(outDir, file));
  cpSync(join(projectRoot, 'dist'), join(outDir, 'dist'), { recursive: true });
  // Exactly the lockfile's production tree; no install scripts: nothing in it needs one.
  execFileSync(...npmCommand(['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error']), {
    cwd: outDir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return { dir: outDir, ...measure(outDir) };
}

/** npm as the running npm script was started with (`npm_execpath`), else `npm` on the PATH. */
function npmCommand(args: string[]): [string, string[]] {
  const cli = process.env.npm_execpath;
  if (cli && /\.[cm]?js$/.test(cli)) return [process.execPath, [cli, ...args]];
  return [process.platform === 'win32' ? 'npm.cmd' : 'npm', args];
}

function measure(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    files++;
    bytes += statSync(join(entry.parentPath, entry.name)).size;
  }
  return { files, bytes };
}

function main(): void {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const summary = stagePackage(values.out ? resolve(values.out) : DEFAULT_PACKAGE_DIR);
  const megabytes = (summary.bytes / 1024 / 1024).toFixed(1);
  process.stdout.write(`Deployment package: ${summary.dir}\n${summary.files} files, ${megabytes} MB (${summary.bytes} bytes)\n`);
}

if (require.main === module) {
  try {
    main();
  } catch (error) {
    process.stderr.write(`package failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
