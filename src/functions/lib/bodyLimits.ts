import { maxBodyBytesFromEnv } from '../../gateway/limitBody';

/**
 * The largest request body each function takes, for a host that can refuse a
 * body before reading it (the local host; in Azure the Functions host reads up
 * to its own 100 MB first). Bodies announced larger get the host's empty 413.
 *
 * - `management`: 4 MiB, Azure Resource Manager's own request limit. Bodies over
 *   the API's 1 MiB up to that still reach it, so that it answers them with its
 *   ARM `RequestEntityTooLarge` (after the token check, without reading them).
 * - `lab`: the console's routes take GET only; nothing worth a body.
 * - `echo`: what the gateway forwards, `GATEWAY_MAX_BODY_BYTES`.
 * - the gateway: the platform's 100 MB, because its APIM 413 names the body's
 *   exact size; the host's in-flight cap bounds what many of them hold.
 */
export const MANAGEMENT_HOST_MAX_BODY_BYTES = 4 * 1024 * 1024;
export const LAB_MAX_BODY_BYTES = 16 * 1024;

export function functionBodyLimits(env: NodeJS.ProcessEnv = process.env): (functionName: string) => number | undefined {
  const limits = new Map<string, number>([
    ['management', MANAGEMENT_HOST_MAX_BODY_BYTES],
    ['lab', LAB_MAX_BODY_BYTES],
    ['echo', maxBodyBytesFromEnv(env)],
  ]);
  return (functionName) => limits.get(functionName.toLowerCase());
}
