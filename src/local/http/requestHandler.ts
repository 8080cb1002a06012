import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { PLATFORM_MAX_BODY_BYTES } from '../../gateway/limitBody';
import type { RpcTypedData } from '../coreApi';
import type { InvocationResult } from '../invoke';
import { describeError, type HostLogger } from '../log';
import { decodeRequestPath, isReservedPath, parseRequestTarget } from '../routing/requestPath';
import type { RouteTable } from '../routing/routeTable';
import { BodyBudget } from './bodyBudget';
import { isValidHostHeader } from './hostHeader';
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

/** How the host treats request bodies. */
export interface BodyLimits {
  /** The body limits of a function, by function name; undefined: the platform's 100 MB, all handed on. */
  bodyLimit?: (functionName: string) => FunctionBodyLimit | undefined;
  /** Body bytes held at once by all requests together; a body that does not fit is an empty 503, unread. Default: no cap. */
  maxBodyBytesInFlight?: number;
}

/** The body limits of one function. */
export interface FunctionBodyLimit {
  /**
   * The largest body it takes; never above the platform's. Bodies announced
   * larger are the host's empty 413 before a byte is read; chunked ones are counted.
   */
  readonly maxBytes: number;
  /**
   * The largest body it is handed (default: `maxBytes`). A body announced larger
   * is read and discarded as it arrives, never held; the function gets the
   * request without it, its `Content-Length` saying how long it was.
   */
  readonly keptBytes?: number;
}

/** Requests that asked `Expect: 100-continue`: the body is invited only once it will be taken. */
const awaitingContinue = new WeakSet<IncomingMessage>();

/**
 * The host's HTTP pipeline: front-end limits (414, 413), `Host` (400), reserved
 * paths, routing (404), the route's body limit (413) and the in-flight cap (503),
 * body, invocation (500 when it throws), response. Requests that arrive while the
 * app is still loading wait for `runtime`; if loading fails they get 503.
 */
export function createRequestHandler<T>(
  runtime: Promise<HttpRuntime<T>>,
  logger: HostLogger,
  limits: BodyLimits = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  const budget = new BodyBudget(limits.maxBodyBytesInFlight ?? Number.POSITIVE_INFINITY);
  const context: ServeContext<T> = { runtime, logger, budget, bodyLimit: limits.bodyLimit ?? (() => undefined) };
  return (req, res) => {
    serve(req, res, context).catch((err: unknown) => {
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
    awaitingContinue.add(req);
    handler(req, res);
  };
}

interface ServeContext<T> {
  runtime: Promise<HttpRuntime<T>>;
  logger: HostLogger;
  budget: BodyBudget;
  bodyLimit: (functionName: string) => FunctionBodyLimit | undefined;
}

/** A refusal before the body is read: a client waiting for `100 Continue` will not send it, so the connection ends. */
function refuseUnread(req: IncomingMessage, res: ServerResponse, status: number): void {
  if (awaitingContinue.has(req)) res.setHeader('Connection', 'close');
  writeEmptyResponse(res, status);
}

async function serve<T>(req: IncomingMessage, res: ServerResponse, context: ServeContext<T>): Promise<void> {
  const { logger } = context;
  let runtime: HttpRuntime<T>;
  try {
    runtime = await context.runtime;
  } catch {
    refuseUnread(req, res, 503);
    return;
  }

  const rawTarget = req.url ?? '/';
  if (Buffer.byteLength(rawTarget) > MAX_URL_BYTES) return refuseUnread(req, res, 414);
  const target = parseRequestTarget(rawTarget);
  const declared = declaredContentLength(req);
  if (!target || Number.isNaN(declared)) return refuseUnread(req, res, 400);
  // The app builds its URL from Host: one value, `host[:port]`, or the request is malformed.
  const hostValues = req.headersDistinct.host;
  if (hostValues && (hostValues.length !== 1 || !isValidHostHeader(hostValues[0]!))) return refuseUnread(req, res, 400);
  // Refused on the announcement: the body is never read into memory.
  if (declared !== undefined && declared > PLATFORM_MAX_BODY_BYTES) return refuseUnread(req, res, 413);

  const path = decodeRequestPath(target.rawPath);
  if (isReservedPath(path)) return refuseUnread(req, res, 404);
  const method = req.method ?? 'GET';
  const match = runtime.routes.match(method, path);
  if (!match) return refuseUnread(req, res, 404);
  const name = match.entry.functionName;

  const bodyLimit = context.bodyLimit(name);
  const limit = Math.min(PLATFORM_MAX_BODY_BYTES, bodyLimit?.maxBytes ?? PLATFORM_MAX_BODY_BYTES);
  if (declared !== undefined && declared > limit) return refuseUnread(req, res, 413);
  // Only bodies with a Content-Length the function is handed are kept (a chunked one, or one over
  // `keptBytes`, is counted and dropped), so only they hold memory.
  const keep = declared !== undefined && declared <= (bodyLimit?.keptBytes ?? limit);
  const release = context.budget.reserve(keep ? declared : 0);
  if (!release) return refuseUnread(req, res, 503);
  try {
    if (awaitingContinue.has(req)) res.writeContinue();
    const read = await readBody(req, limit, keep);
    if (read.kind === 'aborted') return;
    if (read.kind === 'tooLarge') return writeEmptyResponse(res, 413);
    if (declared === undefined && read.size > 0) {
      logger.log('warning', name, 'The request body came without Content-Length (chunked) and was dropped, as the Functions host drops it.');
    }

    const host = hostValues?.[0] || `localhost:${req.socket.localPort ?? ''}`;
    const url = `http://${host}${target.pathAndQuery}`;
    if (!URL.canParse(url)) return writeEmptyResponse(res, 400);
    const http = toRpcRequest({ req, url, rawQuery: target.rawQuery, params: match.params, body: keep && declared ? read.body : undefined });
    await invokeAndRespond(res, runtime, match.entry.target, http, method, name, logger);
  } finally {
    release();
  }
}

async function invokeAndRespond<T>(
  res: ServerResponse,
  runtime: HttpRuntime<T>,
  target: T,
  http: RpcTypedData['http'],
  method: string,
  name: string,
  logger: HostLogger,
): Promise<void> {

  const started = performance.now();
  const elapsed = () => `${Math.round(performance.now() - started)} ms`;
  let result: InvocationResult;
  try {
    result = await runtime.invoke(target, { http });
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
