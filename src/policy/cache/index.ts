export type { CachedResponse, ResponseCache } from './types';
export { CACHE_MAX_BYTES_SETTING, DEFAULT_CACHE_MAX_BYTES, LruResponseCache, cacheMaxBytesFromEnv, type LruResponseCacheOptions } from './responseCache';
export { cacheKey, encodeParts, type CacheKeyParts } from './cacheKey';
