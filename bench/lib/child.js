'use strict';

/**
 * Shared by the bench's child servers (run with `fork`): report readiness to the
 * parent over IPC, and exit when the parent goes away or asks to stop, so that
 * no server outlives a bench run (Ctrl-C included).
 */

/** Sends a message to the parent (no-op when run by hand without IPC). */
function tell(message) {
  if (process.send) process.send(message);
}

/**
 * `close` runs once on SIGINT/SIGTERM, a `{ stop: true }` message or the IPC
 * channel closing (the parent exited or was killed); then the process exits.
 */
function onShutdown(close) {
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    const timer = setTimeout(() => process.exit(0), 3000);
    timer.unref();
    try {
      await close();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
  process.on('message', (message) => {
    if (message && message.stop) void stop();
  });
}

/** Listens on the loopback interface only, on a free port; resolves with the port. */
function listenLoopback(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => resolve(server.address().port));
  });
}

/** Stops listening and cuts keep-alive connections. */
function closeServer(server) {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Memory figures in MB, after a full GC when the process runs with --expose-gc. */
function memory() {
  const before = process.memoryUsage();
  if (typeof global.gc === 'function') {
    global.gc();
    global.gc();
  }
  const after = process.memoryUsage();
  const mb = (n) => Math.round((n / 1048576) * 10) / 10;
  return {
    rssMb: mb(before.rss),
    rssAfterGcMb: mb(after.rss),
    heapUsedAfterGcMb: mb(after.heapUsed),
  };
}

module.exports = { tell, onShutdown, listenLoopback, closeServer, memory };
