import type { ConsoleContext } from './context';
import { byId, clear, el, messageOf, say } from './dom';
import { ConsoleError } from './managementClient';
import type { FindingView, FixView, LabStateView, ScenarioView } from './types';

/**
 * The lab's diagnosis (`/lab/state`): every scenario with its state and findings,
 * a button per fix, and a reset button per scenario. A fix is data the app
 * computed (management API requests); the page sends them in order as they are.
 */

export async function loadLabState(ctx: ConsoleContext): Promise<void> {
  try {
    ctx.state.lab = await ctx.client.call<LabStateView>('GET', ctx.config.stateUrl);
    renderLabState(ctx);
  } catch (error) {
    say('state-message', `Could not read the lab state: ${messageOf(error)}`, 'error');
  }
}

export function renderLabState(ctx: ConsoleContext): void {
  const lab = ctx.state.lab;
  if (!lab) return;
  const box = byId('scenarios');
  clear(box);
  for (const scenario of lab.scenarios ?? []) box.appendChild(scenarioSection(ctx, scenario, lab));
}

function scenarioSection(ctx: ConsoleContext, scenario: ScenarioView, lab: LabStateView): HTMLElement {
  const n = scenario.number;
  const badge = el('span', { id: `scenario-${n}-status`, class: `badge ${scenario.status.split(' ')[0]!}`, text: scenario.status });
  const list = el('ul', { class: 'findings', 'aria-label': `Findings of scenario ${n}` });
  for (const finding of scenario.findings) list.appendChild(findingItem(ctx, finding, n));
  if (scenario.status === 'fixed') list.appendChild(el('li', { class: 'hint' }, [el('p', { text: scenario.whenFixed })]));
  const reset = el('button', { type: 'button', class: 'reset', text: `Reset scenario ${n}` });
  reset.addEventListener('click', () => queue(ctx, reset, `Reset scenario ${n}`, () => resetScenario(ctx, n)));
  return el('section', { class: 'scenario', 'data-scenario': n, 'aria-labelledby': `scenario-${n}-title` }, [
    el('h3', { id: `scenario-${n}-title`, text: `${n}. ${scenario.title}` }),
    el('p', null, [badge]),
    list,
    n === 3 ? el('p', { id: 'state-usable', class: 'help', text: `Products of the Echo API the administrator is actively subscribed to: ${lab.usableProducts.join(', ') || 'none'}.` }) : null,
    el('div', { class: 'toolbar' }, [reset]),
  ]);
}

function findingItem(ctx: ConsoleContext, finding: FindingView, scenario: number): HTMLLIElement {
  const item = el('li', { class: finding.informational ? 'info' : null }, [el('p', { text: finding.message })]);
  const fix = finding.fix;
  if (fix) {
    const button = el('button', { type: 'button', class: 'fix', text: fix.label });
    button.addEventListener('click', () => queue(ctx, button, fix.label, () => applyFix(ctx, fix)));
    item.appendChild(button);
  } else if (finding.informational) {
    item.appendChild(el('p', { class: 'fixhint', text: 'Not a fault of the configuration: nothing to fix here.' }));
  } else {
    item.appendChild(el('p', { class: 'fixhint', text: `Fix: press Reset scenario ${scenario}.` }));
  }
  return item;
}

/** Fixes and resets run one after another, each seeing the state the previous one left. */
let actionQueue: Promise<void> = Promise.resolve();

function queue(ctx: ConsoleContext, button: HTMLButtonElement, label: string, action: () => Promise<string>): void {
  button.disabled = true;
  say('state-message', `Working: ${label}.`);
  actionQueue = actionQueue.then(async () => {
    try {
      await afterChange(ctx, await action());
    } catch (error) {
      button.disabled = false;
      const stale = error instanceof ConsoleError && error.status === 412;
      say('state-message', `${label} failed: ${messageOf(error)}${stale ? ' The configuration changed since the lab state was read: it is read again, try once more.' : ''}`, 'error');
      if (stale) await loadLabState(ctx);
    }
  });
}

/** Sends the fix's management API requests in order; its `done` text once all succeeded. */
async function applyFix(ctx: ConsoleContext, fix: FixView): Promise<string> {
  for (const request of fix.requests) {
    await ctx.client.manage(request.method, request.path, request.body, request.ifMatch ? { 'If-Match': request.ifMatch } : undefined);
  }
  return fix.done;
}

/** `POST /lab/reset?scenario=N`: the scenario back to its broken state; the answer is the new lab state. */
async function resetScenario(ctx: ConsoleContext, scenario: number): Promise<string> {
  ctx.state.lab = await ctx.client.call<LabStateView>('POST', `${ctx.config.resetUrl}?scenario=${scenario}`);
  await ctx.reloadApis();
  return `Scenario ${scenario} is back to its broken state.`;
}

/** After a fix or a reset: the lab state again, and the picked operation filled in again from its new definition. */
async function afterChange(ctx: ConsoleContext, message: string): Promise<void> {
  const { state } = ctx;
  await loadLabState(ctx);
  if (state.operation && state.api) await ctx.selectOperation(state.operation.name, { keepResponse: true, reloaded: true });
  say('state-message', message + (state.operation ? ' The picked operation was filled in again: Send to see the difference.' : ''), 'ok');
  byId('state-title').focus();
}
