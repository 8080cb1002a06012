import { app } from '@azure/functions';
import { catalogStore } from './lib/services';

/** Route of APIM's gateway health endpoint, the same on every APIM instance. */
export const STATUS_ROUTE = 'status-0123456789abcdef';

/** How long a probe waits for a catalog that is still loading. Probes call again; they must not hang. */
const STATUS_WAIT_MS = 1000;

/**
 * APIM's health endpoint: 200 with an empty body once the catalog is loaded (the
 * gateway can answer), 503 otherwise. The name sorts before `zz-gateway`, so the
 * host routes it here rather than to the catch-all.
 */
app.http('status', {
  route: STATUS_ROUTE,
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: async () => {
    let ready = false;
    try {
      ready = await catalogStore().whenReady(STATUS_WAIT_MS);
    } catch {
      // Settings the catalog needs are missing or invalid: not healthy, and nothing to say to a probe.
    }
    return { status: ready ? 200 : 503, headers: { 'Cache-Control': 'no-store' } };
  },
});
