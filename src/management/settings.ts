import type { ArmService } from '../apim/armResources';
import { isUnresolvedReference } from '../catalog/keyProtector';

/** What the management API needs from configuration. */
export interface ManagementSettings {
  /** The service the management paths must name. */
  readonly service: ArmService;
  /** Where the management API is mounted, e.g. `/management`; the ARM path follows it. */
  readonly basePath: string;
  /** The SharedAccessSignature identifier (`uid`), APIM's default `integration`. */
  readonly identifier: string;
  /** The two management keys; absent when not configured. With neither, every call is 401. */
  readonly primaryKey?: string;
  readonly secondaryKey?: string;
  /** Longest validity a token may have left; absent: `DEFAULT_TOKEN_MAX_LIFETIME_DAYS`. */
  readonly maxTokenLifetimeMs?: number;
  /**
   * `scheme://host[:port]` of the app, for absolute links (`nextLink`): never the
   * request's `Host`, which the caller chooses. Absent (tests of the core): the
   * request URL's origin.
   */
  readonly publicOrigin?: string;
}

/** Defaults of the settings, as the issue and APIM name them. */
export const DEFAULT_SUBSCRIPTION_ID = '00000000-0000-0000-0000-000000000000';
export const DEFAULT_RESOURCE_GROUP = 'apim-lab';
export const DEFAULT_SERVICE_NAME = 'apim-lab';
export const DEFAULT_IDENTIFIER = 'integration';
export const DEFAULT_BASE_PATH = '/management';
/** Longest validity a management token may have left, in days, unless `MANAGEMENT_TOKEN_MAX_LIFETIME_DAYS` says otherwise. */
export const DEFAULT_TOKEN_MAX_LIFETIME_DAYS = 30;
export const TOKEN_MAX_LIFETIME_SETTING = 'MANAGEMENT_TOKEN_MAX_LIFETIME_DAYS';
const DAY_MS = 86_400_000;

/** One path segment: the values are written into every resource id. */
const SEGMENT = /^[A-Za-z0-9._()-]{1,90}$/;
const IDENTIFIER = /^[^&=\s]{1,256}$/;

/**
 * Reads `AZURE_SUBSCRIPTION_ID`, `AZURE_RESOURCE_GROUP`, `APIM_SERVICE_NAME`,
 * `MANAGEMENT_IDENTIFIER`, `MANAGEMENT_PRIMARY_KEY`, `MANAGEMENT_SECONDARY_KEY`,
 * `MANAGEMENT_TOKEN_MAX_LIFETIME_DAYS` and `WEBSITE_HOSTNAME`.
 * Throws on a value that cannot be part of a path or a token; messages name the
 * setting, never a key.
 */
export function managementSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): ManagementSettings {
  const segment = (name: string, fallback: string) => {
    const value = env[name] || fallback;
    if (!SEGMENT.test(value)) throw new Error(`${name} must be 1-90 letters, digits, '.', '_', '-', '(' or ')'`);
    return value;
  };
  const identifier = env.MANAGEMENT_IDENTIFIER || DEFAULT_IDENTIFIER;
  if (!IDENTIFIER.test(identifier)) throw new Error('MANAGEMENT_IDENTIFIER must be 1-256 characters without &, = or whitespace');
  return {
    service: {
      subscriptionId: segment('AZURE_SUBSCRIPTION_ID', DEFAULT_SUBSCRIPTION_ID),
      resourceGroup: segment('AZURE_RESOURCE_GROUP', DEFAULT_RESOURCE_GROUP),
      serviceName: segment('APIM_SERVICE_NAME', DEFAULT_SERVICE_NAME),
    },
    basePath: DEFAULT_BASE_PATH,
    identifier,
    // An empty setting is no key: never sign with the empty string. Nor with the text
    // of a Key Vault reference the platform has not resolved.
    primaryKey: usableKey(env.MANAGEMENT_PRIMARY_KEY),
    secondaryKey: usableKey(env.MANAGEMENT_SECONDARY_KEY),
    maxTokenLifetimeMs: tokenMaxLifetimeDays(env) * DAY_MS,
    publicOrigin: publicOriginFromEnv(env),
  };
}

function usableKey(value: string | undefined): string | undefined {
  return value && !isUnresolvedReference(value) ? value : undefined;
}

/** `MANAGEMENT_TOKEN_MAX_LIFETIME_DAYS`: whole days from 1 to 3650; anything else stops the app at start. */
function tokenMaxLifetimeDays(env: NodeJS.ProcessEnv): number {
  const raw = env[TOKEN_MAX_LIFETIME_SETTING]?.trim();
  if (raw === undefined || raw === '') return DEFAULT_TOKEN_MAX_LIFETIME_DAYS;
  const days = /^\d{1,4}$/.test(raw) ? Number(raw) : NaN;
  if (!(days >= 1 && days <= 3650)) throw new Error(`${TOKEN_MAX_LIFETIME_SETTING} must be a whole number of days from 1 to 3650; got "${raw.slice(0, 40)}".`);
  return days;
}

/** The app's own host name, from the platform's `WEBSITE_HOSTNAME`. */
const HOST_NAME = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * `https://<WEBSITE_HOSTNAME>` in Azure, `http://` for a local address
 * (`localhost`, `127.x`, `[::1]`) outside Azure; `localhost:<PORT or 7071>` when
 * the setting is absent, as the local hosts set it. A value that is not
 * `host[:port]` stops the app at start.
 */
export function publicOriginFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const host = env.WEBSITE_HOSTNAME || `localhost:${env.PORT || 7071}`;
  if (!HOST_NAME.test(host)) throw new Error(`WEBSITE_HOSTNAME must be a host name with an optional port; got "${host.slice(0, 80)}".`);
  const local = /^(localhost|127\.|\[::1\])/i.test(host) && !env.WEBSITE_INSTANCE_ID;
  return `${local ? 'http' : 'https'}://${host}`;
}
