import { builders } from '../../catalog/recordBuilders';
import type { CatalogRecord } from '../../catalog/tableCodec';
import { backendUrl, record } from './common';

/**
 * Scenario 5: the Resources API in front of the JSON placeholder service, in
 * product Standard. Standard's document forbids GetPosts to every address, and the
 * global document limits GetComments to one call per 10 s per caller IP address.
 * The lab instance: docs/scenarios/README.md; the scenario: docs/scenarios/5-throttling.md.
 */

export const RESOURCES_API_ID = 'resources';
export const RESOURCES_OPERATIONS = ['GetComments', 'GetPhotos', 'GetPosts', 'GetUsers'] as const;

export function resourcesRecords(env: NodeJS.ProcessEnv = process.env): CatalogRecord[] {
  return [
    record.api(builders.api({ id: RESOURCES_API_ID, displayName: 'Resources', path: 'resource', serviceUrl: backendUrl('placeholder', env), protocols: ['http', 'https'] })),
    ...RESOURCES_OPERATIONS.map((name) =>
      record.operation(
        builders.operation({ apiId: RESOURCES_API_ID, id: name.toLowerCase(), displayName: name, method: 'GET', urlTemplate: `/${name.slice(3).toLowerCase()}` }),
      ),
    ),
    record.link(builders.link({ productId: 'standard', apiId: RESOURCES_API_ID })),
  ];
}
