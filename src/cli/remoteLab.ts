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
  scenario?: number;
  /** Scenario 3's state, at the top since before the other scenarios. */
  status: string;
  findings: unknown[];
  /** Every scenario's state (absent from an app older than the other scenarios). */
  scenarios?: { number: number; status: string; findings: readonly unknown[] }[];
}

/**
 * `POST <url>/lab/reset[?scenario=N]`; throws with the status and the answer when
 * it is not 200, and a `fetch` error when nothing answers.
 */
export async function resetRemoteLab(url: string, token: string | undefined, scenario?: number, signal?: AbortSignal): Promise<RemoteLabState> {
  if (!token) throw new Error(`No management token: pass --token or set ${TOKEN_VARIABLE} (npm run -s token prints one).`);
  const target = new URL('/lab/reset', url);
  if (scenario !== undefined) target.searchParams.set('scenario', String(scenario));
  const response = await fetch(target, { method: 'POST', headers: { Authorization: authorizationOf(token) }, signal });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`POST ${target.href} answered ${response.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as RemoteLabState;
}
