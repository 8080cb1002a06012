import type { BodyTooLarge } from './types';

export type { BodyTooLarge };

/**
 * The Functions host's own request body limit (100 MiB). A larger body is refused
 * by the host with an empty 413 before any function runs, so the gateway can only
 * answer APIM's 413 for bodies up to this size. The local host enforces this same limit.
 */
export const PLATFORM_MAX_BODY_BYTES = 104_857_600;

/**
 * The gateway's default limit: 64 MiB, well under the platform's, so that an
 * over-limit body gets APIM's clear 413 rather than the host's empty one, and one
 * instance never holds more than this per request in memory.
 */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

/** The setting that changes the limit. */
export const MAX_BODY_SETTING = 'GATEWAY_MAX_BODY_BYTES';

/**
 * Stage 5, the limit for bodies: `null` when the body fits. Runs after the key check,
 * as APIM's inbound policies run after its subscription check, so a caller without
 * a valid key learns nothing about limits.
 */
export function limitBody(body: Uint8Array | null, maxBodyBytes: number): BodyTooLarge | null {
  const bodyBytes = body?.byteLength ?? 0;
  if (bodyBytes <= maxBodyBytes) return null;
  return { rejected: 'bodyTooLarge', bodyBytes, maxBodyBytes };
}

/**
 * `GATEWAY_MAX_BODY_BYTES` as a limit: a whole number of bytes from 0 to the
 * platform's 104,857,600. Anything else is refused with a message naming the
 * setting, so a typo stops the app at start instead of silently changing the limit.
 */
export function maxBodyBytesFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[MAX_BODY_SETTING]?.trim();
  if (raw === undefined || raw === '') return DEFAULT_MAX_BODY_BYTES;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value > PLATFORM_MAX_BODY_BYTES) {
    throw new Error(
      `${MAX_BODY_SETTING} must be a whole number of bytes from 0 to ${PLATFORM_MAX_BODY_BYTES} (the Functions host's own limit); got "${raw.slice(0, 40)}".`,
    );
  }
  return value;
}
