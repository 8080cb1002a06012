import { app } from '@azure/functions';
import { createManagementApi, managementSettingsFromEnv } from '../management';
import { sharedAuthThrottle } from './lib/authThrottle';
import { readRequestBody } from './lib/requestBody';
import { catalogStore } from './lib/services';

const management = createManagementApi({ store: catalogStore(), settings: managementSettingsFromEnv(), throttle: sharedAuthThrottle() });

/**
 * APIM's management REST API under /management. Authentication is the API's own
 * SharedAccessSignature check: Functions' authLevel is not enforced locally, so it
 * is never relied on. The body is read only for an authenticated caller.
 */
app.http('management', {
  route: 'management/{*path}',
  methods: ['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'POST'],
  authLevel: 'anonymous',
  handler: async (request) => {
    const response = await management.handle({
      method: request.method,
      url: request.url,
      headers: request.headers,
      body: null,
      readBody: () => readRequestBody(request),
    });
    return { status: response.status, headers: response.headers, body: response.body ?? undefined };
  },
});
