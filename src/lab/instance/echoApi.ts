import { builders } from '../../catalog/recordBuilders';
import { DEFAULT_KEY_HEADER, type Api, type Operation } from '../../catalog/records';
import type { CatalogRecord } from '../../catalog/tableCodec';
import { backendUrl, record } from './common';

/**
 * Scenario 3: the Echo API in its broken state: in no product, and two operations
 * whose definition hard-codes a subscription key header with a key of no
 * subscription. Ids are part of the lab's contract.
 * The lab instance: docs/scenarios/README.md; the scenario: docs/scenarios/3-unauthorized.md.
 */

export const ECHO_API_ID = 'echo-api';
/** The key hard-coded into two operations' header definitions: it belongs to no subscription. */
export const HARD_CODED_KEY = '68d312d9cf3b4b3ca07be5abacaf8fc9';

const hardCodedKeyHeader = {
  name: DEFAULT_KEY_HEADER,
  description: 'Subscription key.',
  type: 'string',
  defaultValue: HARD_CODED_KEY,
  required: false,
  values: [HARD_CODED_KEY],
};

function operation(id: string, displayName: string, method: string, urlTemplate: string, extra: Partial<Operation> = {}): Operation {
  return builders.operation({ apiId: ECHO_API_ID, id, displayName, method, urlTemplate, ...extra });
}

export function echoApi(env: NodeJS.ProcessEnv = process.env): Api {
  return builders.api({
    id: ECHO_API_ID,
    displayName: 'Echo API',
    path: 'echo',
    serviceUrl: backendUrl('echo', env),
    protocols: ['http', 'https'],
  });
}

export function echoOperations(): Operation[] {
  return [
    operation('create-resource', 'Create resource', 'POST', '/resource', {
      description: 'A demonstration of a POST call based on the echo backend above. The request body is expected to contain JSON-formatted data (see example below). A policy is used to automatically transform any request sent in JSON directly to XML.',
      request: { queryParameters: [], headers: [hardCodedKeyHeader], representations: [] },
    }),
    operation('modify-resource', 'Modify Resource', 'PUT', '/resource', {
      description: 'A demonstration of a PUT call handled by the same "echo" backend as above. You can now specify a request body in addition to headers and it will be returned as well.',
    }),
    operation('remove-resource', 'Remove resource', 'DELETE', '/resource', {
      description: 'A demonstration of a DELETE call which traditionally deletes the resource. It is based on the same "echo" backend as in all other operations so nothing is actually deleted.',
    }),
    operation('retrieve-header-only', 'Retrieve header only', 'HEAD', '/resource', {
      description: 'The above call is represented by a HEAD request. This is in a way similar to the GET request, but it only returns headers and no body.',
    }),
    operation('retrieve-resource', 'Retrieve resource', 'GET', '/resource', {
      description: 'A demonstration of a GET call on a sample resource. It is handled by an "echo" backend which returns a response equal to the request (the supplied headers and body are being returned as received).',
      request: {
        queryParameters: [
          { name: 'param1', description: 'A sample parameter that is required and has a default value of "sample".', type: 'string', defaultValue: 'sample', required: true, values: ['sample'] },
          { name: 'param2', description: 'Another sample parameter, set to not required.', type: 'number', defaultValue: null, required: false, values: [] },
        ],
        headers: [hardCodedKeyHeader],
        representations: [],
      },
    }),
    operation('retrieve-resource-cached', 'Retrieve resource (cached)', 'GET', '/resource-cached', {
      description: 'A demonstration of a GET call with caching enabled on the same "echo" backend as above. Cache TTL is set to 1 hour. When you make the first request the headers you supplied will be cached. Subsequent calls will return the same headers as the first time even if you change them in your request.',
    }),
  ];
}

/** The Echo API and its operations; deliberately linked to no product. */
export function echoApiRecords(env: NodeJS.ProcessEnv = process.env): CatalogRecord[] {
  return [record.api(echoApi(env)), ...echoOperations().map(record.operation)];
}
