import { createHmac, timingSafeEqual } from 'node:crypto';
import { openBytes, parseEncryptionKey, sealBytes, subkey } from './keyProtector';

/**
 * APIM's request tracing, without server state: a debug token (what
 * `listDebugCredentials` hands out, sent back as `Apim-Debug-Authorization`) is
 * the API id and expiry under an HMAC; a trace id (`Apim-Trace-Id`, what
 * `listTrace` takes) is the trace itself, sealed with AES-256-GCM with its expiry.
 * Any instance sharing `KEY_ENCRYPTION_KEY` checks a token and opens a trace
 * another instance made, and nothing is stored. Both use their own HKDF subkeys.
 */
export interface DebugCredentials {
  /** A token that lets requests to `apiId` be traced until `expiresAt`. */
  issue(apiId: string, expiresAt: Date): string;
  /** The API a token is for; `expired` once past its expiry; undefined when it is no token of ours. */
  check(token: string, now: Date): { readonly apiId: string } | 'expired' | undefined;
  /** A trace id that carries `trace` until `expiresAt`. */
  sealTrace(trace: unknown, expiresAt: Date): string;
  /** The trace a trace id carries; undefined when it is expired or no trace id of ours. */
  openTrace(traceId: string, now: Date): unknown;
}

const TOKEN_PREFIX = 'dbg1.';
const TRACE_PREFIX = 'trc1.';
/** Longest token or trace id looked at: anything longer is refused before any work. */
const MAX_TEXT = 65_536;

export function createDebugCredentials(encryptionKey: Buffer): DebugCredentials {
  const macKey = subkey(encryptionKey, 'apim-lab debug credentials');
  const traceKey = subkey(encryptionKey, 'apim-lab trace sealing');
  const mac = (payload: string) => createHmac('sha256', macKey).update(payload, 'utf8').digest();

  return {
    issue(apiId, expiresAt) {
      const payload = Buffer.from(JSON.stringify({ api: apiId, exp: expiresAt.getTime() }), 'utf8').toString('base64url');
      return `${TOKEN_PREFIX}${payload}.${mac(payload).toString('base64url')}`;
    },
    check(token, now) {
      if (token.length > MAX_TEXT || !token.startsWith(TOKEN_PREFIX)) return undefined;
      const [payload, signature, extra] = token.slice(TOKEN_PREFIX.length).split('.');
      if (!payload || !signature || extra !== undefined) return undefined;
      const given = Buffer.from(signature, 'base64url');
      const expected = mac(payload);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      const claims = parseJson(Buffer.from(payload, 'base64url').toString('utf8'));
      if (!isRecord(claims) || typeof claims.api !== 'string' || typeof claims.exp !== 'number') return undefined;
      return now.getTime() >= claims.exp ? 'expired' : { apiId: claims.api };
    },
    sealTrace(trace, expiresAt) {
      return sealBytes(traceKey, TRACE_PREFIX, Buffer.from(JSON.stringify({ exp: expiresAt.getTime(), trace }), 'utf8'));
    },
    openTrace(traceId, now) {
      if (traceId.length > MAX_TEXT) return undefined;
      const plain = openBytes(traceKey, TRACE_PREFIX, traceId);
      if (plain === undefined) return undefined;
      const content = parseJson(plain.toString('utf8'));
      if (!isRecord(content) || typeof content.exp !== 'number' || now.getTime() >= content.exp) return undefined;
      return content.trace;
    },
  };
}

/** Read on first use, as `keyProtectorFromEnv` is: an unusable setting fails the call, not the module load. */
export function debugCredentialsFromEnv(env: NodeJS.ProcessEnv = process.env): DebugCredentials {
  let credentials: DebugCredentials | undefined;
  const current = () => (credentials ??= createDebugCredentials(parseEncryptionKey(env.KEY_ENCRYPTION_KEY)));
  return {
    issue: (apiId, expiresAt) => current().issue(apiId, expiresAt),
    check: (token, now) => current().check(token, now),
    sealTrace: (trace, expiresAt) => current().sealTrace(trace, expiresAt),
    openTrace: (traceId, now) => current().openTrace(traceId, now),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
