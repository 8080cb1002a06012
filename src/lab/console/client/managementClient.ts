import { parseSasToken } from '../../../management/sasFormat';

/**
 * Calls to the app with the learner's management token: the management API (JSON
 * in and out, ARM errors turned into `ConsoleError`s) and the lab state.
 */

export const EXPIRED = 'The management token has expired. Get a new one with npm run -s token (or restart npm start) and paste it here.';

export class ConsoleError extends Error {
  constructor(
    message: string,
    readonly status = 0,
    readonly code = '',
  ) {
    super(message);
    this.name = 'ConsoleError';
  }
}

/** The Authorization header value for what was pasted: a token, or a whole banner line. */
export function authorizationOf(raw: string): string | null {
  const text = String(raw || '').trim().replace(/^authorization\s*:\s*/i, '').trim();
  if (!text) return null;
  if (/^(SharedAccessSignature|Bearer)\s+\S/i.test(text)) return text;
  return `SharedAccessSignature ${text}`;
}

/** The token's expiry (either form), or null when unreadable: the app then says what is wrong. */
export function expiryOf(authorization: string): Date | null {
  return parseSasToken(authorization.replace(/^(Bearer\s+)?(SharedAccessSignature\s+)?/i, ''))?.expiresAt ?? null;
}

export function isExpired(authorization: string): boolean {
  const expiry = expiryOf(authorization);
  return expiry !== null && expiry.getTime() <= Date.now();
}

/** A 401's message in the learner's terms. */
export function authProblem(message: string): string {
  const lower = String(message || '').toLowerCase();
  if (lower.includes('expired')) return EXPIRED;
  if (lower.includes('not configured')) return 'The app has no management keys configured (MANAGEMENT_PRIMARY_KEY), so it refuses every token.';
  if (lower.includes('missing credentials')) return 'Paste a management token first.';
  return `The management API refused this token: ${message} Get a new one with npm run -s token.`;
}

interface ArmErrorBody {
  error?: { code?: string; message?: string };
}

export interface ManagementClientOptions {
  managementBase: string;
  apiVersion: string;
  /** The token stopped working (expired or refused): the client has forgotten it. */
  onTokenRefused(message: string): void;
}

export class ManagementClient {
  /** The Authorization header value; null until connected. */
  auth: string | null = null;

  constructor(private readonly options: ManagementClientOptions) {}

  url(path: string): string {
    return `${this.options.managementBase}${path}${path.includes('?') ? '&' : '?'}api-version=${encodeURIComponent(this.options.apiVersion)}`;
  }

  refuse(message: string): void {
    this.auth = null;
    this.options.onTokenRefused(message);
  }

  /** A same-origin call with the token; JSON in and out; ARM errors become ConsoleErrors. */
  async call<T>(method: string, url: string, body?: unknown, extraHeaders?: Record<string, string>): Promise<T> {
    if (!this.auth) throw new ConsoleError('Paste a management token first.', 401, 'Unauthorized');
    if (isExpired(this.auth)) {
      this.refuse(EXPIRED);
      throw new ConsoleError(EXPIRED, 401, 'Unauthorized');
    }
    const headers: Record<string, string> = { Authorization: this.auth, Accept: 'application/json', ...extraHeaders };
    const init: RequestInit = { method, headers, cache: 'no-store', credentials: 'omit' };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      headers['Content-Type'] = 'application/json';
    }
    let response: Response;
    try {
      response = await fetch(url, init);
    } catch (error) {
      throw new ConsoleError(`Could not reach the app (${(error as Error | null)?.message}). Is npm start still running?`);
    }
    const text = await response.text();
    let data: unknown = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = null;
      }
    }
    if (!response.ok) {
      const err = (data as ArmErrorBody | null)?.error ?? {};
      const message = err.message || text || `HTTP ${response.status}`;
      if (response.status === 401) {
        const problem = authProblem(message);
        this.refuse(problem);
        throw new ConsoleError(problem, 401, err.code || 'Unauthorized');
      }
      throw new ConsoleError(`${message}${err.code ? ` (${err.code}, HTTP ${response.status})` : ` (HTTP ${response.status})`}`, response.status, err.code);
    }
    return data as T;
  }

  /** A management API call on a path below the service. */
  manage<T>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
    return this.call<T>(method, this.url(path), body, headers);
  }

  /** Every item of a list, following nextLink (same origin only). */
  async listAll<T>(path: string): Promise<T[]> {
    let items: T[] = [];
    let url: string | null = this.url(path);
    for (let page = 0; url && page < 100; page++) {
      const data: { value?: T[]; nextLink?: string | null } | null = await this.call('GET', url);
      items = items.concat(data?.value ?? []);
      if (data?.nextLink) {
        const next: URL = new URL(data.nextLink, location.href);
        url = next.pathname + next.search;
      } else {
        url = null;
      }
    }
    return items;
  }
}
