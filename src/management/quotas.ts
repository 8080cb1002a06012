import { z } from 'zod';
import { isArmError, resourceNotFound, serviceUnavailable } from '../apim/armErrors';
import type { QuotaCounterPeriod, QuotaCounterValue } from '../policy/limits';
import { readProperties } from './body';
import { jsonResponse } from './respond';
import { route, type Route, type RouteContext } from './router';

/**
 * APIM's "Quota By Counter Keys" and "Quota By Period Keys": administrators read
 * the periods of a quota counter and set them (a reset is `callsCount: 0`),
 * `quotas/{quotaCounterKey}` and `quotas/{quotaCounterKey}/periods/{quotaPeriodKey}`.
 * The counters are the gateway's own (`ctx.quotas`): this instance's calls not
 * written yet are included, and a change is written to the quota table at once;
 * other instances fold it in at their next exchange with storage (about a second).
 *
 * Counter keys, as the management API names them (docs/policies.md):
 * - `quota-by-key`: the value of its `counter-key`, as in APIM (`ba` for
 *   `counter-key="@("b"+"a")"`);
 * - `quota` (per subscription, product scope): `quota|product/{productId}|{subscriptionId}`,
 *   plus `|api/{apiId}` or `|operation/{apiId}/{operationId}` for its `<api>` and
 *   `<operation>` limits: the key the gateway counts under.
 * A `counter-key` value that itself starts with `quota|` or `quota-by-key|` is
 * addressed as `quota-by-key|{value}`.
 */

const BY_KEY = 'quota-by-key|';
const QUOTA = 'quota|';

/** The key the gateway counts under, for a key as the management API names it. */
export function storedCounterKey(key: string): string {
  return key.startsWith(QUOTA) || key.startsWith(BY_KEY) ? key : `${BY_KEY}${key}`;
}

/** The management API's name of a key the gateway counts under (the inverse of `storedCounterKey`). */
export function managementCounterKey(stored: string): string {
  if (!stored.startsWith(BY_KEY)) return stored;
  const value = stored.slice(BY_KEY.length);
  return storedCounterKey(value) === stored ? value : stored;
}

/** APIM's QuotaCounterValueUpdateContract: both optional; kbTransferred may hold a fraction. */
const quotaValueProperties = z.object({
  callsCount: z.number().int('must be a whole number').min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  kbTransferred: z.number().min(0).max(Number.MAX_SAFE_INTEGER / 1024).optional(),
});

/** ISO 8601 in UTC, without milliseconds when there are none (`2014-08-04T04:24:35Z`), as APIM writes them. */
function isoDate(date: Date): string {
  return date.toISOString().replace(/\.000Z$/, 'Z');
}

/** APIM's QuotaCounterContract. `periodEndTime` is null for a quota that never renews (`renewal-period="0"`). */
function contractOf(period: QuotaCounterPeriod) {
  return {
    counterKey: managementCounterKey(period.counterKey),
    periodKey: period.periodKey,
    periodStartTime: isoDate(period.periodStartTime),
    periodEndTime: period.periodEndTime === null ? null : isoDate(period.periodEndTime),
    value: { callsCount: period.callsCount, kbTransferred: period.bytesTransferred / 1024 },
  };
}

/** APIM's QuotaCounterCollection: every period, no paging ("the api does not support paging yet"). */
function collectionOf(periods: readonly QuotaCounterPeriod[]) {
  return { value: periods.map(contractOf), count: periods.length, nextLink: null };
}

/** Storage trouble reading or writing the quota table is a 503, as for the catalog. */
async function counters<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isArmError(error)) throw error;
    throw serviceUnavailable();
  }
}

function valueOf(ctx: RouteContext): QuotaCounterValue {
  const { callsCount, kbTransferred } = readProperties(ctx.body, quotaValueProperties);
  return { ...(callsCount === undefined ? {} : { callsCount }), ...(kbTransferred === undefined ? {} : { kbTransferred }) };
}

async function listByCounterKey(ctx: RouteContext) {
  const periods = await counters(() => ctx.quotas.read(storedCounterKey(ctx.params.quotaCounterKey!)));
  return jsonResponse(200, collectionOf(periods));
}

async function updateByCounterKey(ctx: RouteContext) {
  const value = valueOf(ctx);
  const periods = await counters(() => ctx.quotas.update(storedCounterKey(ctx.params.quotaCounterKey!), value));
  return jsonResponse(200, collectionOf(periods));
}

async function getByPeriodKey(ctx: RouteContext) {
  const { quotaCounterKey, quotaPeriodKey } = ctx.params;
  const periods = await counters(() => ctx.quotas.read(storedCounterKey(quotaCounterKey!)));
  const period = periods.find((candidate) => candidate.periodKey === quotaPeriodKey);
  if (!period) throw resourceNotFound('Quota counter period');
  return jsonResponse(200, contractOf(period));
}

async function updateByPeriodKey(ctx: RouteContext) {
  const { quotaCounterKey, quotaPeriodKey } = ctx.params;
  const value = valueOf(ctx);
  const periods = await counters(() => ctx.quotas.update(storedCounterKey(quotaCounterKey!), value, quotaPeriodKey));
  const period = periods.find((candidate) => candidate.periodKey === quotaPeriodKey);
  if (!period) throw resourceNotFound('Quota counter period');
  return jsonResponse(200, contractOf(period));
}

export const quotaRoutes: Route[] = [
  route('/quotas/{quotaCounterKey}', { GET: listByCounterKey, PATCH: updateByCounterKey }, { textParams: ['quotaCounterKey'] }),
  route('/quotas/{quotaCounterKey}/periods/{quotaPeriodKey}', { GET: getByPeriodKey, PATCH: updateByPeriodKey }, { textParams: ['quotaCounterKey'] }),
];
