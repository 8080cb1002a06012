import { isUnresolvedReference, parseEncryptionKey, unresolvedReferenceMessage } from './keyProtector';

export { isUnresolvedReference } from './keyProtector';

/**
 * What is wrong with the secret settings the app needs, one line per setting, naming
 * the setting and never its value; empty when they are all usable.
 */
export function settingProblems(env: NodeJS.ProcessEnv = process.env): string[] {
  const problems: string[] = [];
  try {
    parseEncryptionKey(env.KEY_ENCRYPTION_KEY);
  } catch (error) {
    problems.push(error instanceof Error ? error.message : String(error));
  }
  for (const name of ['MANAGEMENT_PRIMARY_KEY', 'MANAGEMENT_SECONDARY_KEY']) {
    if (isUnresolvedReference(env[name])) problems.push(unresolvedReferenceMessage(name));
  }
  return problems;
}
