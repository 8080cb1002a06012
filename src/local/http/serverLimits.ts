/**
 * The local host's connection and body limits, read from settings (the
 * environment, then local.settings.json `Values`). A value that is not a whole
 * number in range stops the host at start with a message naming the setting.
 */
export interface ServerLimits {
  /** Time allowed to receive a request's headers (Node's `headersTimeout`); over it: 408 and the connection closed. */
  headersTimeoutMs: number;
  /** Time allowed to receive a whole request, body included (Node's `requestTimeout`); over it: 408 and closed. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open between requests. */
  keepAliveTimeoutMs: number;
  /** Connections open at once; further ones are closed as they arrive. */
  maxConnections: number;
  /** Request body bytes held at once, all requests together; a body that does not fit gets an empty 503 unread. */
  maxBodyBytesInFlight: number;
}

interface LimitSetting {
  name: string;
  fallback: number;
  min: number;
  max: number;
}

/** The settings and their defaults. Kestrel's 30 s for headers; Node's 5 s keep-alive. */
export const SERVER_LIMIT_SETTINGS = {
  headersTimeoutMs: { name: 'LOCAL_HOST_HEADERS_TIMEOUT_MS', fallback: 30_000, min: 100, max: 600_000 },
  requestTimeoutMs: { name: 'LOCAL_HOST_REQUEST_TIMEOUT_MS', fallback: 60_000, min: 100, max: 3_600_000 },
  keepAliveTimeoutMs: { name: 'LOCAL_HOST_KEEP_ALIVE_TIMEOUT_MS', fallback: 5_000, min: 100, max: 600_000 },
  maxConnections: { name: 'LOCAL_HOST_MAX_CONNECTIONS', fallback: 1_000, min: 1, max: 1_000_000 },
  maxBodyBytesInFlight: { name: 'LOCAL_HOST_MAX_BODY_BYTES_IN_FLIGHT', fallback: 134_217_728, min: 0, max: Number.MAX_SAFE_INTEGER },
} as const satisfies Record<keyof ServerLimits, LimitSetting>;

export function serverLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): ServerLimits {
  const limits = {} as ServerLimits;
  for (const key of Object.keys(SERVER_LIMIT_SETTINGS) as (keyof ServerLimits)[]) {
    limits[key] = readSetting(env, SERVER_LIMIT_SETTINGS[key]);
  }
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new Error(
      `${SERVER_LIMIT_SETTINGS.headersTimeoutMs.name} (${limits.headersTimeoutMs}) must not exceed ${SERVER_LIMIT_SETTINGS.requestTimeoutMs.name} (${limits.requestTimeoutMs}).`,
    );
  }
  return limits;
}

function readSetting(env: NodeJS.ProcessEnv, { name, fallback, min, max }: LimitSetting): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = /^\d{1,16}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}; got "${raw.slice(0, 40)}".`);
  }
  return value;
}
