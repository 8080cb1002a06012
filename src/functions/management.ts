import { app } from '@azure/functions';
import { ArmError } from '../apim/armErrors';
import { settingProblems } from '../catalog/appSettings';
import { createManagementApi, managementSettingsFromEnv, type ManagementApi } from '../management';
import { sharedAuthThrottle } from './lib/authThrottle';
import { readRequestBody } from './lib/requestBody';
import { catalogStore, sharedQuotaCounter } from './lib/services';

/**
 * Created once the secret settings are usable: management keys read while a Key
 * Vault reference is unresolved would stay unusable for the life of the process.
 */
let management: ManagementApi | undefined;

/**
 * APIM's management REST API under /management. Authentication is the API's own
 * SharedAccessSignature check: Functions' authLevel is not enforced locally, so it
 * is never relied on. The body is read only for an authenticated caller. While a
 * secret setting is missing or an unresolved Key Vault reference, every call is 503
 * naming the setting (never its value).
 */
app.http('management', {
  route: 'management/{*path}',
  methods: ['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'POST'],
  authLevel: 'anonymous',
  handler: async (request) => {
    const problems = settingProblems();
    if (problems.length) {
      const error = new ArmError('ServiceUnavailable', `The app's settings are not usable yet: ${problems.join('; ')}.`, null, { 'Retry-After': '10' });
      return { status: error.status, headers: { 'Content-Type': 'application/json; charset=utf-8', ...error.headers }, body: JSON.stringify(error.toResponse()) };
    }
    management ??= createManagementApi({
      store: catalogStore(),
      settings: managementSettingsFromEnv(),
      throttle: sharedAuthThrottle(),
      quotas: sharedQuotaCounter(),
    });
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
