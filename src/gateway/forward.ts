import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { Agent, type Dispatcher } from 'undici';
import type { BackendCall } from './backendCall';
import { hopByHopFilter } from './hopByHop';
import type { GatewayResponse, Rejection } from './types';

export interface ForwarderOptions {
  /** TCP (and TLS) connect timeout; default 10 s. */
  readonly connectTimeoutMs?: number;
  /** Wait for the backend's response headers; default 230 s (Azure's load balancer idle limit). */
  readonly headersTimeoutMs?: number;
  /** Longest silence between two body chunks; default 230 s. */
  readonly bodyTimeoutMs?: number;
  /** Use this dispatcher instead of an own keep-alive `Agent`; `close()` then leaves it open. */
  readonly dispatcher?: Dispatcher;
}

/** A failed backend call: the reason, and the error code (never a message) for the trace. */
export type BackendFailure = Rejection & { readonly backendError: string | null };

/** Sends backend calls; one per gateway, sharing one pool of keep-alive connections. */
export interface Forwarder {
  forward(call: BackendCall): Promise<GatewayResponse | BackendFailure>;
  /** Closes pooled connections (only those of an own `Agent`). */
  close(): Promise<void>;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_HEADERS_TIMEOUT_MS = 230_000;
export const DEFAULT_BODY_TIMEOUT_MS = 230_000;

/** Stage 5: forwards over undici and streams the backend's answer back unchanged. */
export function createForwarder(options: ForwarderOptions = {}): Forwarder {
  const headersTimeout = options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS;
  const bodyTimeout = options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS;
  const owned = options.dispatcher === undefined;
  const dispatcher =
    options.dispatcher ??
    new Agent({
      connect: { timeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS },
      headersTimeout,
      bodyTimeout,
    });

  return {
    async forward(call) {
      try {
        const response = await dispatcher.request({
          origin: call.origin,
          path: call.path,
          method: call.method,
          headers: call.headers.flat(),
          body: call.body,
          signal: call.signal ?? null,
          headersTimeout,
          bodyTimeout,
        });
        return toGatewayResponse(call.method, response);
      } catch (error) {
        return failure(error, call.signal);
      }
    },
    close: () => (owned ? dispatcher.close() : Promise.resolve()),
  };
}

function toGatewayResponse(method: string, response: Dispatcher.ResponseData): GatewayResponse {
  const { statusCode, body } = response;
  const bodiless = method === 'HEAD' || statusCode === 204 || statusCode === 304;
  if (bodiless) body.dump().catch(() => undefined); // frees the connection for reuse
  return {
    status: statusCode,
    headers: responseHeaders(response.headers),
    body: bodiless ? null : toWebStream(body),
  };
}

/** Backend headers minus hop-by-hop ones; repeated headers (`Set-Cookie`) stay separate. */
function responseHeaders(raw: IncomingHttpHeaders): [string, string][] {
  const drop = hopByHopFilter(raw['connection']);
  const headers: [string, string][] = [];
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined || drop(name)) continue;
    if (Array.isArray(value)) for (const v of value) headers.push([name, v]);
    else headers.push([name, value]);
  }
  return headers;
}

/**
 * Pull-based, so a slow caller slows the backend read (backpressure) instead of
 * buffering the body in memory; cancelling destroys the backend stream.
 */
function toWebStream(readable: Readable): ReadableStream<Uint8Array> {
  const chunks: AsyncIterator<Uint8Array> = readable[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
      cancel() {
        readable.destroy();
      },
    },
    { highWaterMark: 0 },
  );
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

function failure(error: unknown, signal: AbortSignal | undefined): BackendFailure {
  const code = errorCode(error);
  if (signal?.aborted) return { rejected: 'clientAborted', backendError: code };
  return { rejected: code && TIMEOUT_CODES.has(code) ? 'backendTimeout' : 'backendUnreachable', backendError: code };
}

/** A short upper-case code (`ECONNREFUSED`); error messages may name hosts, so they are not kept. */
function errorCode(error: unknown): string | null {
  const e = error as { code?: unknown; cause?: { code?: unknown }; errors?: { code?: unknown }[] } | null;
  const code = e?.code ?? e?.cause?.code ?? e?.errors?.[0]?.code;
  return typeof code === 'string' && /^[A-Z0-9_]{1,64}$/.test(code) ? code : null;
}
