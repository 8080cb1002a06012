import type { ServerResponse } from 'node:http';
import type { RpcHttpData, RpcTypedData } from '../coreApi';
import { formatSetCookie } from './setCookie';

/** Headers the server computes itself; a function's values for them would break framing. */
const SERVER_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'trailer', 'te']);

/** Statuses that never carry a body (nor a Content-Length). */
export function isBodylessStatus(status: number): boolean {
  return status < 200 || status === 204 || status === 205 || status === 304;
}

/**
 * Writes the `RpcHttp` a function returned, as the host does: status, headers,
 * a `Set-Cookie` line per cookie (after one from the headers, if any), the body
 * bytes unchanged with their `Content-Length`. `undefined` (the function returned
 * nothing) is `200` with an empty body. HEAD answers get the headers only.
 */
export function writeRpcResponse(res: ServerResponse, http: RpcHttpData | null | undefined, isHead: boolean): void {
  const status = http?.statusCode === undefined ? 200 : Number.parseInt(http.statusCode, 10);
  res.statusCode = Number.isInteger(status) ? status : 200;

  const setCookies: string[] = [];
  for (const [name, value] of Object.entries(http?.headers ?? {})) {
    const lower = name.toLowerCase();
    if (SERVER_HEADERS.has(lower)) continue;
    if (lower === 'set-cookie') setCookies.push(value);
    else res.setHeader(name, value);
  }
  for (const cookie of http?.cookies ?? []) setCookies.push(formatSetCookie(cookie));
  if (setCookies.length > 0) res.setHeader('Set-Cookie', setCookies);

  if (isBodylessStatus(res.statusCode)) {
    res.end();
    return;
  }
  const body = bodyBytes(http?.body);
  res.setHeader('Content-Length', body.length);
  if (isHead) res.end();
  else res.end(body);
}

/** An answer of the host itself (404, 413, 500...): status and nothing else, like the host. */
export function writeEmptyResponse(res: ServerResponse, status: number): void {
  res.statusCode = status;
  if (!isBodylessStatus(status)) res.setHeader('Content-Length', 0);
  res.end();
}

function bodyBytes(body: RpcTypedData | null | undefined): Buffer {
  if (!body) return Buffer.alloc(0);
  if (body.bytes) return Buffer.from(body.bytes.buffer, body.bytes.byteOffset, body.bytes.byteLength);
  if (typeof body.string === 'string') return Buffer.from(body.string, 'utf8');
  if (typeof body.json === 'string') return Buffer.from(body.json, 'utf8');
  return Buffer.alloc(0);
}
