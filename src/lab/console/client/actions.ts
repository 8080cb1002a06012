import { DEBUG_AUTHORIZATION_HEADER } from '../../../apim/headers';
import type { ConsoleContext, SelectOptions } from './context';
import { byId, clear, el, messageOf, say } from './dom';
import { initialRows, keyHeaderOf, resolveAdminKey, sameName } from './keys';
import { requestBodies, withContentType } from './body';
import { loadLabState } from './labFixes';
import { authorizationOf, ConsoleError, EXPIRED, expiryOf } from './managementClient';
import { seg } from './paths';
import { currentRequest, renderHeaders, renderOperations, showOperation, updatePreview } from './requestForm';
import { showFailure, showResponse } from './responseView';
import { debugToken, showTrace } from './tracing';
import { loadPolicyProducts, showPolicyPanel } from './effectivePolicy';
import type { ApiResource, OperationResource } from './types';

/** What the learner does: connect, pick an API and an operation, send. */

/**
 * The token lives in this page's memory only, never in web storage: the gateway
 * serves its backends' documents on this same origin, and any of them could read
 * what the origin stores. A reload asks for the token again.
 */

/** The token stopped working: say so where the learner pastes it, keep the rest of the page. */
export function tokenRefused(message: string): void {
  say('token-status', message, 'error');
  byId('token').focus();
}

export async function connect(ctx: ConsoleContext, raw: string): Promise<void> {
  const auth = authorizationOf(raw);
  if (!auth) {
    say('token-status', 'Paste a management token first.', 'error');
    byId('token').focus();
    return;
  }
  const expiry = expiryOf(auth);
  if (expiry && expiry.getTime() <= Date.now()) {
    ctx.client.refuse(EXPIRED);
    return;
  }
  ctx.client.auth = auth;
  say('token-status', 'Connecting...');
  try {
    await loadApis(ctx);
  } catch (error) {
    if (!(error instanceof ConsoleError && error.status === 401)) say('token-status', `Could not list the APIs: ${messageOf(error)}`, 'error');
    return;
  }
  say('token-status', `Connected${expiry ? `; the token is valid until ${expiry.toLocaleString()}` : ''}.`, 'ok');
  byId('workspace').hidden = false;
  await Promise.all([loadLabState(ctx), loadPolicyProducts(ctx), selectApi(ctx, byId<HTMLSelectElement>('api-select').value)]);
}

export function forget(ctx: ConsoleContext): void {
  ctx.client.auth = null;
  byId<HTMLInputElement>('token').value = '';
  byId('workspace').hidden = true;
  say('token-status', 'Token forgotten.');
  byId('token').focus();
}

async function loadApis(ctx: ConsoleContext): Promise<void> {
  const { state, config } = ctx;
  state.apis = await ctx.client.listAll<ApiResource>('/apis');
  const select = byId<HTMLSelectElement>('api-select');
  const previous = state.api ? state.api.name : null;
  clear(select);
  for (const api of state.apis) {
    select.appendChild(el('option', { value: api.name, text: `${api.properties.displayName} (/${api.properties.path})` }));
  }
  const wanted = [previous, config.echoApi].find((id) => id && state.apis.some((api) => api.name === id));
  if (wanted) select.value = wanted;
  if (!state.apis.length) say('op-status', 'The service has no APIs. Run npm run lab:reset to seed the lab again.', 'error');
}

/** The APIs again (after a reset), the current one kept; a changed or vanished current API is picked again. */
export async function reloadApis(ctx: ConsoleContext): Promise<void> {
  const before = ctx.state.api;
  await loadApis(ctx);
  const now = ctx.state.apis.find((api) => api.name === before?.name) ?? null;
  if (now === null || JSON.stringify(now) !== JSON.stringify(before)) await selectApi(ctx, byId<HTMLSelectElement>('api-select').value);
  else ctx.state.api = now;
}

export async function selectApi(ctx: ConsoleContext, apiId: string): Promise<void> {
  const { state } = ctx;
  const api = state.apis.find((a) => a.name === apiId) ?? null;
  state.api = api;
  // An operation of the previous API still loading is no longer wanted.
  state.selectSeq += 1;
  state.operation = null;
  state.operations = [];
  renderOperations(ctx);
  showOperation(ctx);
  showPolicyPanel(ctx);
  if (!api) return;
  const p = api.properties;
  byId('api-info').textContent = `Path /${p.path}; ${p.subscriptionRequired ? 'subscription required' : 'no subscription required'}; key header ${keyHeaderOf(api)}.`;
  try {
    const operations = await ctx.client.listAll<OperationResource>(`/apis/${seg(api.name)}/operations`);
    // Another API was picked meanwhile: its operations, not these, are the current ones.
    if (state.api !== api) return;
    state.operations = operations;
    renderOperations(ctx);
  } catch (error) {
    say('op-status', `Could not list the operations: ${messageOf(error)}`, 'error');
  }
}

