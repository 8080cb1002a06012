import { app } from '@azure/functions';
import { serviceUnavailableResponse } from '../apim/gatewayResponses';
import { createGateway } from '../gateway';
import { catalogStore } from './lib/services';
import { ALL_METHODS, toCoreRequest, toHttpResponse } from './lib/http';

const store = catalogStore();
const gateway = createGateway({ catalog: store.view });

/**
 * The APIM gateway: every request no other function takes. The host tries routes
 * in alphabetical order of function name, so the catch-all's name must sort last.
 */
app.http('zz-gateway', {
  route: '{*path}',
  methods: [...ALL_METHODS],
  authLevel: 'anonymous',
  handler: async (request) => {
    if (!store.isReady) {
      try {
        await store.ensureStarted();
      } catch {
        // Never let a request through unchecked: without a catalog there is no answer but 503.
        return toHttpResponse(serviceUnavailableResponse());
      }
    }
    const result = await gateway.handle(await toCoreRequest(request));
    return toHttpResponse(result);
  },
});
