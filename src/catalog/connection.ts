import { TableClient, type TableServiceClientOptions } from '@azure/data-tables';
import { STORAGE_SETTINGS } from './storageSettings';

/**
 * Where the catalog lives. Setting `CatalogStorage` (a connection string), or
 * `CatalogStorage__tableServiceUri` (+ optional `CatalogStorage__clientId`) for a
 * managed identity; when neither is set, the same forms of `AzureWebJobsStorage`.
 */
export interface CatalogConnection {
  /** A connection string, or a table service URI used with a token credential. */
  connectionString?: string;
  tableServiceUri?: string;
  clientId?: string;
  tableName: string;
  /** Which setting it came from, for messages (never the value: it may hold an account key). */
  source: string;
}

export const DEFAULT_TABLE_NAME = 'apimcatalog';
const TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;

export function catalogConnectionFromEnv(env: NodeJS.ProcessEnv = process.env): CatalogConnection {
  const tableName = env.CATALOG_TABLE_NAME || DEFAULT_TABLE_NAME;
  if (!TABLE_NAME.test(tableName)) {
    throw new Error(`CATALOG_TABLE_NAME must match ${TABLE_NAME} (letters and digits, 3-63, starting with a letter)`);
  }
  for (const name of STORAGE_SETTINGS) {
    const connectionString = env[name];
    if (connectionString) return { connectionString, tableName, source: name };
    const tableServiceUri = env[`${name}__tableServiceUri`];
    if (tableServiceUri) {
      return { tableServiceUri, clientId: env[`${name}__clientId`] || undefined, tableName, source: `${name}__tableServiceUri` };
    }
  }
  throw new Error(
    'No catalog storage configured: set CatalogStorage (or AzureWebJobsStorage) to a connection string ' +
      'such as UseDevelopmentStorage=true, or CatalogStorage__tableServiceUri for a managed identity.',
  );
}

/**
 * Longest wait for one try of one storage request. Without it a hung storage
 * (accepting connections, never answering) holds a request forever, and with it the
 * store's single shared refresh and its write queue: polling would stop for good.
 * A timed-out try is not retried (the pipeline only retries refused or reset
 * connections and 5xx answers), so one request waits at most this long per call.
 * Generous on purpose: callers that must answer quickly (the management API) have
 * deadlines of their own; this one only guarantees that every call ends.
 */
export const STORAGE_REQUEST_TIMEOUT_MS = 5000;

type PipelinePolicy = NonNullable<TableServiceClientOptions['additionalPolicies']>[number]['policy'];

/** Sets a timeout on every request (each try) that has none. */
function requestTimeoutPolicy(timeoutMs: number): PipelinePolicy {
  return {
    name: 'catalogRequestTimeout',
    sendRequest(request, next) {
      if (!request.timeout) request.timeout = timeoutMs;
      return next(request);
    },
  };
}

/** Short client retries: a gateway must answer quickly when storage is down, not after a minute of back-off. */
const clientOptions = (insecure: boolean): TableServiceClientOptions => ({
  allowInsecureConnection: insecure,
  retryOptions: { maxRetries: 2, retryDelayInMs: 100, maxRetryDelayInMs: 500 },
  additionalPolicies: [{ policy: requestTimeoutPolicy(STORAGE_REQUEST_TIMEOUT_MS), position: 'perRetry' }],
});

export function createTableClient(connection: CatalogConnection): TableClient {
  if (connection.connectionString) {
    const insecure = /UseDevelopmentStorage=true|DefaultEndpointsProtocol=http;|TableEndpoint=http:/i.test(connection.connectionString);
    return TableClient.fromConnectionString(connection.connectionString, connection.tableName, clientOptions(insecure));
  }
  const uri = connection.tableServiceUri as string;
  // Loaded only here: most deployments and every local run use a connection string.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { DefaultAzureCredential } = require('@azure/identity') as typeof import('@azure/identity');
  const credential = new DefaultAzureCredential(connection.clientId ? { managedIdentityClientId: connection.clientId } : {});
  return new TableClient(uri, connection.tableName, credential, clientOptions(uri.startsWith('http:')));
}
