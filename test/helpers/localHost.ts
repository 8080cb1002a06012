import { inject } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * Runs the local Functions host (`dist/src/local/main.js`) in a child process, as
 * `npm start` does: one host per process is the rule (the app registers its
 * functions when its modules load), so each test file gets its own process.
 * Needs a build first (`npx tsc -p .`).
 */

export const PROJECT_ROOT = resolve(__dirname, '..', '..');
const MAIN = resolve(PROJECT_ROOT, 'dist', 'src', 'local', 'main.js');
const READY = /Functions host listening on (http:\/\/\S+)/;

export interface HostProcessOptions {
  /** Project folder (package.json, host.json); default: this project. */
  root?: string;
  /** Added to (or, when undefined, removed from) this process's environment. PORT defaults to 0. */
  env?: Record<string, string | undefined>;
  /** How long to wait for the readiness line or the exit. Default 20 s. */
  timeoutMs?: number;
  /**
   * Own process group, like a job in a terminal: `stop()` then signals the whole
   * group (host and its children), as Ctrl-C does.
   */
  processGroup?: boolean;
}

export interface HostProcess {
  /** `http://127.0.0.1:<port>`: an address that does not depend on how `localhost` resolves. */
  baseUrl: string;
  /** The URL the host printed, `http://localhost:<port>`. */
  url: string;
  port: number;
  child: ChildProcess;
  /** stdout and stderr so far, interleaved. */
  output(): string;
  /** Sends `signal` (default SIGTERM), waits for the exit (SIGKILL after 15 s) and returns how it ended. */
  stop(signal?: NodeJS.Signals): Promise<ExitStatus>;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** Starts a host and resolves once it printed its readiness line; rejects (with its output) if it exits first. */
export async function startHostProcess(options: HostProcessOptions = {}): Promise<HostProcess> {
  const run = spawnHost(options);
  const url = await new Promise<string>((ready, fail) => {
    const timer = setTimeout(() => {
      run.child.kill('SIGKILL');
      fail(new Error(`The local host did not start within ${run.timeoutMs} ms:\n${run.output()}`));
    }, run.timeoutMs);
    run.onOutput(() => {
      const match = READY.exec(run.output());
      if (match?.[1]) {
        clearTimeout(timer);
        ready(match[1]);
      }
    });
    void run.exited.then((status) => {
      clearTimeout(timer);
      fail(new Error(`The local host exited (${status.code ?? status.signal}) before it was ready:\n${run.output()}`));
    });
  });
  const port = Number(new URL(url).port);
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    url,
    port,
    child: run.child,
    output: run.output,
    async stop(signal = 'SIGTERM') {
      if (run.child.exitCode === null && run.child.signalCode === null) {
        if (options.processGroup) process.kill(-(run.child.pid as number), signal);
        else run.child.kill(signal);
      }
      const timer = setTimeout(() => run.child.kill('SIGKILL'), 15_000);
      const status = await run.exited;
      clearTimeout(timer);
      return status;
    },
  };
}

/** Runs a host that is expected to fail at startup; resolves with its exit status and output. */
export async function runHostToExit(options: HostProcessOptions = {}): Promise<ExitStatus & { output: string }> {
  const run = spawnHost(options);
  const timer = setTimeout(() => run.child.kill('SIGKILL'), run.timeoutMs);
  const status = await run.exited;
  clearTimeout(timer);
  return { ...status, output: run.output() };
}

function spawnHost(options: HostProcessOptions) {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (npx tsc -p .).`);
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0' };
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  const args = [MAIN, ...(options.root ? ['--root', options.root] : [])];
  const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: options.processGroup === true });
  children.add(child);
  let output = '';
  const listeners: (() => void)[] = [];
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<ExitStatus>((done) => {
    // 'close' rather than 'exit': all output has been read by then.
    child.once('close', (code, signal) => {
      children.delete(child);
      done({ code, signal });
    });
  });
  return {
    child,
    exited,
    timeoutMs: options.timeoutMs ?? 20_000,
    output: () => output,
    onOutput: (listener: () => void) => listeners.push(listener),
  };
}

declare module 'vitest' {
  // Provided by the global setup (test/setup/azurite.ts); repeated so this file type-checks alone.
  export interface ProvidedContext {
    azuriteConnectionString: string;
  }
}

/**
 * The environment of a lab host on the test run's Azurite: its own table, the
 * given management keys, any free port. Extra settings win.
 */
export function labHostEnv(
  tableName: string,
  keys: { primary: string; secondary: string },
  extra: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  const storage = inject('azuriteConnectionString');
  return {
    PORT: '0',
    CatalogStorage: storage,
    AzureWebJobsStorage: storage,
    CATALOG_TABLE_NAME: tableName,
    MANAGEMENT_PRIMARY_KEY: keys.primary,
    MANAGEMENT_SECONDARY_KEY: keys.secondary,
    ...extra,
  };
}
