import { app } from '@azure/functions';
import { createManagementApi, managementSettingsFromEnv } from '../management';
import { catalogStore } from './lib/services';
import { toCoreRequest } from './lib/http';

const management = createManagementApi({ store: catalogStore(), settings: managementSettingsFromEnv() });

/**
 * APIM's management REST API under /management. Authentication is the API's own
 * SharedAccessSignature check: Functions' authLevel is not enforced locally, so it
 * is never relied on.
 */
app.http('management', {
  route: 'management/{*path}',
  methods: ['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'POST'],
  authLevel: 'anonymous',
  handler: async (request) => {
    const response = await management.handle(await toCoreRequest(request));
    return { status: response.status, headers: response.headers, body: response.body ?? undefined };
  },
});
