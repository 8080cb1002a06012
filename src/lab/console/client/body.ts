import { representationBody, type RepresentationBody } from '../../representations';
import { sameName } from './keys';
import type { HeaderRow, OperationResource } from './types';

/**
 * The request body the portal's console filled in: the example of one of the
 * operation's representations (the first by default), sent with that
 * representation's content type.
 */

export type { RepresentationBody };

/** The operation's representations that name a content type or carry an example. */
export function requestBodies(operation: OperationResource): RepresentationBody[] {
  return (operation.properties.request?.representations ?? []).map(representationBody).filter((b) => b.contentType !== '' || b.example !== '');
}

/** Where the console says a Content-Type came from. */
export const REPRESENTATION_SOURCE = "from the operation's representation: its content type";

/**
 * The header rows with the representation's Content-Type: replaces the one the
 * previous representation put there; a Content-Type the operation's own header
 * definitions set, or the learner typed, stays.
 */
export function withContentType(rows: HeaderRow[], body: RepresentationBody | undefined): HeaderRow[] {
  const kept = rows.filter((row) => !(sameName(row.name, 'Content-Type') && row.source === REPRESENTATION_SOURCE));
  if (!body || body.contentType === '' || kept.some((row) => sameName(row.name, 'Content-Type'))) return kept;
  return [...kept, { name: 'Content-Type', value: body.contentType, kind: 'definition', source: REPRESENTATION_SOURCE }];
}
