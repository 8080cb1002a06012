import { DEBUG_AUTHORIZATION_HEADER } from '../../../apim/headers';
import type { ConsoleContext } from './context';
import { byId, clear, el } from './dom';
import { isSecret, mask, shown } from './keys';
import { buildRequest, FORBIDDEN_HEADER, type ConsoleRequest } from './request';
import type { HeaderRow, OperationResource } from './types';

/** The operations list and the request form: what will be sent, and where each header value came from. */

type Parameter = OperationResource['properties']['templateParameters'][number];

function methodBadge(method: string): HTMLSpanElement {
  return el('span', { class: `method m-${String(method).toLowerCase()}`, text: method });
}

export function renderOperations(ctx: ConsoleContext): void {
  const { state } = ctx;
  const list = byId('operation-list');
  clear(list);
  for (const op of state.operations) {
    const current = state.operation !== null && state.operation.name === op.name;
    const button = el('button', { type: 'button', 'aria-current': current ? 'true' : null, 'data-operation': op.name }, [
      methodBadge(op.properties.method),
      el('span', { text: op.properties.displayName }),
    ]);
    button.addEventListener('click', () => void ctx.selectOperation(op.name));
    list.appendChild(el('li', null, [button]));
  }
}

export function showOperation(ctx: ConsoleContext): void {
  const { state } = ctx;
  const op = state.operation;
  byId('op-form').hidden = !op;
  if (!op) {
    byId('op-title').textContent = 'Pick an operation';
    byId('op-description').textContent = 'The console fills in the request of the operation you pick: its URL, its parameters and its headers.';
    byId('response').hidden = true;
    return;
  }
  const p = op.properties;
  byId('op-title').textContent = p.displayName;
  byId('op-description').textContent = p.description || '';
  const badge = byId('op-method');
  badge.className = `method m-${String(p.method).toLowerCase()}`;
  badge.textContent = p.method;
  renderParams(ctx, 'template-params', 'template-fieldset', p.templateParameters ?? [], state.templateValues, 'tp');
  renderParams(ctx, 'query-params', 'query-fieldset', p.request?.queryParameters ?? [], state.queryValues, 'qp');
  const hasBody = !/^(GET|HEAD)$/i.test(p.method);
  byId('body-field').hidden = !hasBody;
  if (!hasBody) byId<HTMLTextAreaElement>('request-body').value = '';
  renderRepresentations(ctx);
  renderHeaders(ctx);
  updatePreview(ctx);
}

/** The representations to pick the body from, when the operation has any. */
function renderRepresentations(ctx: ConsoleContext): void {
  const { state } = ctx;
  const select = byId<HTMLSelectElement>('representation');
  clear(select);
  state.bodies.forEach((body, i) => select.appendChild(el('option', { value: String(i), text: body.contentType || `example ${i + 1}` })));
  select.value = String(state.body);
  byId('representation-field').hidden = state.bodies.length === 0;
}

function renderParams(ctx: ConsoleContext, containerId: string, fieldsetId: string, params: Parameter[], values: Record<string, string>, prefix: string): void {
  const box = byId(containerId);
  clear(box);
  byId(fieldsetId).hidden = params.length === 0;
  params.forEach((param, i) => {
    const id = `${prefix}-${i}`;
    const label = el('label', { for: id }, [param.name, param.required ? el('span', { class: 'req', text: ' (required)' }) : null]);
    const input = el('input', { id, type: 'text', spellcheck: 'false', autocomplete: 'off', 'aria-describedby': param.description ? `${id}-help` : null });
    input.value = values[param.name] || '';
    input.addEventListener('input', () => {
      values[param.name] = input.value;
      updatePreview(ctx);
    });
    const help = param.description ? el('span', { id: `${id}-help`, class: 'help', text: param.description }) : null;
    box.appendChild(el('div', null, [label, input, help]));
  });
}

export function renderHeaders(ctx: ConsoleContext): void {
  const { state } = ctx;
  const body = byId('headers-body');
  clear(body);
  state.rows.forEach((row, i) => {
    const n = i + 1;
    const name = el('input', { type: 'text', spellcheck: 'false', autocomplete: 'off', 'aria-label': `Header ${n} name` });
    name.value = row.name;
    const masked = isSecret(row, state.api) && !state.reveal;
    const value = el('input', {
      type: 'text',
      spellcheck: 'false',
      autocomplete: 'off',
      'aria-label': `Header ${n} value${masked ? ' (key hidden: press Show keys to see or edit it)' : ''}`,
      readonly: masked,
      'data-header': row.name,
    });
    value.value = masked ? mask(row.value) : row.value;
    const sourceCell = el('td', { class: 'source' }, sourceContent(row));
    const edited = () => {
      row.kind = 'user';
      row.source = 'edited by you';
      row.detail = null;
      sourceCell.replaceChildren(...sourceContent(row));
      updatePreview(ctx);
    };
    name.addEventListener('input', () => {
      row.name = name.value;
      edited();
    });
    value.addEventListener('input', () => {
      if (!value.readOnly) {
        row.value = value.value;
        edited();
      }
    });
    const remove = el('button', { type: 'button', 'aria-label': `Remove header ${row.name || n}`, text: 'Remove' });
    remove.addEventListener('click', () => {
      state.rows.splice(i, 1);
      renderHeaders(ctx);
      updatePreview(ctx);
      byId('add-header').focus();
    });
    body.appendChild(el('tr', null, [el('td', { class: 'name' }, [name]), el('td', { class: 'value' }, [value]), sourceCell, el('td', null, [remove])]));
  });
  if (!state.rows.length) body.appendChild(el('tr', null, [el('td', { colspan: '4', class: 'help', text: 'No headers.' })]));
}

function sourceContent(row: HeaderRow): HTMLElement[] {
  const parts = [el('span', { class: `src src-${row.kind}`, text: row.source })];
  if (row.detail) parts.push(el('span', { class: 'notsent', text: row.detail }));
  if (!row.name.trim() || row.value === '') parts.push(el('span', { class: 'notsent', text: 'empty: not sent' }));
  else if (FORBIDDEN_HEADER.test(row.name.trim())) parts.push(el('span', { class: 'notsent', text: 'a browser may not set this header: not sent' }));
  return parts;
}

/** The request of the picked operation as it stands; only while one is picked. */
export function currentRequest(ctx: ConsoleContext): ConsoleRequest | null {
  const { state } = ctx;
  if (!state.operation || !state.api) return null;
  return buildRequest({
    api: state.api,
    operation: state.operation,
    templateValues: state.templateValues,
    queryValues: state.queryValues,
    rows: state.rows,
    origin: location.origin,
  });
}

export function updatePreview(ctx: ConsoleContext): void {
  const request = currentRequest(ctx);
  if (!request) return;
  byId('request-url').textContent = request.url;
  const lines = [`${request.method} ${request.target} HTTP/1.1`, `Host: ${location.host}`];
  for (const row of request.headers) lines.push(`${row.name.trim()}: ${shown(row, ctx.state.api, ctx.state.reveal)}`);
  if (byId<HTMLInputElement>('trace').checked) lines.push(`${DEBUG_AUTHORIZATION_HEADER}: (a debug token for this API, asked for when you send)`);
  const body = byId<HTMLTextAreaElement>('request-body').value;
  byId('request-preview').textContent = lines.join('\n') + (body && !byId('body-field').hidden ? `\n\n${body}` : '');
}
