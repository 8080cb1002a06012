import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';

/**
 * A real browser for tests: Debian's Chromium (`apt-get install chromium`), driven
 * by playwright-core (which downloads no browser of its own). Where it is absent,
 * browser tests are skipped with the reason, except in CI (`CI` set), where they
 * fail: CI must have the browser (.ci/run installs it).
 */

/** Where Debian puts it; `CHROMIUM_PATH` points elsewhere. */
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** Flags for a quiet, sandbox-less (CI runs as root), offline-friendly headless run. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export type BrowserDiscovery =
  | { available: true; executablePath: string }
  | { available: false; reason: string; required: boolean };

/** Whether a Chromium can be run here; when not, why, and whether that is a failure (in CI) or a skip. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): BrowserDiscovery {
  const executablePath = env.CHROMIUM_PATH || DEFAULT_CHROMIUM;
  try {
    accessSync(executablePath, constants.X_OK);
    return { available: true, executablePath };
  } catch {
    return {
      available: false,
      required: Boolean(env.CI),
      reason: `no Chromium at ${executablePath} (install it: apt-get install -y chromium, or set CHROMIUM_PATH)`,
    };
  }
}

export interface LaunchedBrowser {
  context: BrowserContext;
  /** Closes the browser and deletes its profile. */
  close(): Promise<void>;
}

/** Chromium with a fresh, throw-away profile. */
export async function launchChromium(executablePath: string, options: { viewport?: { width: number; height: number } } = {}): Promise<LaunchedBrowser> {
  const { chromium } = await import('playwright-core');
  const userDataDir = mkdtempSync(join(tmpdir(), 'lab-console-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: options.viewport ?? { width: 1400, height: 1000 },
      timeout: 15_000,
    });
    return {
      context,
      async close() {
        await context.close().catch(() => undefined);
        rmSync(userDataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw error;
  }
}