export async function selectOperation(ctx: ConsoleContext, operationId: string, options?: SelectOptions): Promise<void> {
  const { state, client, config } = ctx;
  const api = state.api;
  if (!api) return;
  const seq = ++state.selectSeq;
  // A response that arrives while this loads is newer than the selection: keep it shown.
  const responsesAtStart = state.responses;
  say('op-status', 'Loading the operation...');
  try {
    const [op, key] = await Promise.all([
      client.manage<OperationResource>('GET', `/apis/${seg(api.name)}/operations/${seg(operationId)}`),
      resolveAdminKey(client, api, config.adminUser),
    ]);
    if (seq !== state.selectSeq) return;
    state.operation = op;
    state.key = key;
    state.bodies = requestBodies(op);
    state.body = 0;
    state.rows = withContentType(initialRows(op, api, key), state.bodies[0]);
    byId<HTMLTextAreaElement>('request-body').value = state.bodies[0]?.example ?? '';
    state.templateValues = {};
    state.queryValues = {};
    for (const p of op.properties.templateParameters ?? []) state.templateValues[p.name] = p.defaultValue != null ? String(p.defaultValue) : '';
    for (const p of op.properties.request?.queryParameters ?? []) state.queryValues[p.name] = p.defaultValue != null ? String(p.defaultValue) : '';
    say('op-status', options?.reloaded ? 'Reloaded with the current definition and products.' : '');
    const productNames = key.products.map((p) => p.properties.displayName);
    byId('api-info').textContent = `Path /${api.properties.path}; key header ${keyHeaderOf(api)}; products: ${productNames.length ? productNames.join(', ') : 'none'}.`;
    renderOperations(ctx);
    showOperation(ctx);
    showPolicyPanel(ctx);
    if (!options?.keepResponse && state.responses === responsesAtStart) {
      state.lastResponse = null;
      byId('response').hidden = true;
    }
  } catch (error) {
    if (seq === state.selectSeq) say('op-status', `Could not load the operation: ${messageOf(error)}`, 'error');
  }
}

/** Another of the operation's representations: its example as the body, its content type as Content-Type. */
export function pickRepresentation(ctx: ConsoleContext, index: number): void {
  const { state } = ctx;
  const body = state.bodies[index];
  if (!body) return;
  state.body = index;
  state.rows = withContentType(state.rows, body);
  byId<HTMLTextAreaElement>('request-body').value = body.example;
  renderHeaders(ctx);
  updatePreview(ctx);
}

export async function send(ctx: ConsoleContext): Promise<void> {
  const { state } = ctx;
  const request = currentRequest(ctx);
  if (!request) return;
  const headers = new Headers();
  const problems: string[] = [];
  for (const row of request.headers) {
    try {
      headers.append(row.name.trim(), row.value);
    } catch (error) {
      problems.push(`${row.name}: ${(error as Error).message}`);
    }
  }
  if (problems.length) {
    say('send-status', `Not sent: invalid header ${problems.join('; ')}`, 'error');
    return;
  }
  const init: RequestInit = { method: request.method, headers, cache: 'no-store', credentials: 'omit' };
  const bodyText = byId<HTMLTextAreaElement>('request-body').value;
  if (!byId('body-field').hidden && bodyText !== '') init.body = bodyText;
  const sentKey = request.headers.find((row) => sameName(row.name.trim(), keyHeaderOf(state.api))) ?? null;
  const button = byId<HTMLButtonElement>('send');
  const tracing = byId<HTMLInputElement>('trace').checked;
  const api = state.api!;
  button.disabled = true;
  say('send-status', 'Sending...');
  try {
    if (tracing) headers.set(DEBUG_AUTHORIZATION_HEADER, await debugToken(ctx, api));
  } catch (error) {
    say('send-status', `Not sent: no debug token for tracing. ${messageOf(error)}`, 'error');
    button.disabled = false;
    return;
  }
  const started = performance.now();
  try {
    const response = await fetch(request.url, init);
    const text = request.method.toUpperCase() === 'HEAD' ? '' : await response.text();
    showResponse(ctx, response, text, Math.round(performance.now() - started), sentKey);
    say('send-status', `Done: HTTP ${response.status}.`);
    if (tracing) await showTrace(ctx, response, api);
    else byId('response-trace').hidden = true;
  } catch (error) {
    showFailure(ctx, error);
    say('send-status', 'The request failed.', 'error');
  } finally {
    button.disabled = false;
  }
}
