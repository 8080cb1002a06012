/**
 * Talking to a running lab (local or deployed) over HTTP with a management token:
 * shared by `npm run lab:reset -- --url` and `npm run smoke`.
 */

/** The environment variable the command-line tools take a management token from. */
export const TOKEN_VARIABLE = 'APIM_LAB_TOKEN';

/** `Authorization` value of a management token given with or without its scheme. */
export function authorizationOf(token: string): string {
  const value = token.trim();
  return /^(SharedAccessSignature|Bearer)\s/i.test(value) ? value : `SharedAccessSignature ${value}`;
}

export interface RemoteLabState {
  catalogVersion: number;
  status: string;
  findings: unknown[];
}

/** `POST <url>/lab/reset`; throws with the status and the answer when it is not 200. */
export async function resetRemoteLab(url: string, token: string | undefined): Promise<RemoteLabState> {
  if (!token) throw new Error(`No management token: pass --token or set ${TOKEN_VARIABLE} (npm run -s token prints one).`);
  const target = new URL('/lab/reset', url);
  const response = await fetch(target, { method: 'POST', headers: { Authorization: authorizationOf(token) } });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`POST ${target.href} answered ${response.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as RemoteLabState;
}
