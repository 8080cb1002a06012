import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  url: string;
  /** Raw header pairs as they arrived, names as sent. */
  rawHeaders: [string, string][];
  body: Buffer;
}

export interface TestBackend {
  readonly url: string;
  readonly received: Received[];
  /** TCP connections accepted so far. */
  connections: number;
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

/** A real `node:http` backend on 127.0.0.1 and a free port, recording what it receives. */
export async function startBackend(handler: Handler): Promise<TestBackend> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const rawHeaders: [string, string][] = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2) rawHeaders.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
      received.push({ method: req.method ?? '', url: req.url ?? '', rawHeaders, body });
      handler(req, res, body);
    });
  });
  const backend: TestBackend = {
    url: '',
    received,
    connections: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  server.on('connection', () => backend.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  (backend as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return backend;
}

/** A port nobody listens on: bound, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
