import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { verifySasToken } from '../../src/management/sasToken';
import { PROJECT_ROOT } from '../helpers/localHost';

// The compiled entry point, as `npm run token` runs it (needs a build first).
const TOKEN_CLI = `${PROJECT_ROOT}/dist/src/cli/tokenCli.js`;
const KEY = 'a-management-key-for-this-test';

describe('npm run token', () => {
  it('prints a SharedAccessSignature token signed with the given key, valid for the given hours', () => {
    const before = Date.now();
    const out = execFileSync(process.execPath, [TOKEN_CLI, '--key', KEY, '--identifier', 'tester', '--hours', '2'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    const token = /^SharedAccessSignature (\S+)\n$/.exec(out)?.[1];
    expect(token).toBeDefined();
    const verified = verifySasToken(token!, { identifier: 'tester', primaryKey: KEY, now: new Date() });
    expect(verified).toMatchObject({ valid: true, key: 'primary' });
    const expiresIn = (verified as { expiresAt: Date }).expiresAt.getTime() - before;
    expect(expiresIn).toBeGreaterThanOrEqual(2 * 3_600_000);
    expect(expiresIn).toBeLessThan(2 * 3_600_000 + 60_000);
  });

  it('refuses hours out of range with a message and exit code 1, printing no token', () => {
    const run = spawnSync(process.execPath, [TOKEN_CLI, '--key', KEY, '--hours', '0'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('--hours must be a number of hours');
    expect(run.stderr).not.toContain(KEY);
  });

  it('refuses more hours than MANAGEMENT_TOKEN_MAX_LIFETIME_DAYS allows (management would refuse the token), naming the setting', () => {
    const run = (hours: string, days: string) =>
      spawnSync(process.execPath, [TOKEN_CLI, '--key', KEY, '--hours', hours], {
        cwd: PROJECT_ROOT,
        encoding: 'utf8',
        env: { ...process.env, MANAGEMENT_TOKEN_MAX_LIFETIME_DAYS: days },
      });
    const tooLong = run('721', '30');
    expect(tooLong.status).toBe(1);
    expect(tooLong.stdout).toBe('');
    expect(tooLong.stderr).toContain('--hours must be a number of hours');
    expect(tooLong.stderr).toContain('at most 720');
    expect(tooLong.stderr).toContain('MANAGEMENT_TOKEN_MAX_LIFETIME_DAYS');
    expect(tooLong.stderr).not.toContain(KEY);
    expect(run('8760', '30').status).toBe(1);

    const longest = run('720', '30');
    expect(longest.status).toBe(0);
    expect(longest.stdout).toMatch(/^SharedAccessSignature \S+\n$/);
    // The setting moves the cap.
    expect(run('721', '31').status).toBe(0);
    expect(run('745', '31').status).toBe(1);
  });
});

describe('the project root of the compiled command-line tools', () => {
  it('is this project, seen from dist/src/local', () => {
    const compiled = execFileSync(process.execPath, ['-p', "require('./dist/src/local/projectConfig.js').PROJECT_ROOT"], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    expect(compiled.trim()).toBe(PROJECT_ROOT);
  });
});
