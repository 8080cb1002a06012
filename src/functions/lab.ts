import { app } from '@azure/functions';
import { createLabConsole } from '../lab/console';
import { createLabReset } from '../lab/resetEndpoint';
import { managementSettingsFromEnv } from '../management';
import { sharedAuthThrottle } from './lib/authThrottle';
import { catalogStore, productStoreBackend } from './lib/services';

const settings = managementSettingsFromEnv();
const labConsole = createLabConsole({ store: catalogStore(), settings, throttle: sharedAuthThrottle() });
const labReset = createLabReset({
  store: catalogStore(),
  settings,
  // The whole lab, or scenario 4 whose backend it is, starts over with the seed products.
  afterReset: (scenario) => {
    if (scenario === undefined || scenario.number === 4) productStoreBackend().reset();
  },
});

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

/**
 * `POST /lab/reset[?scenario=N]`: the lab (or one scenario) back to its broken
 * state, for the holder of a management token (`npm run lab:reset -- --url <app>
 * --token <token> [--scenario N]`). Other methods on /lab stay the gateway's.
 */
app.http('lab-reset', {
  route: 'lab/reset',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: async (request) => {
    const response = await labReset(request.headers.get('authorization'), request.query.get('scenario'));
    return { status: response.status, headers: response.headers, body: response.body };
  },
});
