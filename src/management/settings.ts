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
}

/** Defaults of the settings, as the issue and APIM name them. */
export const DEFAULT_SUBSCRIPTION_ID = '00000000-0000-0000-0000-000000000000';
export const DEFAULT_RESOURCE_GROUP = 'apim-lab';
export const DEFAULT_SERVICE_NAME = 'apim-lab';
export const DEFAULT_IDENTIFIER = 'integration';
export const DEFAULT_BASE_PATH = '/management';

/** One path segment: the values are written into every resource id. */
const SEGMENT = /^[A-Za-z0-9._()-]{1,90}$/;
const IDENTIFIER = /^[^&=\s]{1,256}$/;

/**
 * Reads `AZURE_SUBSCRIPTION_ID`, `AZURE_RESOURCE_GROUP`, `APIM_SERVICE_NAME`,
 * `MANAGEMENT_IDENTIFIER`, `MANAGEMENT_PRIMARY_KEY`, `MANAGEMENT_SECONDARY_KEY`.
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
  };
}

function usableKey(value: string | undefined): string | undefined {
  return value && !isUnresolvedReference(value) ? value : undefined;
}
