import { CONFIG_ATTRIBUTES, type ConsoleConfig } from '../consoleConfig';
import { connect, forget, pickRepresentation, reloadApis, selectApi, selectOperation, send, tokenRefused } from './actions';
import type { ConsoleContext } from './context';
import { byId, say } from './dom';
import { calculatePolicy } from './effectivePolicy';
import { loadLabState } from './labFixes';
import { ManagementClient } from './managementClient';
import { renderHeaders, updatePreview } from './requestForm';
import { renderResponse } from './responseView';
import { createState } from './state';

/**
 * The test console's script: built to one browser script (`npm run build`) that
 * the page inlines under its CSP nonce. Plain DOM, no framework.
 */

function readConfig(): ConsoleConfig {
  const config = {} as ConsoleConfig;
  for (const name of Object.keys(CONFIG_ATTRIBUTES) as (keyof ConsoleConfig)[]) {
    config[name] = document.body.getAttribute(`data-${CONFIG_ATTRIBUTES[name]}`) ?? '';
  }
  return config;
}

const config = readConfig();
const ctx: ConsoleContext = {
  config,
  client: new ManagementClient({ managementBase: config.managementBase, apiVersion: config.apiVersion, onTokenRefused: tokenRefused }),
  state: createState(),
  selectOperation: (operationId, options) => selectOperation(ctx, operationId, options),
  reloadApis: () => reloadApis(ctx),
};
const { state } = ctx;

byId('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void connect(ctx, byId<HTMLInputElement>('token').value);
});
byId('token-forget').addEventListener('click', () => forget(ctx));
byId('api-select').addEventListener('change', () => void selectApi(ctx, byId<HTMLSelectElement>('api-select').value));
byId('send').addEventListener('click', () => void send(ctx));
byId('add-header').addEventListener('click', () => {
  state.rows.push({ name: '', value: '', kind: 'user', source: 'added by you' });
  renderHeaders(ctx);
  updatePreview(ctx);
  const inputs = byId('headers-body').querySelectorAll('input');
  if (inputs.length >= 2) inputs[inputs.length - 2]!.focus();
});
byId('reveal-keys').addEventListener('click', () => {
  state.reveal = !state.reveal;
  byId('reveal-keys').setAttribute('aria-pressed', String(state.reveal));
  renderHeaders(ctx);
  updatePreview(ctx);
  if (state.lastResponse) renderResponse(ctx, state.lastResponse);
});
byId('request-body').addEventListener('input', () => updatePreview(ctx));
byId('representation').addEventListener('change', () => pickRepresentation(ctx, Number(byId<HTMLSelectElement>('representation').value)));
byId('trace').addEventListener('change', () => updatePreview(ctx));
byId('state-refresh').addEventListener('click', () => void refreshLabState());
byId('policy-product').addEventListener('change', () => void calculatePolicy(ctx));
byId('policy-calculate').addEventListener('click', () => void calculatePolicy(ctx));

async function refreshLabState(): Promise<void> {
  say('state-message', 'Refreshing...');
  await loadLabState(ctx);
  if (ctx.client.auth) say('state-message', 'Lab state refreshed.', 'ok');
}

// Tokens stored by earlier versions of this page: another document of this origin could read them.
try {
  sessionStorage.removeItem('apim-lab.management-token');
} catch {
  // storage off
}
