/**
 * The last line of defence before text reaches a log: masks anything shaped like
 * a subscription key, a management token or a storage secret. The code already
 * avoids logging headers, query strings and bodies; this catches what slips
 * through (an error message quoting a URL, a library's own log line).
 */

const MASK = '***';

/** Names whose values are secrets, in headers (`name: value`), queries (`name=value`) and JSON (`"name":"value"`). */
const SECRET_NAMES = [
  'ocp-apim-subscription-key',
  'subscription-key',
  'subscriptionkey',
  'api-key',
  'x-api-key',
  'primarykey',
  'secondarykey',
  'accountkey',
  'sharedaccesskey',
  'sig',
  'sn',
  'code',
  'management_primary_key',
  'management_secondary_key',
  'key_encryption_key',
];

const extraNames = new Set<string>();

/** Adds a custom key header or query name (an API's `subscriptionKeyParameterNames`). */
export function registerSecretName(name: string): void {
  const lower = name.toLowerCase();
  if (!SECRET_NAMES.includes(lower) && !extraNames.has(lower)) {
    extraNames.add(lower);
    pattern = build();
  }
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function build(): RegExp {
  const names = [...SECRET_NAMES, ...extraNames].sort((a, b) => b.length - a.length).map(escape).join('|');
  return new RegExp(
    [
      // "name": "value" (JSON)
      `("(?:${names})"\\s*:\\s*")[^"]*(")`,
      // name: value (header), name=value (query, connection string)
      `(\\b(?:${names})\\s*[:=]\\s*)[^\\s&;,"']+()`,
      // Authorization schemes
      `(\\b(?:SharedAccessSignature|Bearer|Basic)\\s+)[^\\s"',]+()`,
    ].join('|'),
    'gi',
  );
}

let pattern = build();

/** The text with every secret-looking value replaced by `***`. */
export function sanitize(text: string): string {
  return text.replace(pattern, (_match, ...groups: (string | undefined)[]) => {
    for (let i = 0; i < 6; i += 2) {
      const head = groups[i];
      if (head !== undefined) return `${head}${MASK}${groups[i + 1] ?? ''}`;
    }
    return MASK;
  });
}

/** console.log / console.error behind the sanitizer. */
export const safeLog = (message: string): void => console.log(sanitize(message));
export const safeError = (message: string): void => console.error(sanitize(message));
