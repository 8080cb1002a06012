import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isListening } from '../../src/local/azurite';
import { startLocalHost } from '../../src/local/host';
import type { HostLogger } from '../../src/local/log';

/** The in-process API, once in this file's process (vitest runs each test file in its own worker). */
describe('startLocalHost', () => {
  it('serves the app on a free port, lists its functions, closes, and refuses a second start', async () => {
    const lines: string[] = [];
    const logger: HostLogger = { log: (level, source, message) => lines.push(`${level} [${source}] ${message}`) };
    const host = await startLocalHost({
      projectRoot: join(__dirname, 'fixture'),
      port: 0,
      logger,
      env: { CatalogStorage: undefined, AzureWebJobsStorage: undefined },
    });
    try {
      expect(host.url).toBe(`http://localhost:${host.port}`);
      const names = host.functions.map((fn) => fn.name);
      expect(names.indexOf('aaSpecific')).toBeLessThan(names.indexOf('zzCatchAll'));
      expect(host.functions.find((fn) => fn.name === 'itemById')).toEqual({
        name: 'itemById',
        trigger: 'httpTrigger',
        methods: ['GET'],
        route: 'items/{id:int}',
        runnable: true,
      });
      const res = await fetch(`http://127.0.0.1:${host.port}/logs`);
      expect(await res.text()).toBe('logged');
      expect(lines).toContain('information [logs] hello from context.log');
      await expect(startLocalHost({ projectRoot: join(__dirname, 'fixture'), port: 0 })).rejects.toThrow(/only once per process/);
    } finally {
      await host.close();
    }
    expect(await isListening(host.port)).toBe(false);
    await host.close();
  }, 30_000);
});
