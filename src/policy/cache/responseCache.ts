import type { CachedResponse, ResponseCache } from './types';

/** Default size of one instance's response cache. */
export const DEFAULT_CACHE_MAX_BYTES = 64 * 1024 * 1024;
/** The setting that changes it. */
export const CACHE_MAX_BYTES_SETTING = 'POLICY_CACHE_MAX_BYTES';
/** At most 1 GiB: the cache lives in the instance's memory. */
const LARGEST_CACHE_BYTES = 2 ** 30;

/**
 * `POLICY_CACHE_MAX_BYTES`: a whole number of bytes from 0 (no caching) to 1 GiB.
 * Anything else stops the app at start with a message naming the setting.
 */
export function cacheMaxBytesFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[CACHE_MAX_BYTES_SETTING]?.trim();
  if (raw === undefined || raw === '') return DEFAULT_CACHE_MAX_BYTES;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value > LARGEST_CACHE_BYTES) {
    throw new Error(`${CACHE_MAX_BYTES_SETTING} must be a whole number of bytes from 0 to ${LARGEST_CACHE_BYTES}; got "${raw.slice(0, 40)}".`);
  }
  return value;
}

export interface LruResponseCacheOptions {
  maxBytes?: number;
  now?: () => number;
}

interface Entry {
  readonly response: CachedResponse;
  readonly expiresAt: number;
  readonly bytes: number;
}

/**
 * The internal cache of `cache-lookup` / `cache-store`: in memory per instance,
 * least recently used first out once the entries' bytes (key, header names and
 * values, body; UTF-8) pass `maxBytes`. An entry lives `durationSeconds`; a
 * lookup of an expired entry misses and frees it.
 */
export class LruResponseCache implements ResponseCache {
  private readonly maxBytes: number;
  private readonly now: () => number;
  /** Insertion order is recency order: a hit moves its entry to the end. */
  private readonly entries = new Map<string, Entry>();
  private bytesHeld = 0;

  constructor(options: LruResponseCacheOptions = {}) {
    this.maxBytes = options.maxBytes ?? DEFAULT_CACHE_MAX_BYTES;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.bytesHeld;
  }

  get(key: string): CachedResponse | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (this.now() >= entry.expiresAt) {
      this.bytesHeld -= entry.bytes;
      return undefined;
    }
    this.entries.set(key, entry);
    return entry.response;
  }

  set(key: string, response: CachedResponse, durationSeconds: number): void {
    this.delete(key);
    if (!(durationSeconds > 0)) return;
    const bytes = entryBytes(key, response);
    if (bytes > this.maxBytes) return;
    // A copy: the caller's buffers may be reused once the response is sent.
    const stored: CachedResponse = Object.freeze({
      status: response.status,
      headers: Object.freeze(response.headers.map(([name, value]) => Object.freeze([name, value] as const))),
      body: new Uint8Array(response.body),
    });
    this.entries.set(key, { response: stored, expiresAt: this.now() + durationSeconds * 1000, bytes });
    this.bytesHeld += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.bytesHeld <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytesHeld -= entry.bytes;
    }
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytesHeld -= entry.bytes;
  }
}

function entryBytes(key: string, response: CachedResponse): number {
  let bytes = Buffer.byteLength(key) + response.body.byteLength;
  for (const [name, value] of response.headers) bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
  return bytes;
}
