import { app } from '@azure/functions';
import { LAB_BACKEND_MAX_BODY_BYTES } from './lib/bodyLimits';
import { ALL_METHODS, toCoreRequest, toHttpResponse } from './lib/http';
import { announcesMoreThan } from './lib/requestBody';
import { productStoreBackend } from './lib/services';

const store = productStoreBackend();

/** The ProductStore API's backend: an ASP.NET Web API-like products store. */
app.http('productstore', {
  route: 'backend/productstore/{*path}',
  methods: [...ALL_METHODS],
  authLevel: 'anonymous',
  handler: async (request) => {
    if (announcesMoreThan(request, LAB_BACKEND_MAX_BODY_BYTES)) return { status: 413 };
    return toHttpResponse(await store.handle(await toCoreRequest(request), request.params.path ?? ''));
  },
});
