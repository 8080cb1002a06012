import { app } from '@azure/functions';
import { calculator } from '../lab/backends/calculator';
import { LAB_BACKEND_MAX_BODY_BYTES } from './lib/bodyLimits';
import { ALL_METHODS, toCoreRequest, toHttpResponse } from './lib/http';
import { announcesMoreThan } from './lib/requestBody';

/** The Calculator API's backend: the SOAP `calculator.asmx`. */
app.http('calculator', {
  route: 'backend/calculator/{*path}',
  methods: [...ALL_METHODS],
  authLevel: 'anonymous',
  handler: async (request) => {
    if (announcesMoreThan(request, LAB_BACKEND_MAX_BODY_BYTES)) return { status: 413 };
    return toHttpResponse(calculator(await toCoreRequest(request), request.params.path ?? ''));
  },
});
