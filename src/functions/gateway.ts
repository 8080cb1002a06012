import { app } from '@azure/functions';
import { serviceUnavailableResponse } from '../apim/gatewayResponses';
import { debugCredentialsFromEnv } from '../catalog/debugCredentials';
import { createGateway, maxBodyBytesFromEnv } from '../gateway';
import { catalogStore } from './lib/services';
import { ALL_METHODS, toCoreRequest, toHttpResponse } from './lib/http';

// An invalid GATEWAY_MAX_BODY_BYTES stops the app at start, naming the setting.
const maxBodyBytes = maxBodyBytesFromEnv();
const store = catalogStore();
const gateway = createGateway({ catalog: store.view, maxBodyBytes, debug: debugCredentialsFromEnv() });

/**
 * Longest wait for the catalog's first load before answering 503. Every storage
 * call has a timeout of its own, but a load is several calls: storage that hangs
 * must not hold a caller longer than this.
 */
const START_WAIT_MS = 5000;

/**
 * The APIM gateway: every request no other function takes. The host tries routes
 * in alphabetical order of function name, so the catch-all's name must sort last.
 */
app.http('zz-gateway', {
  route: '{*path}',
  methods: [...ALL_METHODS],
  authLevel: 'anonymous',
  handler: async (request) => {
    if (!store.isReady && !(await store.whenReady(START_WAIT_MS))) {
      // Never let a request through unchecked: without a catalog there is no answer but 503.
      return toHttpResponse(serviceUnavailableResponse());
    }
    const result = await gateway.handle(await toCoreRequest(request));
    return toHttpResponse(result);
  },
});
