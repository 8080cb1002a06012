import { DEBUG_EXPIRED_HEADER, DEBUG_WRONG_API_HEADER, TRACE_ID_HEADER } from '../../../apim/headers';
import type { ConsoleContext } from './context';
import { byId, clear, el, messageOf, say } from './dom';
import type { ApiResource, TraceDocument, TraceEntry } from './types';

/** Request tracing: a debug token for the call (listDebugCredentials), then its trace (listTrace). */

const TOKEN_LIFETIME = 'PT1H';
/** A token is reused until a few minutes before it expires. */
const TOKEN_REUSE_MS = 55 * 60 * 1000;

/** A debug token for the API, reused until a few minutes before it expires. */
export async function debugToken(ctx: ConsoleContext, api: ApiResource): Promise<string> {
  const cached = ctx.state.debugTokens[api.name];
  if (cached && cached.until > Date.now()) return cached.token;
  const issued = await ctx.client.manage<{ token: string }>('POST', '/gateways/managed/listDebugCredentials', {
    credentialsExpireAfter: TOKEN_LIFETIME,
    apiId: `/apis/${api.name}`,
    purposes: ['tracing'],
  });
  ctx.state.debugTokens[api.name] = { token: issued.token, until: Date.now() + TOKEN_REUSE_MS };
  return issued.token;
}

/** The trace of a traced call (listTrace with its Apim-Trace-Id), or why there is none. */
export async function showTrace(ctx: ConsoleContext, response: Response, api: ApiResource): Promise<void> {
  const box = byId('response-trace');
  const list = byId('trace-entries');
  box.hidden = false;
  clear(list);
  const traceId = response.headers.get(TRACE_ID_HEADER);
  if (!traceId) {
    const expired = response.headers.get(DEBUG_EXPIRED_HEADER);
    const why = response.headers.get(DEBUG_WRONG_API_HEADER)
      ? `No trace: the request reached no operation of ${api.properties.displayName}, the API the debug token is for.`
      : expired
        ? 'No trace: the debug token has expired. Send again for a new one.'
        : 'No trace: the gateway did not accept the debug token.';
    if (expired) delete ctx.state.debugTokens[api.name];
    say('trace-status', why, 'error');
    return;
  }
  say('trace-status', 'Reading the trace...');
  try {
    const trace = await ctx.client.manage<TraceDocument | null>('POST', '/gateways/managed/listTrace', { traceId });
    const groups = trace?.traceEntries ?? {};
    for (const group of ['inbound', 'backend', 'outbound'] as const) {
      for (const entry of groups[group] ?? []) {
        list.appendChild(el('li', {}, [el('strong', { text: `${group} \u00b7 ${entry.source}: ` }), document.createTextNode(traceLine(entry))]));
      }
    }
    say('trace-status', 'What the gateway decided, stage by stage (listTrace):');
  } catch (error) {
    say('trace-status', `Could not read the trace: ${messageOf(error)}`, 'error');
  }
}

function traceLine(entry: TraceEntry): string {
  const data = entry.data ?? {};
  if (data.message) return data.message;
  if (data.request) return `${data.request.method} ${data.request.url}${data.request.queryParameterNames.length ? ` (query: ${data.request.queryParameterNames.join(', ')})` : ''}`;
  if (entry.source === 'authorization') {
    return data.outcome === 'allowed'
      ? `allowed${data.subscriptionId ? `, subscription ${data.subscriptionId}` : ''}${data.productId ? `, product ${data.productId}` : ''}`
      : `refused (${data.outcome})${data.subscriptionId ? `, subscription ${data.subscriptionId} (${data.subscriptionState})` : ''}`;
  }
  if (entry.source === 'forward-request') return data.error ? `backend call failed: ${data.error}` : `backend answered ${data.status}`;
  return JSON.stringify(data);
}

