import type { StorageLimit } from './tableCodec';

/**
 * Thrown by `CatalogStore.mutate` when a planned change cannot be stored as it
 * is (an id too long for a row key, a record too large or too deeply nested).
 * Nothing is written.
 */
export class CatalogLimitError extends Error {
  readonly limit: StorageLimit['kind'];
  constructor(limit: StorageLimit) {
    super(limit.message);
    this.name = 'CatalogLimitError';
    this.limit = limit.kind;
  }
}

/** Thrown when storage cannot be reached or keeps refusing a write. */
export class CatalogUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CatalogUnavailableError';
  }
}
