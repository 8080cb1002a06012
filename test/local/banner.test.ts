import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatFunctionList, listeningLine, loadLabBanner } from '../../src/local/banner';

describe('banner', () => {
  it('lists functions with methods and full routes, and marks triggers it does not run', () => {
    const text = formatFunctionList('http://localhost:7071', [
      { name: 'getItem', trigger: 'httpTrigger', methods: ['GET'], route: 'api/items/{id}', runnable: true },
      { name: 'any', trigger: 'httpTrigger', methods: [], route: 'api/any', runnable: true },
      { name: 'nightly', trigger: 'timerTrigger', methods: [], runnable: false },
    ]);
    expect(text.split('\n')).toEqual([
      'Functions:',
      '',
      '        getItem: [GET] http://localhost:7071/api/items/{id}',
      '        any: [ANY] http://localhost:7071/api/any',
      '        nightly: timerTrigger (not run by the local host)',
    ]);
    expect(listeningLine('http://localhost:1')).toBe('Functions host listening on http://localhost:1');
  });

  it('loads the lab banner when its module exists, and skips it silently otherwise', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-banner-'));
    try {
      writeFileSync(join(dir, 'banner.js'), 'exports.labBanner = async (baseUrl) => `Lab at ${baseUrl}`;');
      expect(await loadLabBanner(join(dir, 'banner'), 'http://localhost:9')).toBe('Lab at http://localhost:9');
      expect(await loadLabBanner(join(dir, 'missing'), 'http://localhost:9')).toBeUndefined();
      writeFileSync(join(dir, 'broken.js'), 'exports.labBanner = async () => { throw new Error("lab down"); };');
      await expect(loadLabBanner(join(dir, 'broken'), 'x')).rejects.toThrow('lab down');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
