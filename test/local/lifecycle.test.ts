import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isListening } from '../../src/local/azurite';
import { startHostProcess } from '../helpers/localHost';

const FIXTURE = join(__dirname, 'fixture');
const TABLE_PORT = 10002;

/** Pids of the live children of `pid` (Linux and macOS `ps`). */
function childPids(pid: number): number[] {
  const table = execFileSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  return table
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter(([, ppid]) => ppid === pid)
    .map(([child]) => child as number);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('shutdown', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('closes the server on %s and exits 0', async (signal) => {
    const host = await startHostProcess({ root: FIXTURE, env: { CatalogStorage: undefined, AzureWebJobsStorage: undefined } });
    expect((await fetch(`${host.baseUrl}/things/special`)).status).toBe(200);
    const status = await host.stop(signal);
    expect(status).toEqual({ code: 0, signal: null });
    expect(host.output()).toContain(`[host] ${signal}: shutting down`);
    expect(await isListening(host.port)).toBe(false);
  }, 30_000);
});

describe('development storage', () => {
  const signalled: [string, boolean][] = [
    ['the host', false],
    ['the process group (Ctrl-C in a terminal)', true],
  ];
  it.for(signalled)('starts Azurite on 10002 for UseDevelopmentStorage=true, and SIGINT to %s stops it', { timeout: 60_000 }, async ([, processGroup], context) => {
    // Someone else's Azurite (or anything) on 10002 would be used, not started: nothing to test then.
    if (await isListening(TABLE_PORT)) context.skip();
    const host = await startHostProcess({
      root: FIXTURE,
      processGroup,
      env: { CatalogStorage: undefined, AzureWebJobsStorage: 'UseDevelopmentStorage=true' },
    });
    try {
      expect(host.output()).toContain('AzureWebJobsStorage is the development storage: started Azurite (Table service) on 127.0.0.1:10002');
      expect(await isListening(TABLE_PORT)).toBe(true);
      const children = childPids(host.child.pid as number);
      expect(children.length).toBeGreaterThan(0);

      expect(await host.stop('SIGINT')).toEqual({ code: 0, signal: null });
      expect(await isListening(TABLE_PORT)).toBe(false);
      expect(children.filter(isAlive)).toEqual([]);
    } finally {
      await host.stop('SIGKILL');
      rmSync(join(FIXTURE, '.azurite'), { recursive: true, force: true });
    }
  });

  it('starts nothing when storage is not the development account', async () => {
    const host = await startHostProcess({ root: FIXTURE, env: { CatalogStorage: 'DefaultEndpointsProtocol=https;AccountName=x;AccountKey=eA==', AzureWebJobsStorage: undefined } });
    try {
      expect(host.output()).not.toContain('Azurite');
      expect(childPids(host.child.pid as number)).toEqual([]);
    } finally {
      await host.stop();
    }
  }, 30_000);
});
