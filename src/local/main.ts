/**
 * `npm start`: runs the app's functions on a local host (no Core Tools needed).
 *
 *   node dist/src/local/main.js [--root <project folder>]
 *
 * Port: PORT (0 for any free one), else local.settings.json Host.LocalHttpPort, else 7071.
 * Prints "Functions host listening on <url>" once it serves requests.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { bootstrapLocalSettings } from '../cli/settingsBootstrap';
import { functionBodyLimits } from '../functions/lib/bodyLimits';
import { EntryPointError } from './appLoader';
import { formatFunctionList, listeningLine, loadLabBanner } from './banner';
import { startLocalHost, type LocalHost } from './host';
import { describeError } from './log';
import { PROJECT_ROOT } from './projectConfig';

/** Longest wait for a clean shutdown before exiting anyway. */
const SHUTDOWN_GRACE_MS = 10_000;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { root: { type: 'string' } } });
  const projectRoot = values.root ? resolve(values.root) : PROJECT_ROOT;

  let host: LocalHost;
  try {
    if (projectRoot === PROJECT_ROOT) {
      const generated = bootstrapLocalSettings(projectRoot);
      if (generated.length) process.stdout.write(`[host] Generated ${generated.join(', ')} into local.settings.json (git-ignored).\n`);
    }
    // This project's functions declare their body limits; another project's get the platform's.
    host = await startLocalHost({ projectRoot, bodyLimits: projectRoot === PROJECT_ROOT ? functionBodyLimits : undefined });
  } catch (err) {
    process.stderr.write(`[host] Startup failed: ${err instanceof Error ? err.message : String(err)}\n`);
    // For the app's own errors the stack says where; for the host's refusals the message is enough.
    if (err instanceof EntryPointError) process.stderr.write(`${describeError(err.cause)}\n`);
    // The app's modules may hold handles open; nothing else is running.
    process.exit(1);
  }
  handleSignals(host);

  process.stdout.write(`${listeningLine(host.url)}\n\n${formatFunctionList(host.url, host.functions)}\n\n`);
  // The lab text belongs to this project's app, not to another project run with --root.
  if (projectRoot === PROJECT_ROOT) {
    try {
      const text = await loadLabBanner(join(__dirname, '..', 'lab', 'banner'), host.url);
      if (text) process.stdout.write(`${text.trimEnd()}\n\n`);
    } catch (err) {
      process.stderr.write(`[host] The lab banner failed: ${describeError(err)}\n`);
    }
  }
}

/** Ctrl-C or SIGTERM: close the server and stop Azurite; a second signal exits at once. */
function handleSignals(host: LocalHost): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stdout.write(`[host] ${signal}: shutting down\n`);
    setTimeout(() => {
      process.stderr.write('[host] Shutdown took too long; exiting.\n');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    host.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`[host] Shutdown failed: ${describeError(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
