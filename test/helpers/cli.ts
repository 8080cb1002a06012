import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';
import { PROJECT_ROOT } from './localHost';

/** The compiled command-line tools, run as npm runs them (after a build). */
export const SMOKE_CLI = join(PROJECT_ROOT, 'dist', 'src', 'cli', 'smokeCli.js');
export const RESET_CLI = join(PROJECT_ROOT, 'dist', 'src', 'cli', 'labResetCli.js');

/** Runs a tool with APIM_LAB_TOKEN set to `token` (or unset); stdout and stderr together. */
export function runCli(cli: string, args: string[], token: string | undefined) {
  const run = spawnSync(process.execPath, [cli, ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, APIM_LAB_TOKEN: token },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: run.status, output: run.stdout + run.stderr };
}

/** The steps `npm run smoke` prints, in order (each name's beginning). */
export const SMOKE_STEPS = [
  'the lab console names the management API',
  '401 missing subscription key, without a key',
  '401 invalid subscription key, with the hard-coded key',
  'fix: the hard-coded header removed',
  'fix: the Echo API added to the Starter product',
  "the administrator's Starter key",
  '200 GET /echo/resource with the Starter key',
  '200 POST /echo/resource with the Starter key',
  'restore: the lab reset to its broken state',
  '401 missing subscription key again',
  '401 invalid subscription key again',
];

/** Asserts that a smoke run passed every step, and only then exited 0. */
export function expectSmokePassed(run: { status: number | null; output: string }): void {
  expect(run.output).not.toContain('FAIL');
  for (const name of SMOKE_STEPS) expect(run.output).toMatch(new RegExp(`^PASS {2}${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`, 'm'));
  expect(run.output).toContain(`All ${SMOKE_STEPS.length} steps passed.`);
  expect(run.status).toBe(0);
}
