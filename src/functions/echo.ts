import { app } from '@azure/functions';
import { maxBodyBytesFromEnv } from '../gateway';
import { echo } from '../lab/echoBackend';
import { ALL_METHODS, toCoreRequest, toHttpResponse } from './lib/http';
import { announcesMoreThan } from './lib/requestBody';

// The backend takes what the gateway forwards, no more.
const maxBodyBytes = maxBodyBytesFromEnv();

/** The Echo API's backend: answers with the request it received. */
app.http('echo', {
  route: 'backend/echo/{*path}',
  methods: [...ALL_METHODS],
  authLevel: 'anonymous',
  handler: async (request) => {
    // Refused on the announcement, as the host refuses its own limit: the body is never copied.
    if (announcesMoreThan(request, maxBodyBytes)) return { status: 413 };
    return toHttpResponse(echo(await toCoreRequest(request)));
  },
});
