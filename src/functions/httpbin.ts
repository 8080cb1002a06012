import { app } from '@azure/functions';
import { httpbin } from '../lab/backends/httpbin';
import { ALL_METHODS, toHttpResponse } from './lib/http';

/** The Blank API's backend: httpbin's `/headers` and `/ip`. Reads no body. */
app.http('httpbin', {
  route: 'backend/httpbin/{*path}',
  methods: [...ALL_METHODS],
  authLevel: 'anonymous',
  handler: (request) =>
    toHttpResponse(httpbin({ method: request.method, url: request.url, headers: request.headers, body: null }, request.params.path ?? '')),
});
