import { app } from '@azure/functions';
import { debugCredentialsFromEnv } from '../catalog/debugCredentials';
import { createGateway, maxBodyBytesFromEnv } from '../gateway';
import { catalogStore, gatewayPolicyServices } from './lib/services';
import { ALL_METHODS, toCoreRequest, toHttpResponse } from './lib/http';

// An invalid GATEWAY_MAX_BODY_BYTES stops the app at start, naming the setting.
const maxBodyBytes = maxBodyBytesFromEnv();
const store = catalogStore();
const policyServices = gatewayPolicyServices();
// The store is the readiness source: until its first load the gateway answers 503.
// Policy documents come from the catalog too; effective policies are composed once per catalog version.
const gateway = createGateway({ catalog: store.view, policies: store.view, readiness: store, maxBodyBytes, debug: debugCredentialsFromEnv(), policyServices });

// Pending quota counts are written before the instance goes away.
app.hook.appTerminate(async () => {
  await policyServices.close();
  await gateway.close();
});

/**
 * The APIM gateway: every request no other function takes. The host tries routes
 * in alphabetical order of function name, so the catch-all's name must sort last.
 */
app.http('zz-gateway', {
  route: '{*path}',
  methods: [...ALL_METHODS],
  authLevel: 'anonymous',
  handler: async (request) => toHttpResponse(await gateway.handle(await toCoreRequest(request))),
});
