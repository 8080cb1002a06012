import { jsonResponse } from './respond';
import type { ManagementResponse } from './types';

/**
 * Slows down repeated bad signatures, per client.
 *
 * Decisions:
 * - **Valid tokens always pass.** A token is verified before the throttle is
 *   consulted (bounded work: a header longer than a token is refused unread, a
 *   token costs two HMAC-SHA512), and a valid one is never throttled, from any
 *   client. So nobody can lock the key holders out: not an attacker failing on
 *   purpose from the same address (NAT, a shared proxy, the single bucket used
 *   when no address is known), not a spoofed `X-Forwarded-For`.
 * - The price: a blocked client still learns whether a guess was right (200 vs
 *   429). The throttle therefore does not stop a determined guesser from one
 *   address; what does is the key itself (`generateManagementKey`: 64 random
 *   bytes, HMAC-SHA512, far beyond any online guessing). The throttle sheds the
 *   load and noise of floods of bad tokens and tells misconfigured clients,
 *   politely and with a growing `Retry-After`, to stop.
 * - Only `invalidSignature` counts: it is the only failure that can be a guess
 *   at a key. Missing or malformed credentials do not count but are answered 429
 *   while the client is blocked; an expired token is a key holder's (the expiry
 *   is checked after the signature) and keeps its 401 `expired`.
 * - After `maxFailures` counted failures within `windowMs`, the client is blocked
 *   for `baseBlockMs`, doubling with each further block (capped at `maxBlockMs`);
 *   a client quiet for `forgetAfterMs` starts over.
 * - Memory is bounded: at most `maxClients` clients are tracked, least recently
 *   seen dropped first (an evicted client merely starts over).
 */

export interface AuthThrottleOptions {
  /** Counted failures within `windowMs` that start a block. Default 10. */
  maxFailures?: number;
  /** Default 60 s. */
  windowMs?: number;
  /** First block; each further block doubles it. Default 5 s. */
  baseBlockMs?: number;
  /** Longest block. Default 5 min. */
  maxBlockMs?: number;
  /** Quiet time after which a client's history is forgotten. Default 15 min. */
  forgetAfterMs?: number;
  /** Most clients tracked at once. Default 10,000. */
  maxClients?: number;
  /** Milliseconds clock, for tests. Default `Date.now`. */
  now?: () => number;
}

interface ClientState {
  failures: number;
  windowStart: number;
  blockedUntil: number;
  /** Blocks so far: the next one lasts `baseBlockMs * 2^strikes`. */
  strikes: number;
  lastFailure: number;
}

export class AuthThrottle {
  private readonly clients = new Map<string, ClientState>();
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly baseBlockMs: number;
  private readonly maxBlockMs: number;
  private readonly forgetAfterMs: number;
  private readonly maxClients: number;
  private readonly now: () => number;

  constructor(options: AuthThrottleOptions = {}) {
    this.maxFailures = options.maxFailures ?? 10;
    this.windowMs = options.windowMs ?? 60_000;
    this.baseBlockMs = options.baseBlockMs ?? 5_000;
    this.maxBlockMs = options.maxBlockMs ?? 300_000;
    this.forgetAfterMs = options.forgetAfterMs ?? 900_000;
    this.maxClients = options.maxClients ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** How many clients are tracked (bounded by `maxClients`). */
  get size(): number {
    return this.clients.size;
  }

  /** Milliseconds until `client` may be heard again; 0 when it is not blocked. */
  blockedFor(client: string): number {
    const state = this.clients.get(client);
    if (!state) return 0;
    return Math.max(0, state.blockedUntil - this.now());
  }

  /** Counts one bad signature from `client`; returns the block it started (ms), or 0. */
  recordFailure(client: string): number {
    const now = this.now();
    let state = this.clients.get(client);
    if (state && now - state.lastFailure > this.forgetAfterMs) state = undefined;
    if (!state) state = { failures: 0, windowStart: now, blockedUntil: 0, strikes: 0, lastFailure: now };
    if (now - state.windowStart > this.windowMs) {
      state.failures = 0;
      state.windowStart = now;
    }
    state.failures++;
    state.lastFailure = now;
    let blockMs = 0;
    if (state.failures >= this.maxFailures) {
      blockMs = Math.min(this.maxBlockMs, this.baseBlockMs * 2 ** Math.min(state.strikes, 30));
      state.blockedUntil = now + blockMs;
      state.strikes++;
      state.failures = 0;
      state.windowStart = now;
    }
    this.remember(client, state);
    return blockMs;
  }

  /** Stores `state` as the most recently seen, dropping the least recently seen beyond the cap. */
  private remember(client: string, state: ClientState): void {
    this.clients.delete(client);
    this.clients.set(client, state);
    while (this.clients.size > this.maxClients) {
      const oldest = this.clients.keys().next().value as string;
      this.clients.delete(oldest);
    }
  }
}

/** Longest client id kept: longer `X-Forwarded-For` entries are junk, cut rather than stored whole. */
const MAX_CLIENT_ID = 64;

/**
 * Who is calling, as far as headers tell: the LAST `X-Forwarded-For` entry,
 * without its port; `unknown` (one shared bucket) when there is none.
 *
 * Decision: the last entry, not the first. Azure's front end (and the local host)
 * appends the address it received the connection from; anything before it was
 * written by the client and can be anything, so keying on it would let a client
 * pick a fresh bucket per request. Behind a further proxy (Front Door), the last
 * entry is that proxy's address and its clients share a bucket, which costs only
 * failing clients: valid tokens are never throttled.
 */
export function clientOf(headers: Headers): string {
  const forwarded = headers.get('x-forwarded-for');
  const last = forwarded
    ?.split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .pop();
  return last ? normalizeAddress(last) : 'unknown';
}

/** `1.2.3.4:5678` -> `1.2.3.4`, `[::1]:5678` -> `::1`, `::ffff:1.2.3.4` -> `1.2.3.4`; lower case, length capped. */
function normalizeAddress(entry: string): string {
  let address = entry.toLowerCase();
  const bracketed = /^\[([^\]]*)\](?::\d+)?$/.exec(address);
  if (bracketed) address = bracketed[1]!;
  else if (/^[^:]+:\d+$/.test(address)) address = address.slice(0, address.lastIndexOf(':'));
  address = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  return address.slice(0, MAX_CLIENT_ID);
}

/** The code of the 429 below; ARM's own code for throttled calls. */
export const TOO_MANY_REQUESTS = 'TooManyRequests';

/** 429 in ARM's error shape, with `Retry-After` in whole seconds (at least 1). */
export function tooManyRequestsResponse(retryAfterMs: number): ManagementResponse {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return jsonResponse(
    429,
    {
      error: {
        code: TOO_MANY_REQUESTS,
        message: `Too many requests with an invalid SharedAccessSignature from this client. Try again in ${seconds} seconds.`,
        details: null,
      },
    },
    { 'Retry-After': String(seconds) },
  );
}
