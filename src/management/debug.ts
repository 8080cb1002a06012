import { z } from 'zod';
import { invalidField, resourceNotFound } from '../apim/armErrors';
import { relativeResourceId } from '../apim/armResources';
import { check, readJson } from './body';
import { jsonResponse } from './respond';
import { route, type Route, type RouteContext } from './router';

/**
 * Request tracing, as APIM's managed gateway offers it (docs/apim-behaviour.md#request-tracing):
 * `listDebugCredentials` hands out a short-lived token for one API, which a caller
 * sends as `Apim-Debug-Authorization`; the gateway answers with an `Apim-Trace-Id`,
 * and `listTrace` turns that id into the trace. Tokens and trace ids are sealed
 * with the service's key (`src/catalog/debugCredentials.ts`): any instance can
 * check or open what another made.
 */

/** APIM's limit, and its default when `credentialsExpireAfter` is left out. */
const MAX_CREDENTIALS_MS = 60 * 60 * 1000;

const listDebugCredentialsBody = z.object({
  credentialsExpireAfter: z.string().max(64).optional(),
  apiId: z.string().min(1).max(2048),
  purposes: z.array(z.literal('tracing', { error: 'must be tracing' })).min(1).max(8),
});

const listTraceBody = z.object({
  traceId: z.string().min(1).max(65_536),
});

/**
 * An ISO 8601 duration of days, hours, minutes and seconds (`PT1H`, `PT15M`,
 * `PT90S`, `P0DT0H30M`) in milliseconds; undefined when it is not one.
 */
export function parseDuration(text: string): number | undefined {
  const match = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(text);
  if (!match || text.toUpperCase() === 'P' || text.toUpperCase().endsWith('T')) return undefined;
  const [, days = '0', hours = '0', minutes = '0', seconds = '0'] = match;
  return ((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60_000 + Number(seconds) * 1000;
}

function listDebugCredentials(ctx: RouteContext) {
  const body = check(listDebugCredentialsBody, readJson(ctx.body), '');
  let lifetimeMs = MAX_CREDENTIALS_MS;
  if (body.credentialsExpireAfter !== undefined) {
    const parsed = parseDuration(body.credentialsExpireAfter);
    if (parsed === undefined || parsed <= 0 || parsed > MAX_CREDENTIALS_MS) {
      throw invalidField('credentialsExpireAfter', 'must be an ISO 8601 duration greater than zero and at most PT1H');
    }
    lifetimeMs = parsed;
  }
  const relative = relativeResourceId(ctx.service, body.apiId.trim());
  const parts = relative?.split('/').filter((part) => part !== '') ?? [];
  if (parts.length !== 2 || parts[0]!.toLowerCase() !== 'apis') throw invalidField('apiId', 'must be the resource id of an API of this service');
  const api = ctx.store.index.getApi(parts[1]!);
  if (!api) throw resourceNotFound('Api');
  const token = ctx.debug.issue(api.id, new Date(ctx.now().getTime() + lifetimeMs));
  return jsonResponse(200, { token });
}

function listTrace(ctx: RouteContext) {
  const body = check(listTraceBody, readJson(ctx.body), '');
  const trace = ctx.debug.openTrace(body.traceId.trim(), ctx.now());
  if (trace === undefined) throw resourceNotFound('Trace');
  return jsonResponse(200, trace);
}

export const debugRoutes: Route[] = [
  route('/gateways/managed/listDebugCredentials', { POST: listDebugCredentials }),
  route('/gateways/managed/listTrace', { POST: listTrace }),
];
