import type { IncomingMessage } from 'node:http';
import type { RpcHttpData, RpcNullableString } from '../coreApi';

/** What the host knows about a request once routing has chosen a function. */
export interface RoutedRequest {
  req: IncomingMessage;
  /** `http://<Host><raw path and query>`. */
  url: string;
  rawQuery: string;
  params: Record<string, string>;
  /** The body as the host forwards it: only when `Content-Length` was above zero. */
  body: Buffer | undefined;
}

/**
 * The `RpcHttp` the host would send for this request, in the form the Node worker
 * asks for (nullable maps, body as bytes, no raw body): header names lower-cased
 * and repeated values joined by `,`, query values joined by `,`.
 */
export function toRpcRequest({ req, url, rawQuery, params, body }: RoutedRequest): RpcHttpData {
  return {
    method: req.method ?? 'GET',
    url,
    nullableHeaders: nullable(requestHeaders(req)),
    nullableQuery: nullable(queryValues(rawQuery)),
    nullableParams: nullable(params),
    body: body && body.length > 0 ? { bytes: body } : null,
    identities: [],
  };
}

/** Header values as the worker receives them, with the front end's forwarding headers added. */
export function requestHeaders(req: IncomingMessage): Record<string, string> {
  const headers = emptyMap<string>();
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    if (values) headers[name] = values.join(',');
  }
  // Azure's front end appends the caller (as address:port) and says which scheme it served.
  const caller = socketAddress(req);
  if (caller) headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${caller}` : caller;
  headers['x-forwarded-proto'] ??= 'http';
  return headers;
}

function socketAddress(req: IncomingMessage): string | undefined {
  const { remoteAddress, remotePort } = req.socket;
  if (!remoteAddress) return undefined;
  const address = remoteAddress.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  const host = address.includes(':') ? `[${address}]` : address;
  return remotePort === undefined ? host : `${host}:${remotePort}`;
}

/** ASP.NET's query parsing: `+` is a space, repeated keys are joined by `,`, `?flag` is an empty value. */
function queryValues(rawQuery: string): Record<string, string> {
  const values = emptyMap<string>();
  const search = new URLSearchParams(rawQuery);
  for (const key of new Set(search.keys())) values[key] = search.getAll(key).join(',');
  return values;
}

function nullable(map: Record<string, string>): Record<string, RpcNullableString> {
  const result = emptyMap<RpcNullableString>();
  for (const [key, value] of Object.entries(map)) result[key] = { value };
  return result;
}

/** Without a prototype, so a header or query key named `__proto__` is just a key. */
function emptyMap<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
