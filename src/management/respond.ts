import type { ArmError } from '../apim/armErrors';
import type { ManagementResponse } from './types';

/** Builders of every management response; the JSON content type is set in one place. */

const JSON_TYPE = 'application/json; charset=utf-8';

/** A JSON body, with optional extra headers (`ETag`). */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): ManagementResponse {
  return { status, headers: { 'Content-Type': JSON_TYPE, ...headers }, body: JSON.stringify(body) };
}

/** No body: HEAD answers, 204s, and the empty 200 of a DELETE. */
export function emptyResponse(status: number, headers: Record<string, string> = {}): ManagementResponse {
  return { status, headers: { ...headers }, body: null };
}

/** An ARM error response, its own headers included (`WWW-Authenticate`, `Allow`, `Retry-After`). */
export function errorResponse(error: ArmError): ManagementResponse {
  return jsonResponse(error.status, error.toResponse(), { ...error.headers });
}

/** The same response without its body, as HEAD answers; headers kept. */
export function withoutBody(response: ManagementResponse): ManagementResponse {
  return response.body === null ? response : { status: response.status, headers: response.headers, body: null };
}

/** A resource (GET, PUT, PATCH): its envelope and its ETag. */
export function resourceResponse(status: 200 | 201, resource: unknown, etag: string | undefined): ManagementResponse {
  return jsonResponse(status, resource, etag === undefined ? {} : { ETag: etag });
}

/** DELETE: 200 when something was deleted, 204 when there was nothing to delete (ARM's idempotent delete). */
export function deleteResponse(deleted: boolean): ManagementResponse {
  return emptyResponse(deleted ? 200 : 204);
}
