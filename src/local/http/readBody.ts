import type { IncomingMessage } from 'node:http';
import { PLATFORM_MAX_BODY_BYTES } from '../../gateway/limitBody';

export type BodyResult = { kind: 'complete'; body: Buffer; size: number } | { kind: 'tooLarge' } | { kind: 'aborted' };

/**
 * Reads a request body, but only up to `limit` bytes: past it, what was read is
 * dropped and the rest is discarded as it arrives (so the connection can still
 * carry the 413 answer) instead of being buffered. With `keep: false` the bytes
 * are only counted (a body the host drops anyway): the result's body is empty
 * and its `size` says how much came.
 */
export function readBody(req: IncomingMessage, limit: number = PLATFORM_MAX_BODY_BYTES, keep = true): Promise<BodyResult> {
  // With a Content-Length the body goes straight into one buffer of that size: no second copy to join chunks.
  const declared = declaredContentLength(req);
  const target = keep && declared !== undefined && !Number.isNaN(declared) && declared <= limit ? Buffer.allocUnsafe(declared) : undefined;
  return new Promise((resolve) => {
    let chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (result: BodyResult) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limit) {
        chunks = [];
        settle({ kind: 'tooLarge' });
        return;
      }
      if (target) {
        // Node's parser never delivers more than Content-Length; the check keeps a bad caller of this function harmless.
        if (size <= target.length) chunk.copy(target, size - chunk.length);
      } else if (keep) chunks.push(chunk);
    });
    req.once('end', () => {
      const body = target ? target.subarray(0, Math.min(size, target.length)) : keep ? Buffer.concat(chunks, size) : Buffer.alloc(0);
      settle({ kind: 'complete', body, size });
    });
    req.once('aborted', () => settle({ kind: 'aborted' }));
    req.once('error', () => settle({ kind: 'aborted' }));
    req.once('close', () => {
      if (!req.complete) settle({ kind: 'aborted' });
    });
  });
}

/**
 * The declared `Content-Length`: a number, `undefined` when absent (no body or a
 * chunked one), or `NaN` when it is not a valid length.
 */
export function declaredContentLength(req: IncomingMessage): number | undefined {
  const header = req.headers['content-length'];
  if (header === undefined) return undefined;
  return /^\d+$/.test(header) ? Number(header) : NaN;
}
