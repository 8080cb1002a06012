import type { ApiResource, HeaderRow, OperationResource } from './types';

/** Names a page may not set: the browser drops them from fetch silently. */
export const FORBIDDEN_HEADER =
  /^(accept-charset|accept-encoding|access-control-request-.*|connection|content-length|cookie2?|date|dnt|expect|host|keep-alive|origin|referer|set-cookie|te|trailer|transfer-encoding|upgrade|via|proxy-.*|sec-.*)$/i;

/** A row the console sends: named, with a value, and settable by a page. */
export function isSent(row: HeaderRow): boolean {
  return row.name.trim() !== '' && row.value !== '' && !FORBIDDEN_HEADER.test(row.name.trim());
}

export interface ConsoleRequest {
  method: string;
  /** Path and query. */
  target: string;
  url: string;
  headers: HeaderRow[];
}

export interface RequestInputs {
  api: ApiResource;
  operation: OperationResource;
  templateValues: Record<string, string>;
  queryValues: Record<string, string>;
  rows: HeaderRow[];
  origin: string;
}

/** URL and headers of the request as it will be sent. */
export function buildRequest({ api, operation, templateValues, queryValues, rows, origin }: RequestInputs): ConsoleRequest {
  const op = operation.properties;
  const template = String(op.urlTemplate || '/');
  const q = template.indexOf('?');
  const pathPart = q < 0 ? template : template.slice(0, q);
  const queryPart = q < 0 ? '' : template.slice(q + 1);
  const path = pathPart.replace(/\{(\*?)([^{}]+)\}/g, (_all, star: string, name: string) => {
    const value = templateValues[name] || '';
    return star ? value.split('/').map(encodeURIComponent).join('/') : encodeURIComponent(value);
  });
  const pairs: string[] = [];
  for (const pair of queryPart.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const name = eq < 0 ? pair : pair.slice(0, eq);
    const raw = eq < 0 ? '' : pair.slice(eq + 1);
    const param = /^\{([^{}]+)\}$/.exec(raw);
    pairs.push(`${encodeURIComponent(name)}=${encodeURIComponent(param ? templateValues[param[1]!] || '' : raw)}`);
  }
  for (const name of Object.keys(queryValues)) {
    const value = queryValues[name]!;
    if (value !== '') pairs.push(`${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
  }
  const apiPath = String(api.properties.path || '').replace(/^\/+|\/+$/g, '');
  const target = (apiPath ? `/${apiPath}` : '') + (path.charAt(0) === '/' ? path : `/${path}`) + (pairs.length ? `?${pairs.join('&')}` : '');
  return { method: op.method, target, url: origin + target, headers: rows.filter(isSent) };
}
