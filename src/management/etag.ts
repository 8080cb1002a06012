import { invalidField, preconditionFailed } from '../apim/armErrors';
import type { CatalogIndex } from '../catalog/catalogIndex';
import { rowKeyOf, type RecordRef } from '../catalog/tableCodec';

/**
 * ETags and `If-Match`. A record's ETag is the catalog version at which it was
 * last written (`CatalogIndex.revisions`), quoted: it changes on every write of
 * the record and on no other, on every instance alike.
 *
 * Preconditions are checked inside `store.mutate` plans, against the up-to-date
 * index, so a check and the write it guards cannot be separated by another writer.
 */

/** `"42"`. */
export function formatEtag(revision: number): string {
  return `"${revision}"`;
}

/** The current ETag of a record, or undefined when it does not exist. */
export function etagOf(index: CatalogIndex, ref: RecordRef): string | undefined {
  const revision = index.revisions.get(rowKeyOf(ref));
  return revision === undefined ? undefined : formatEtag(revision);
}

/** A parsed `If-Match`: `*`, or the listed entity tags. */
export type IfMatch = { any: true } | { any: false; tags: string[] };

/**
 * Parses `If-Match`; undefined when absent. Weak tags (`W/"1"`) are kept as
 * written and so never match: If-Match compares strongly (RFC 9110 13.1.1). A bare
 * `42` is read as `"42"`, for clients that drop the quotes.
 */
export function parseIfMatch(headers: Headers): IfMatch | undefined {
  const value = headers.get('if-match');
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (trimmed === '*') return { any: true };
  const tags = (trimmed.match(/(?:W\/)?"[^"]*"|[^,\s]+/g) ?? []).map((tag) => (/^(W\/)?"/.test(tag) ? tag : `"${tag}"`));
  if (tags.length === 0) throw invalidField('If-Match', 'must be * or one or more entity tags');
  return { any: false, tags };
}

/** `If-Match` of a PATCH or DELETE, which APIM requires. */
export function requireIfMatch(headers: Headers): IfMatch {
  const ifMatch = parseIfMatch(headers);
  if (!ifMatch) throw invalidField('If-Match', "the If-Match header is required: send the ETag of a GET, or '*' to change unconditionally");
  return ifMatch;
}

/**
 * Throws 412 unless `ifMatch` (when given) holds for the record's current ETag.
 * A missing record fails every If-Match, `*` included (RFC 9110 13.1.1).
 */
export function checkIfMatch(ifMatch: IfMatch | undefined, current: string | undefined): void {
  if (!ifMatch) return;
  const holds = current !== undefined && (ifMatch.any || ifMatch.tags.includes(current));
  if (!holds) throw preconditionFailed();
}
