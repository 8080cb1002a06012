import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Listens on `port` (0: any free one) and `hostname` (undefined: all interfaces,
 * IPv6 and IPv4 where available). Resolves with the port actually bound; a port
 * in use is reported with what to do about it.
 */
export function listen(server: Server, port: number, hostname: string | undefined): Promise<number> {
  return new Promise((done, fail) => {
    const onError = (err: NodeJS.ErrnoException) => {
      fail(
        err.code === 'EADDRINUSE'
          ? new Error(`Port ${port} is in use by another process. Set PORT to another port (0 for any free one).`, { cause: err })
          : err,
      );
    };
    server.once('error', onError);
    server.listen({ port, host: hostname }, () => {
      server.off('error', onError);
      done((server.address() as AddressInfo).port);
    });
  });
}

/** Stops listening and cuts open connections (keep-alive ones would hold `close` for seconds). */
export function closeServer(server: Server): Promise<void> {
  return new Promise((done) => {
    if (!server.listening) return done();
    server.close(() => done());
    server.closeAllConnections();
  });
}
