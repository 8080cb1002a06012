import type { ConsoleContext } from './context';
import { byId, clear, el, messageOf, say } from './dom';
import { keyHeaderOf, sameName } from './keys';
import { seg } from './paths';
import type { ApiResource, LabStateView, OperationResource } from './types';

/** The lab's diagnosis (`/lab/state`) and the buttons that fix what it finds, through the management API. */

/** An operation's display name, when it is one of the Echo API's loaded operations. */
function operationName(ctx: ConsoleContext, operationId: string): string {
  const { state, config } = ctx;
  const op = state.api && state.api.name === config.echoApi ? state.operations.find((o) => o.name === operationId) : undefined;
  return op ? op.properties.displayName : operationId;
}

export async function loadLabState(ctx: ConsoleContext): Promise<void> {
  try {
    ctx.state.lab = await ctx.client.call<LabStateView>('GET', ctx.config.stateUrl);
    renderLabState(ctx);
  } catch (error) {
    say('state-message', `Could not read the lab state: ${messageOf(error)}`, 'error');
  }
}

export function renderLabState(ctx: ConsoleContext): void {
  const { state, config } = ctx;
  const lab = state.lab;
  if (!lab) return;
  const badge = byId('state-status');
  badge.textContent = lab.status;
  badge.className = `badge ${String(lab.status).split(' ')[0]}`;
  const list = byId('findings');
  clear(list);
  for (const finding of lab.findings ?? []) {
    const item = el('li', null, [el('p', { text: finding.message })]);
    const operationId = finding.operationId;
    if (finding.code === 'hardCodedKeyHeader' && operationId) {
      item.appendChild(
        fixButton(ctx, `Remove the hard-coded header from ${operationName(ctx, operationId)}`, () => removeHardCodedHeader(ctx, config.echoApi, operationId)),
      );
    } else if (finding.code === 'apiInNoProduct') {
      item.appendChild(fixButton(ctx, 'Add Echo API to Starter', () => addEchoApiToProduct(ctx)));
    } else if (finding.code === 'noActiveAdminSubscription') {
      item.appendChild(
        el('p', {
          class: 'fixhint',
          text: "Fix: activate the administrator's subscription to one of these products (PATCH .../subscriptions/{sid} with state active), or add the API to Starter.",
        }),
      );
    } else if (finding.code === 'apiMissing') {
      item.appendChild(el('p', { class: 'fixhint', text: 'Fix: run npm run lab:reset, then reload this page.' }));
    }
    list.appendChild(item);
  }
  if (lab.status === 'fixed') {
    list.appendChild(el('li', { class: 'hint' }, [el('p', { text: "Fixed. Every operation of the Echo API now gets the administrator's key: pick one and Send for a 200." })]));
  }
  byId('state-usable').textContent = `Products of the Echo API the administrator is actively subscribed to: ${(lab.usableProducts ?? []).join(', ') || 'none'}.`;
}

/** Fixes run one after another, each seeing the state the previous one left. */
let fixQueue: Promise<void> = Promise.resolve();

function fixButton(ctx: ConsoleContext, label: string, action: () => Promise<string>): HTMLButtonElement {
  const button = el('button', { type: 'button', class: 'fix', text: label });
  button.addEventListener('click', () => {
    button.disabled = true;
    say('state-message', `Working: ${label}.`);
    fixQueue = fixQueue.then(async () => {
      try {
        const done = await action();
        await afterFix(ctx, done);
      } catch (error) {
        button.disabled = false;
        say('state-message', `${label} failed: ${messageOf(error)}`, 'error');
      }
    });
  });
  return button;
}

async function removeHardCodedHeader(ctx: ConsoleContext, apiId: string, operationId: string): Promise<string> {
  const { client, state } = ctx;
  const api = state.apis.find((a) => a.name === apiId) ?? (await client.manage<ApiResource>('GET', `/apis/${seg(apiId)}`));
  const keyHeader = keyHeaderOf(api);
  const path = `/apis/${seg(apiId)}/operations/${seg(operationId)}`;
  const op = await client.manage<OperationResource>('GET', path);
  const headers = (op.properties.request?.headers ?? []).filter((h) => !sameName(h.name, keyHeader));
  await client.manage('PATCH', path, { properties: { request: { headers } } }, { 'If-Match': '*' });
  return `Removed the hard-coded ${keyHeader} header from ${op.properties.displayName}.`;
}

async function addEchoApiToProduct(ctx: ConsoleContext): Promise<string> {
  const { client, config } = ctx;
  await client.manage('PUT', `/products/${seg(config.fixProduct)}/apis/${seg(config.echoApi)}`);
  return `Added the Echo API to the product ${config.fixProduct}.`;
}

/** After a fix: the lab state again, and the picked operation filled in again from the new definition. */
async function afterFix(ctx: ConsoleContext, message: string): Promise<void> {
  const { state } = ctx;
  await loadLabState(ctx);
  if (state.operation && state.api) await ctx.selectOperation(state.operation.name, { keepResponse: true, reloaded: true });
  say('state-message', message + (state.operation ? ' The picked operation was filled in again: Send to see the difference.' : ''), 'ok');
  byId('state-title').focus();
}
