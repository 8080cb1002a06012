import { app } from '@azure/functions';
import { createLabConsole } from '../lab/console';
import { managementSettingsFromEnv } from '../management';
import { sharedAuthThrottle } from './lib/authThrottle';
import { catalogStore } from './lib/services';

const labConsole = createLabConsole({ store: catalogStore(), settings: managementSettingsFromEnv(), throttle: sharedAuthThrottle() });

/**
 * The lab's test console: `GET /lab` is the page, `GET /lab/state` the lab's
 * diagnosis for the holder of a management token. The name sorts before
 * `management` and `zz-gateway`, so the host tries this route first. Its token
 * check shares the management API's throttle; no body is ever read.
 */
app.http('lab', {
  route: 'lab/{*path}',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: async (request) => {
    const response = await labConsole.handle({ method: request.method, path: request.params.path ?? '', headers: request.headers });
    return { status: response.status, headers: response.headers, body: response.body };
  },
});
