import { builders } from '../../catalog/recordBuilders';
import type { Parameter } from '../../catalog/records';
import type { CatalogRecord } from '../../catalog/tableCodec';
import { backendUrl, policyDocument, record, representation } from './common';

/**
 * Scenario 4: the ProductStore web API. GetAllProducts is slow (the backend waits
 * 5 s), DeleteProduct fails in the backend (500), and the API's outbound section
 * replaces every response with a fake 429 after `<base />`. Four operations have
 * documents whose outbound section has no `<base />`, so only PutProduct inherits
 * the fake 429.
 * The lab instance: docs/scenarios/README.md; the scenario: docs/scenarios/4-performance.md.
 */

export const PRODUCTSTORE_API_ID = 'productstore';

/** The API's document: a fake "429 Too many requests" replaces every response. */
export const PRODUCTSTORE_API_POLICY = policyDocument({
  outbound: [
    '<base />',
    [
      '<return-response>',
      '  <set-status code="429" reason="Too many requests" />',
      '  <set-body>{',
      '            Rate limit is exceeded. Try again after some time.',
      '            }</set-body>',
      '</return-response>',
    ].join('\n'),
  ],
});

/** The operations' own documents: an outbound section without `<base />`. */
export const PRODUCTSTORE_OPERATION_POLICY = policyDocument({ outbound: [] });

/** The operations with their own document; PutProduct has none. */
export const PRODUCTSTORE_OPERATIONS_WITH_DOCUMENT = [
  'Products_GetAllProducts',
  'Products_GetProduct',
  'Products_PostProduct',
  'Products_DeleteProduct',
] as const;

const idParameter: Parameter = { name: 'id', description: 'Format - int32.', type: 'integer', defaultValue: '1', required: true, values: [] };
const productExample = '{\n  "Id": 4,\n  "Name": "Notebook",\n  "Category": "Stationery",\n  "Price": 2.5\n}';
const productBody = { description: null, queryParameters: [], headers: [], representations: [representation('application/json', productExample, 'Product')] };

export function productStoreRecords(env: NodeJS.ProcessEnv = process.env): CatalogRecord[] {
  const op = (id: string, method: string, urlTemplate: string, withBody = false) =>
    record.operation(
      builders.operation({
        apiId: PRODUCTSTORE_API_ID,
        id,
        displayName: id,
        method,
        urlTemplate,
        templateParameters: urlTemplate.includes('{id}') ? [idParameter] : [],
        ...(withBody ? { request: productBody } : {}),
      }),
    );
  return [
    record.api(builders.api({ id: PRODUCTSTORE_API_ID, displayName: 'ProductStore', path: 'productstore', serviceUrl: backendUrl('productstore', env), protocols: ['http'] })),
    op('Products_GetAllProducts', 'GET', '/api/Products'),
    op('Products_GetProduct', 'GET', '/api/Products/{id}'),
    op('Products_PostProduct', 'POST', '/api/Products', true),
    op('Products_PutProduct', 'PUT', '/api/Products/{id}', true),
    op('Products_DeleteProduct', 'DELETE', '/api/Products/{id}'),
    record.policy({ scope: 'api', apiId: PRODUCTSTORE_API_ID, format: 'rawxml', value: PRODUCTSTORE_API_POLICY }),
    ...PRODUCTSTORE_OPERATIONS_WITH_DOCUMENT.map((operationId) =>
      record.policy({ scope: 'operation', apiId: PRODUCTSTORE_API_ID, operationId, format: 'rawxml', value: PRODUCTSTORE_OPERATION_POLICY }),
    ),
    record.link(builders.link({ productId: 'starter', apiId: PRODUCTSTORE_API_ID })),
  ];
}
