import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { PLATFORM_MAX_BODY_BYTES } from '../../gateway/limitBody';
import type { RpcTypedData } from '../coreApi';
import type { InvocationResult } from '../invoke';
import { describeError, type HostLogger } from '../log';
import { decodeRequestPath, isReservedPath, parseRequestTarget } from '../routing/requestPath';
import type { RouteTable } from '../routing/routeTable';
import { declaredContentLength, readBody } from './readBody';
import { toRpcRequest } from './toRpcRequest';
import { writeEmptyResponse, writeRpcResponse } from './writeResponse';

/** Azure's front end refuses request URLs over 4 KB. */
export const MAX_URL_BYTES = 4096;

/** What serving needs once the app is loaded. */
export interface HttpRuntime<T> {
  routes: RouteTable<T>;
  /** Runs the routed function with its trigger data (`{ http: RpcHttp }`). */
  invoke(target: T, data: RpcTypedData): Promise<InvocationResult>;
}

/**
 * The host's HTTP pipeline: front-end limits (414, 413), reserved paths, routing
 * (404), body, invocation (500 when it throws), response. Requests that arrive
 * while the app is still loading wait for `runtime`; if loading fails they get 503.
 */
export function createRequestHandler<T>(runtime: Promise<HttpRuntime<T>>, logger: HostLogger): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    serve(req, res, runtime, logger).catch((err: unknown) => {
      logger.log('error', 'host', `Request failed: ${describeError(err)}`);
      if (!res.headersSent) {
        for (const name of res.getHeaderNames()) res.removeHeader(name);
        writeEmptyResponse(res, 500);
      } else {
        res.destroy();
      }
    });
  };
}

/**
 * For `Expect: 100-continue`: refuses an announced body over the limit before the
 * client sends it, otherwise invites the body and serves as usual.
 */
export function createContinueHandler(handler: (req: IncomingMessage, res: ServerResponse) => void): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const declared = declaredContentLength(req);
    if (declared !== undefined && declared > PLATFORM_MAX_BODY_BYTES) {
      // The body will never come, so the connection cannot carry another request.
      res.setHeader('Connection', 'close');
      writeEmptyResponse(res, 413);
      return;
    }
    res.writeContinue();
    handler(req, res);
  };
}

async function serve<T>(req: IncomingMessage, res: ServerResponse, runtimePromise: Promise<HttpRuntime<T>>, logger: HostLogger): Promise<void> {
  let runtime: HttpRuntime<T>;
  try {
    runtime = await runtimePromise;
  } catch {
    writeEmptyResponse(res, 503);
    return;
  }

  const rawTarget = req.url ?? '/';
  if (Buffer.byteLength(rawTarget) > MAX_URL_BYTES) return writeEmptyResponse(res, 414);
  const target = parseRequestTarget(rawTarget);
  const declared = declaredContentLength(req);
  if (!target || Number.isNaN(declared)) return writeEmptyResponse(res, 400);
  // Refused on the announcement: the body is never read into memory.
  if (declared !== undefined && declared > PLATFORM_MAX_BODY_BYTES) return writeEmptyResponse(res, 413);

  const path = decodeRequestPath(target.rawPath);
  if (isReservedPath(path)) return writeEmptyResponse(res, 404);
  const method = req.method ?? 'GET';
  const match = runtime.routes.match(method, path);
  if (!match) return writeEmptyResponse(res, 404);
  const name = match.entry.functionName;

  const read = await readBody(req);
  if (read.kind === 'aborted') return;
  if (read.kind === 'tooLarge') return writeEmptyResponse(res, 413);
  if (declared === undefined && read.body.length > 0) {
    logger.log('warning', name, 'The request body came without Content-Length (chunked) and was dropped, as the Functions host drops it.');
  }

  const host = req.headers.host || `localhost:${req.socket.localPort ?? ''}`;
  const url = `http://${host}${target.pathAndQuery}`;
  if (!URL.canParse(url)) return writeEmptyResponse(res, 400);
  const http = toRpcRequest({ req, url, rawQuery: target.rawQuery, params: match.params, body: declared ? read.body : undefined });

  const started = performance.now();
  const elapsed = () => `${Math.round(performance.now() - started)} ms`;
  let result: InvocationResult;
  try {
    result = await runtime.invoke(match.entry.target, { http });
  } catch (err) {
    logger.log('error', name, `Executed (Failed, ${elapsed()}): ${describeError(err)}`);
    return writeEmptyResponse(res, 500);
  }
  if (result.outputNames.length > 0) {
    logger.log('warning', name, `Output bindings ${result.outputNames.join(', ')} are not run by the local host; their values were dropped.`);
  }
  writeRpcResponse(res, result.returnValue?.http, method.toUpperCase() === 'HEAD');
  logger.log('information', name, `Executed (Succeeded, ${res.statusCode}, ${elapsed()})`);
}
