import { app } from '@azure/functions';
import { echo } from '../lab/echoBackend';
import { ALL_METHODS, toCoreRequest, toHttpResponse } from './lib/http';

/** The Echo API's backend: answers with the request it received. */
app.http('echo', {
  route: 'backend/echo/{*path}',
  methods: [...ALL_METHODS],
  authLevel: 'anonymous',
  handler: async (request) => toHttpResponse(echo(await toCoreRequest(request))),
});
