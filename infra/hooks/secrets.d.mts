export interface Secret {
  name: string;
  vaultName: string;
  generate(): string;
  validate?(value: string): boolean;
}
export type VaultSecret = { found: true; value: string } | { found: false } | { error: string };
export interface SecretsIo {
  env: Record<string, string | undefined>;
  readVaultSecret(secretName: string): Promise<VaultSecret>;
  store(name: string, value: string): Promise<void>;
  log(line: string): void;
}
export function isBase64Of32Bytes(value: string): boolean;
export const SECRETS: Secret[];
export function ensureSecrets(io: SecretsIo, secrets?: Secret[]): Promise<boolean>;
