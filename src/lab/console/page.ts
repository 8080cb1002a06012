import { ADMIN_USER, ECHO_API_ID } from '../seed';
import { CONFIG_ATTRIBUTES, type ConsoleConfig } from './consoleConfig';
import { consoleScript } from './script';
import { CONSOLE_CSS } from './styles';

/**
 * The test console's one HTML document: markup, the stylesheet and the script
 * inline (no external resource, works offline), both under the response's CSP
 * nonce. Configuration travels in `data-` attributes of `<body>`, HTML-escaped;
 * the script inserts data into the DOM only as text.
 */

export interface ConsolePageOptions {
  /** This response's CSP nonce (base64). */
  nonce: string;
  /** `/management/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ApiManagement/service/{svc}`. */
  managementBase: string;
  apiVersion: string;
  /** Where the page reads the lab's diagnosis. */
  stateUrl: string;
  /** Where the page reads effective policies; default `/lab/effective-policy`. */
  policyUrl?: string;
  /** Where the page resets a scenario; default `/lab/reset`. */
  resetUrl?: string;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe inside an element or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

export function renderConsolePage(options: ConsolePageOptions): string {
  const nonce = escapeHtml(options.nonce);
  const config: ConsoleConfig = {
    managementBase: options.managementBase,
    apiVersion: options.apiVersion,
    stateUrl: options.stateUrl,
    resetUrl: options.resetUrl ?? '/lab/reset',
    policyUrl: options.policyUrl ?? '/lab/effective-policy',
    echoApi: ECHO_API_ID,
    adminUser: ADMIN_USER,
  };
  const data = (Object.keys(CONFIG_ATTRIBUTES) as (keyof ConsoleConfig)[]).map((name) => `data-${CONFIG_ATTRIBUTES[name]}="${escapeHtml(config[name])}"`).join(' ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Test console - APIM troubleshooting lab</title>
<link rel="icon" href="data:,">
<style nonce="${nonce}">${CONSOLE_CSS}</style>
</head>
<body ${data}>
<a class="skip" href="#console">Skip to the test console</a>
<header class="top">
  <h1>APIM test console <span>The troubleshooting series: a blank response, a SOAP 404, 401s, slow calls and a fake 429, 403s and 429s</span></h1>
  <p>This page fills in a request the way the 2018 developer and publisher portal's test console did: the operation's header definitions with their default values, its sample body, the administrator's key. It shows where every header value came from and how long each call took, so you can see why each scenario fails, and fix it with the buttons of <em>Lab state</em>.</p>
</header>

<section class="card" aria-labelledby="auth-title">
  <h2 id="auth-title">Connect</h2>
  <form id="token-form" class="token-form" novalidate>
    <label for="token">Management token</label>
    <input id="token" name="token" type="password" autocomplete="off" spellcheck="false" aria-describedby="token-help">
    <button type="submit" class="primary">Connect</button>
    <button type="button" id="token-forget">Forget</button>
  </form>
  <p id="token-help" class="help"><code>npm start</code> prints one; <code>npm run -s token</code> prints a fresh one. Paste it with or without <code>SharedAccessSignature</code>. It is kept in this page only (a reload asks for it again), and sent only to this app (its management API and the lab state).</p>
  <p id="token-status" class="msg" role="status" aria-live="polite"></p>
</section>

<div id="workspace" class="layout" hidden>
  <nav class="card" aria-labelledby="apis-title">
    <h2 id="apis-title">APIs</h2>
    <label for="api-select">API</label>
    <select id="api-select"></select>
    <p id="api-info" class="help"></p>
    <h3 id="ops-title">Operations</h3>
    <ul id="operation-list" class="ops" aria-labelledby="ops-title"></ul>
  </nav>

  <main id="console" class="card" tabindex="-1" aria-labelledby="op-title">
    <h2 id="op-title">Pick an operation</h2>
    <p id="op-description" class="help">The console fills in the request of the operation you pick: its URL, its parameters and its headers.</p>
    <p id="op-status" class="msg" role="status" aria-live="polite"></p>
    <div id="op-form" hidden>
      <div class="request-line"><span id="op-method" class="method"></span><code id="request-url"></code></div>
      <fieldset id="template-fieldset" hidden><legend>Template parameters</legend><div id="template-params" class="params"></div></fieldset>
      <fieldset id="query-fieldset" hidden><legend>Query parameters</legend><div id="query-params" class="params"></div></fieldset>
      <fieldset>
        <legend>Headers</legend>
        <table>
          <caption class="sr-only">Request headers, and where each value came from</caption>
          <thead><tr><th scope="col">Name</th><th scope="col">Value</th><th scope="col">Where the value came from</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
          <tbody id="headers-body"></tbody>
        </table>
        <div class="toolbar">
          <button type="button" id="add-header">Add header</button>
          <button type="button" id="reveal-keys" aria-pressed="false">Show keys</button>
        </div>
      </fieldset>
      <div id="body-field" hidden>
        <div id="representation-field" hidden>
          <label for="representation">Representation</label>
          <select id="representation"></select>
        </div>
        <label for="request-body">Request body</label>
        <textarea id="request-body" rows="5" spellcheck="false"></textarea>
      </div>
      <details>
        <summary>HTTP request</summary>
        <pre id="request-preview"></pre>
      </details>
      <div class="send-row">
        <button type="button" id="send" class="primary">Send</button>
        <label class="inline"><input type="checkbox" id="trace"> Trace the call</label>
        <span id="send-status" class="help" role="status" aria-live="polite"></span>
      </div>
    </div>
    <section id="effective-policy" aria-labelledby="policy-title" hidden>
      <h3 id="policy-title">Effective policy</h3>
      <p class="help">The policy documents of the service, the product, the API and the operation, composed with <code>&lt;base /&gt;</code> as the gateway runs them for a call with a subscription to the chosen product (APIM's <em>Calculate effective policy</em>).</p>
      <div class="send-row">
        <label class="inline" for="policy-product">Product</label>
        <select id="policy-product"></select>
        <button type="button" id="policy-calculate">Calculate effective policy</button>
      </div>
      <p id="policy-status" class="help" role="status" aria-live="polite"></p>
      <pre id="policy-xml" hidden></pre>
    </section>
    <section id="response" aria-labelledby="response-title" hidden>
      <h3 id="response-title">Response</h3>
      <p><span id="response-status" class="status"></span> <span id="response-time" class="help"></span></p>
      <div id="response-explain" class="explain" hidden></div>
      <h4>Response headers</h4>
      <pre id="response-headers"></pre>
      <h4>Response body</h4>
      <pre id="response-body"></pre>
      <div id="response-trace" hidden>
        <h4>Trace</h4>
        <p id="trace-status" class="help" role="status" aria-live="polite"></p>
        <ol id="trace-entries" class="trace"></ol>
      </div>
    </section>
  </main>

  <aside class="card" aria-labelledby="state-title">
    <h2 id="state-title" tabindex="-1">Lab state</h2>
    <p class="help">Each scenario of the troubleshooting series, what is wrong in the service's configuration, and a fix through the management API. <em>Reset</em> puts a scenario back to its broken state.</p>
    <p id="state-message" class="msg" role="status" aria-live="polite"></p>
    <div id="scenarios" class="scenarios"><p class="help">Not loaded yet.</p></div>
    <div class="toolbar"><button type="button" id="state-refresh">Refresh lab state</button></div>
    <details>
      <summary>How the 2018 test console filled in the headers</summary>
      <ol class="help">
        <li>Every request header of the operation's definition, with its default value. A definition that hard-codes <code>Ocp-Apim-Subscription-Key</code> sends that value, whatever the subscriptions are.</li>
        <li>Only when the operation defines no such header: the administrator's key of the first product that contains the API and that the administrator has an active subscription to.</li>
        <li>No such product: no key at all.</li>
      </ol>
    </details>
  </aside>
</div>
<script nonce="${nonce}">${consoleScript()}</script>
</body>
</html>
`;
}
