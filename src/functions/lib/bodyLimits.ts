import { maxBodyBytesFromEnv, PLATFORM_MAX_BODY_BYTES } from '../../gateway/limitBody';

/**
 * The largest request body each function takes, for a host that can refuse a
 * body before reading it (the local host; in Azure the Functions host reads up
 * to its own 100 MB first). Bodies announced larger get the host's empty 413.
 * `keptBytes`: the most a function is handed; a body announced larger is read
 * and discarded, and the function gets the request without it (its
 * `Content-Length` still says how long it was).
 *
 * - `management`: 4 MiB, Azure Resource Manager's own request limit. Bodies over
 *   the API's 1 MiB up to that still reach it, so that it answers them with its
 *   ARM `RequestEntityTooLarge` (after the token check, without reading them).
 * - `lab`: the console's routes take GET only; nothing worth a body.
 * - `echo`: what the gateway forwards, `GATEWAY_MAX_BODY_BYTES`.
 * - the lab's other backends: `calculator` and `productstore` take small SOAP
 *   and JSON bodies, 64 KiB at most; `httpbin` and `placeholder` read none.
 * - the gateway (`zz-gateway`): the platform's 100 MB, because its APIM 413
 *   comes after the key check and names the body's exact size; but it is handed
 *   no more than `GATEWAY_MAX_BODY_BYTES`: a body announced larger is one it can
 *   only refuse, and the 413 needs its size (the `Content-Length`), not its bytes.
 *   The host's in-flight cap bounds what many bodies under the limit hold.
 */
export const MANAGEMENT_HOST_MAX_BODY_BYTES = 4 * 1024 * 1024;
export const LAB_MAX_BODY_BYTES = 16 * 1024;
export const LAB_BACKEND_MAX_BODY_BYTES = 64 * 1024;

export const GATEWAY_FUNCTION = 'zz-gateway';

export function functionBodyLimits(env: NodeJS.ProcessEnv = process.env): (functionName: string) => FunctionBodyLimit | undefined {
  const gateway = maxBodyBytesFromEnv(env);
  const limits = new Map<string, FunctionBodyLimit>([
    ['management', { maxBytes: MANAGEMENT_HOST_MAX_BODY_BYTES }],
    ['lab', { maxBytes: LAB_MAX_BODY_BYTES }],
    ['echo', { maxBytes: gateway }],
    ['calculator', { maxBytes: LAB_BACKEND_MAX_BODY_BYTES }],
    ['productstore', { maxBytes: LAB_BACKEND_MAX_BODY_BYTES }],
    ['httpbin', { maxBytes: LAB_MAX_BODY_BYTES }],
    ['placeholder', { maxBytes: LAB_MAX_BODY_BYTES }],
    [GATEWAY_FUNCTION, { maxBytes: PLATFORM_MAX_BODY_BYTES, keptBytes: gateway }],
  ]);
  return (functionName) => limits.get(functionName.toLowerCase());
}

/** A function's body limits, as the local host applies them. */
export interface FunctionBodyLimit {
  readonly maxBytes: number;
  readonly keptBytes?: number;
}
