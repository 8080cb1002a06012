import { createServer, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadFunctionsApp, type LoadedApp } from './appRuntime';
import type { RunningAzurite } from './azurite';
import { closeServer, listen } from './http/listen';
import { createContinueHandler, createRequestHandler, type FunctionBodyLimit, type HttpRuntime } from './http/requestHandler';
import { serverLimitsFromEnv } from './http/serverLimits';
import type { HttpTarget, RegisteredFunction } from './httpFunctions';
import { loadLocalSettings, type LoadedLocalSettings } from './localSettings';
import { createConsoleLogger, type HostLogger } from './log';
import { readHostConfig } from './projectConfig';
import { ensureDevelopmentStorage } from './storage';

export type { RegisteredFunction } from './httpFunctions';

export interface LocalHostOptions {
  /** Folder with package.json (its `main` names the function files), host.json, local.settings.json. */
  projectRoot: string;
  /** 0 picks a free port. Default: `PORT`, else local.settings.json `Host.LocalHttpPort`, else 7071. */
  port?: number;
  /** Address to listen on. Default: all interfaces, as `func start` does. */
  hostname?: string;
  /** Set in `process.env` first (undefined removes), so they win over local.settings.json like real variables. */
  env?: Record<string, string | undefined>;
  /** Default: `[source] message` lines on stdout/stderr at host.json's log level. */
  logger?: HostLogger;
  /**
   * The app's body limits per function name (undefined: the platform's 100 MB),
   * read once its settings are applied. A body announced over `maxBytes` is
   * refused before a byte of it is read; one over `keptBytes` is discarded as it
   * arrives and the function gets the request without it.
   */
  bodyLimits?: (env: NodeJS.ProcessEnv) => (functionName: string) => FunctionBodyLimit | undefined;
}

export interface LocalHost {
  /** `http://localhost:<port>`, without a trailing slash. */
  url: string;
  port: number;
  /** In routing order: the first function whose route matches a request serves it. */
  functions: RegisteredFunction[];
  /** Stops listening (open connections are cut), runs appTerminate hooks, stops Azurite if started. Idempotent. */
  close(): Promise<void>;
}

let started = false;

/**
 * Runs the app's HTTP functions without Core Tools: applies local.settings.json,
 * starts Azurite when the app uses development storage, listens (so that
 * `WEBSITE_HOSTNAME` is known before the app loads), loads the app and serves it
 * with the host's routing. Requests that arrive while the app loads wait for it.
 *
 * Once per process: the app registers its functions when its modules first load,
 * and Node caches modules. To run another host, use a child process
 * (`node dist/src/local/main.js --root <dir>`).
 */
export async function startLocalHost(options: LocalHostOptions): Promise<LocalHost> {
  if (started) {
    throw new Error('The local host can start only once per process (modules register once); run another one in a child process.');
  }
  started = true;

  const projectRoot = resolve(options.projectRoot);
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  const settings = loadLocalSettings(projectRoot);
  const config = readHostConfig(projectRoot);
  const logger = options.logger ?? createConsoleLogger(config.logLevel);
  if (settings.found) {
    logger.log('information', 'host', `local.settings.json: ${settings.applied.length} values applied, ${settings.overridden.length} left to the environment.`);
  } else if (existsSync(join(projectRoot, 'local.settings.sample.json'))) {
    logger.log('information', 'host', 'No local.settings.json: copy local.settings.sample.json to local.settings.json to use its settings.');
  }

  let azurite: RunningAzurite | undefined;
  let server: Server | undefined;
  let app: LoadedApp | undefined;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      if (server) await closeServer(server);
      await app?.terminate();
      await azurite?.stop();
    })());

  const ready = deferred<HttpRuntime<HttpTarget>>();
  try {
    const port = options.port ?? configuredPort(process.env, settings);
    const limits = serverLimitsFromEnv(process.env);
    const bodyLimit = options.bodyLimits?.(process.env);
    azurite = await ensureDevelopmentStorage(projectRoot, process.env, logger);

    const handler = createRequestHandler(ready.promise, logger, { bodyLimit, maxBodyBytesInFlight: limits.maxBodyBytesInFlight });
    server = createServer(
      {
        headersTimeout: limits.headersTimeoutMs,
        requestTimeout: limits.requestTimeoutMs,
        keepAliveTimeout: limits.keepAliveTimeoutMs,
        // How often the two timeouts above are checked (Node's default, 30 s, would stretch them).
        connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
      },
      handler,
    );
    // Beyond it new connections are closed at once: a flood of held sockets cannot take the
    // descriptors the app needs for its own storage connections.
    server.maxConnections = limits.maxConnections;
    server.on('checkContinue', createContinueHandler(handler));
    const actualPort = await listen(server, port, options.hostname);
    // As func start does; apps build their own absolute URLs from it.
    process.env.WEBSITE_HOSTNAME ??= `localhost:${actualPort}`;
    process.env.AZURE_FUNCTIONS_ENVIRONMENT ??= 'Development';

    app = await loadFunctionsApp(projectRoot, config.routePrefix, logger);
    ready.resolve(app.runtime);
    return { url: `http://localhost:${actualPort}`, port: actualPort, functions: app.functions, close };
  } catch (err) {
    ready.reject(err);
    await close();
    throw err;
  }
}

function configuredPort(env: NodeJS.ProcessEnv, settings: LoadedLocalSettings): number {
  const text = env.PORT;
  if (text === undefined || text === '') return settings.localHttpPort ?? 7071;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new Error(`PORT must be a port number (0 for any free port), not "${text}".`);
  return port;
}

function deferred<T>(): { promise: Promise<T>; resolve(value: T): void; reject(err: unknown): void } {
  let resolve: (value: T) => void = () => undefined;
  let reject: (err: unknown) => void = () => undefined;
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  // Waiting requests answer 503 on failure; nobody else needs to observe it.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}
