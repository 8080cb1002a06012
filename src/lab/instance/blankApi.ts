import { builders } from '../../catalog/recordBuilders';
import type { CatalogRecord } from '../../catalog/tableCodec';
import { backendUrl, policyDocument, record } from './common';

/**
 * Scenario 1: the Blank API in front of httpbin. GetHeaders' own document empties
 * its backend section without `<base />`, so nothing is forwarded and the call
 * answers 200 with an empty body; GetMyIp inherits the global forward-request.
 * The lab instance: docs/scenarios/README.md; the scenario: docs/scenarios/1-blank-response.md.
 */

export const BLANK_API_ID = 'blank-api';
export const GET_HEADERS_ID = 'getheaders';

/** GetHeaders' document: an empty backend section, without `<base />`. */
export const GET_HEADERS_POLICY = policyDocument({ backend: [] });

export function blankApiRecords(env: NodeJS.ProcessEnv = process.env): CatalogRecord[] {
  const op = (id: string, displayName: string, urlTemplate: string) =>
    record.operation(builders.operation({ apiId: BLANK_API_ID, id, displayName, method: 'GET', urlTemplate }));
  return [
    record.api(builders.api({ id: BLANK_API_ID, displayName: 'Blank API', path: 'httpbin', serviceUrl: backendUrl('httpbin', env), protocols: ['http', 'https'] })),
    op(GET_HEADERS_ID, 'GetHeaders', '/headers'),
    op('getmyip', 'GetMyIp', '/ip'),
    record.policy({ scope: 'operation', apiId: BLANK_API_ID, operationId: GET_HEADERS_ID, format: 'rawxml', value: GET_HEADERS_POLICY }),
    record.link(builders.link({ productId: 'unlimited', apiId: BLANK_API_ID })),
  ];
}
