import { app } from '@azure/functions';
import { placeholder } from '../lab/backends/placeholder';
import { ALL_METHODS, toHttpResponse } from './lib/http';

/** The Resources API's backend: posts, comments, photos and users. Reads no body. */
app.http('placeholder', {
  route: 'backend/placeholder/{*path}',
  methods: [...ALL_METHODS],
  authLevel: 'anonymous',
  handler: (request) =>
    toHttpResponse(placeholder({ method: request.method, url: request.url, headers: request.headers, body: null }, request.params.path ?? '')),
});
