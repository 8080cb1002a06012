/**
 * The settings that can name the catalog's storage, in order of precedence:
 * `CatalogStorage`, else the Functions host's own `AzureWebJobsStorage`. A module
 * of its own so that the local host can read it without loading the Table SDK.
 */
export const STORAGE_SETTINGS = ['CatalogStorage', 'AzureWebJobsStorage'] as const;
