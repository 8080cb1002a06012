/** What the tests send to the management API. */

/** The api-version the Azure SDK for JS (@azure/arm-apimanagement 10) sends; the tests send it too. */
export const API_VERSION = '2024-05-01';

/** The ARM path of the service a local host serves when its settings name none (src/management/settings.ts). */
export const LOCAL_SERVICE = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/apim-lab/providers/Microsoft.ApiManagement/service/apim-lab';
