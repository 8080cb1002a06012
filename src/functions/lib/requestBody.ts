import type { HttpRequest } from '@azure/functions';

/**
 * Request bodies in the functions, read only when wanted and within a limit:
 * the announced `Content-Length` is checked before any byte is copied out of
 * the request.
 */

const METHODS_WITHOUT_BODY = new Set(['GET', 'HEAD']);

/** The announced `Content-Length`; undefined when absent or not a length. */
export function declaredLength(request: HttpRequest): number | undefined {
  const header = request.headers.get('content-length')?.trim();
  return header !== undefined && /^\d+$/.test(header) ? Number(header) : undefined;
}

/** Whether the announced body is over `limit` bytes. */
export function announcesMoreThan(request: HttpRequest, limit: number): boolean {
  const declared = declaredLength(request);
  return declared !== undefined && declared > limit;
}

/** The body's bytes (null for GET, HEAD or no body), as `toCoreRequest` reads them. */
export async function readRequestBody(request: HttpRequest): Promise<Uint8Array | null> {
  if (METHODS_WITHOUT_BODY.has(request.method) || !request.body) return null;
  return new Uint8Array(await request.arrayBuffer());
}
