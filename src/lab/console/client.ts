/**
 * The test console's script, inlined into the page under the CSP nonce. Plain
 * DOM, no framework, no build step. Data from the app reaches the DOM only as
 * text (`textContent`, `value`, `setAttribute`), never as markup.
 *
 * Kept as a raw string (no backticks or dollar-brace in it): the script must ship
 * inside dist/ and in the deployed package, where src/ is excluded.
 */
export const CONSOLE_SCRIPT = String.raw`
(function () {
  'use strict';

  var TOKEN_STORAGE = 'apim-lab.management-token';
  var DEFAULT_KEY_HEADER = 'Ocp-Apim-Subscription-Key';
  var MAX_BODY_SHOWN = 200000;
  /** Names a page may not set: the browser drops them from fetch silently. */
  var FORBIDDEN_HEADER = /^(accept-charset|accept-encoding|access-control-request-.*|connection|content-length|cookie2?|date|dnt|expect|host|keep-alive|origin|referer|set-cookie|te|trailer|transfer-encoding|upgrade|via|proxy-.*|sec-.*)$/i;

  var cfg = document.body.dataset;
  var config = {
    managementBase: cfg.managementBase || '',
    apiVersion: cfg.apiVersion || '2024-05-01',
    stateUrl: cfg.stateUrl || '/lab/state',
    echoApi: cfg.echoApi || 'echo-api',
    adminUser: cfg.adminUser || '/users/1',
    fixProduct: cfg.fixProduct || 'starter'
  };

  var state = {
    auth: null,
    apis: [],
    api: null,
    operations: [],
    operation: null,
    key: null,
    rows: [],
    templateValues: {},
    queryValues: {},
    reveal: false,
    lastResponse: null,
    lab: null,
    selectSeq: 0,
    /** Debug tokens by API name: { token, until } (ms). */
    debugTokens: {}
  };
  var DEBUG_HEADER = 'Apim-Debug-Authorization';
  var TRACE_ID_HEADER = 'apim-trace-id';

  function $(id) { return document.getElementById(id); }

  /** An element with attributes and children; strings become text nodes, never markup. */
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (name) {
        var value = attrs[name];
        if (value === null || value === undefined || value === false) return;
        if (name === 'text') node.textContent = String(value);
        else node.setAttribute(name, value === true ? '' : String(value));
      });
    }
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) return;
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return node;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function say(id, text, kind) {
    var node = $(id);
    node.textContent = text || '';
    node.classList.remove('error', 'ok');
    if (kind) node.classList.add(kind);
  }

  function same(a, b) { return String(a || '').toLowerCase() === String(b || '').toLowerCase(); }

  /** First 4 characters, then dots: what a key looks like on screen until "Show keys". */
  function mask(value) {
    if (!value) return '';
    var dots = Math.min(Math.max(value.length - 4, 4), 28);
    return value.slice(0, 4) + new Array(dots + 1).join('\u2022');
  }

  // ---- the management token ---------------------------------------------------

  /** The Authorization header value for what was pasted: a token, or a whole banner line. */
  function authorizationOf(raw) {
    var text = String(raw || '').trim().replace(/^authorization\s*:\s*/i, '').trim();
    if (!text) return null;
    if (/^(SharedAccessSignature|Bearer)\s+\S/i.test(text)) return text;
    return 'SharedAccessSignature ' + text;
  }

  /** The token's expiry (long form ex=..., or the short form's yyyyMMddHHmm), or null when unreadable. */
  function expiryOf(auth) {
    var token = auth.replace(/^(Bearer\s+)?(SharedAccessSignature\s+)?/i, '');
    var long = /(?:^|&)ex=([^&]+)/.exec(token);
    if (long) {
      var text = decodeURIComponent(long[1]);
      var m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)/.exec(text);
      var date = m ? new Date(m[1] + 'Z') : null;
      return date && !isNaN(date.getTime()) ? date : null;
    }
    var short = /^[^&]+&(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})&/.exec(token);
    if (short) return new Date(Date.UTC(+short[1], +short[2] - 1, +short[3], +short[4], +short[5]));
    return null;
  }

  var EXPIRED = 'The management token has expired. Get a new one with npm run -s token (or restart npm start) and paste it here.';

  function authProblem(message) {
    var lower = String(message || '').toLowerCase();
    if (lower.indexOf('expired') >= 0) return EXPIRED;
    if (lower.indexOf('not configured') >= 0) return 'The app has no management keys configured (MANAGEMENT_PRIMARY_KEY), so it refuses every token.';
    if (lower.indexOf('missing credentials') >= 0) return 'Paste a management token first.';
    return 'The management API refused this token: ' + message + ' Get a new one with npm run -s token.';
  }

  function ConsoleError(message, status, code) {
    this.name = 'ConsoleError';
    this.message = message;
    this.status = status || 0;
    this.code = code || '';
  }
  ConsoleError.prototype = Object.create(Error.prototype);

  /** The token stopped working: say so where the learner pastes it, keep the rest of the page. */
  function tokenRefused(message) {
    state.auth = null;
    try { sessionStorage.removeItem(TOKEN_STORAGE); } catch (e) { /* storage off */ }
    say('token-status', message, 'error');
    $('token').focus();
  }

  // ---- calls to the app -------------------------------------------------------

  function managementUrl(path) {
    return config.managementBase + path + (path.indexOf('?') < 0 ? '?' : '&') + 'api-version=' + encodeURIComponent(config.apiVersion);
  }

  /** A same-origin call with the token; JSON in and out; ARM errors become ConsoleErrors. */
  async function authorized(method, url, body, headers) {
    if (!state.auth) throw new ConsoleError('Paste a management token first.', 401, 'Unauthorized');
    var expiry = expiryOf(state.auth);
    if (expiry && expiry.getTime() <= Date.now()) {
      tokenRefused(EXPIRED);
      throw new ConsoleError(EXPIRED, 401, 'Unauthorized');
    }
    var init = { method: method, headers: { Authorization: state.auth, Accept: 'application/json' }, cache: 'no-store', credentials: 'omit' };
    Object.keys(headers || {}).forEach(function (name) { init.headers[name] = headers[name]; });
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers['Content-Type'] = 'application/json';
    }
    var response;
    try {
      response = await fetch(url, init);
    } catch (error) {
      throw new ConsoleError('Could not reach the app (' + (error && error.message) + '). Is npm start still running?');
    }
    var text = await response.text();
    var data = null;
    if (text) {
      try { data = JSON.parse(text); } catch (e) { data = null; }
    }
    if (!response.ok) {
      var err = data && data.error ? data.error : {};
      var message = err.message || text || ('HTTP ' + response.status);
      if (response.status === 401) {
        var problem = authProblem(message);
        tokenRefused(problem);
        throw new ConsoleError(problem, 401, err.code || 'Unauthorized');
      }
      throw new ConsoleError(message + (err.code ? ' (' + err.code + ', HTTP ' + response.status + ')' : ' (HTTP ' + response.status + ')'), response.status, err.code);
    }
    return data;
  }

  function manage(method, path, body, headers) { return authorized(method, managementUrl(path), body, headers); }

  /** Every item of a list, following nextLink (same origin only). */
  async function listAll(path) {
    var items = [];
    var url = managementUrl(path);
    for (var page = 0; url && page < 100; page++) {
      var data = await authorized('GET', url);
      items = items.concat((data && data.value) || []);
      if (data && data.nextLink) {
        var next = new URL(data.nextLink, location.href);
        url = next.pathname + next.search;
      } else {
        url = null;
      }
    }
    return items;
  }

  function seg(text) { return encodeURIComponent(text); }
  function odata(text) { return "'" + String(text).replace(/'/g, "''") + "'"; }

  // ---- connect ----------------------------------------------------------------

  async function connect(raw) {
    var auth = authorizationOf(raw);
    if (!auth) {
      say('token-status', 'Paste a management token first.', 'error');
      $('token').focus();
      return;
    }
    var expiry = expiryOf(auth);
    if (expiry && expiry.getTime() <= Date.now()) {
      tokenRefused(EXPIRED);
      return;
    }
    state.auth = auth;
    say('token-status', 'Connecting...');
    try {
      await loadApis();
    } catch (error) {
      if (error.status !== 401) say('token-status', 'Could not list the APIs: ' + error.message, 'error');
      return;
    }
    try { sessionStorage.setItem(TOKEN_STORAGE, auth); } catch (e) { /* storage off: the token lives in this page only */ }
    say('token-status', 'Connected' + (expiry ? '; the token is valid until ' + expiry.toLocaleString() : '') + '.', 'ok');
    $('workspace').hidden = false;
    await Promise.all([loadLabState(), selectApi($('api-select').value)]);
  }

  function forget() {
    state.auth = null;
    try { sessionStorage.removeItem(TOKEN_STORAGE); } catch (e) { /* nothing stored */ }
    $('token').value = '';
    $('workspace').hidden = true;
    say('token-status', 'Token forgotten.');
    $('token').focus();
  }

  // ---- APIs and operations ----------------------------------------------------

  async function loadApis() {
    state.apis = await listAll('/apis');
    var select = $('api-select');
    var previous = state.api ? state.api.name : null;
    clear(select);
    state.apis.forEach(function (api) {
      select.appendChild(el('option', { value: api.name, text: api.properties.displayName + ' (/' + api.properties.path + ')' }));
    });
    var wanted = [previous, config.echoApi].filter(function (id) {
      return id && state.apis.some(function (api) { return api.name === id; });
    })[0];
    if (wanted) select.value = wanted;
    if (!state.apis.length) say('op-status', 'The service has no APIs. Run npm run lab:reset to seed the lab again.', 'error');
  }

  function keyHeaderOf(api) {
    var names = api && api.properties.subscriptionKeyParameterNames;
    return (names && names.header) || DEFAULT_KEY_HEADER;
  }

  async function selectApi(apiId) {
    var api = state.apis.filter(function (a) { return a.name === apiId; })[0] || null;
    state.api = api;
    state.operation = null;
    state.operations = [];
    renderOperations();
    showOperation();
    if (!api) return;
    var p = api.properties;
    $('api-info').textContent = 'Path /' + p.path + '; ' + (p.subscriptionRequired ? 'subscription required' : 'no subscription required') + '; key header ' + keyHeaderOf(api) + '.';
    try {
      state.operations = await listAll('/apis/' + seg(api.name) + '/operations');
      if (state.api !== api) return;
      renderOperations();
      renderLabState(); // its buttons name operations by display name
    } catch (error) {
      say('op-status', 'Could not list the operations: ' + error.message, 'error');
    }
  }

  function methodBadge(method) {
    return el('span', { 'class': 'method m-' + String(method).toLowerCase(), text: method });
  }

  function renderOperations() {
    var list = $('operation-list');
    clear(list);
    state.operations.forEach(function (op) {
      var current = state.operation && state.operation.name === op.name;
      var button = el('button', { type: 'button', 'aria-current': current ? 'true' : null, 'data-operation': op.name }, [
        methodBadge(op.properties.method),
        el('span', { text: op.properties.displayName })
      ]);
      button.addEventListener('click', function () { selectOperation(op.name); });
      list.appendChild(el('li', null, [button]));
    });
  }

  /**
   * The administrator's key as the 2018 console found it: the products that contain
   * the API, the administrator's active subscriptions to them, the first one's
   * primary key. Otherwise no key, and why.
   */
  async function resolveAdminKey(api) {
    var products = await listAll('/apis/' + seg(api.name) + '/products');
    if (!products.length) {
      return { value: '', kind: 'nokey', source: 'no product contains this API: no key', products: products };
    }
    for (var i = 0; i < products.length; i++) {
      var product = products[i];
      var filter = 'ownerId eq ' + odata(config.adminUser) + ' and state eq ' + odata('active') + ' and productId eq ' + odata(product.name);
      var subscriptions = await listAll('/subscriptions?$filter=' + encodeURIComponent(filter));
      if (subscriptions.length) {
        var secrets = await manage('POST', '/subscriptions/' + seg(subscriptions[0].name) + '/listSecrets');
        return {
          value: secrets.primaryKey,
          kind: 'adminkey',
          source: "administrator's key for product " + product.properties.displayName,
          detail: 'subscription ' + subscriptions[0].name + ', primary key',
          products: products
        };
      }
    }
    var names = products.map(function (p) { return p.properties.displayName; }).join(', ');
    return { value: '', kind: 'nokey', source: 'the administrator has no active subscription to ' + names + ': no key', products: products };
  }

  /** The headers the portal pre-filled: the operation's definitions, then (if none is the key header) the administrator's key. */
  function initialRows(op, api, key) {
    var keyHeader = keyHeaderOf(api);
    var rows = ((op.properties.request && op.properties.request.headers) || []).map(function (h) {
      var value = h.defaultValue != null ? String(h.defaultValue) : '';
      var isKey = same(h.name, keyHeader);
      if (isKey && value) return { name: h.name, value: value, kind: 'hardcoded', source: "from the operation's definition: hard-coded" };
      if (isKey) return { name: h.name, value: '', kind: 'nokey', source: "from the operation's definition, without a value: the administrator's key is not used" };
      return { name: h.name, value: value, kind: 'definition', source: "from the operation's definition" + (value ? ' (default value)' : '') };
    });
    var defined = rows.some(function (r) { return same(r.name, keyHeader); });
    if (!defined) rows.push({ name: keyHeader, value: key.value, kind: key.kind, source: key.source, detail: key.detail });
    return rows;
  }

  async function selectOperation(operationId, options) {
    var api = state.api;
    if (!api) return;
    var seq = ++state.selectSeq;
    // A response that arrives while this loads is newer than the selection: keep it shown.
    var responsesAtStart = state.responses || 0;
    say('op-status', 'Loading the operation...');
    try {
      var results = await Promise.all([
        manage('GET', '/apis/' + seg(api.name) + '/operations/' + seg(operationId)),
        resolveAdminKey(api)
      ]);
      if (seq !== state.selectSeq) return;
      var op = results[0];
      state.operation = op;
      state.key = results[1];
      state.rows = initialRows(op, api, state.key);
      state.templateValues = {};
      state.queryValues = {};
      (op.properties.templateParameters || []).forEach(function (p) { state.templateValues[p.name] = p.defaultValue != null ? String(p.defaultValue) : ''; });
      ((op.properties.request && op.properties.request.queryParameters) || []).forEach(function (p) { state.queryValues[p.name] = p.defaultValue != null ? String(p.defaultValue) : ''; });
      say('op-status', (options && options.reloaded) ? 'Reloaded with the current definition and products.' : '');
      var productNames = state.key.products.map(function (p) { return p.properties.displayName; });
      $('api-info').textContent = 'Path /' + api.properties.path + '; key header ' + keyHeaderOf(api) + '; products: ' + (productNames.length ? productNames.join(', ') : 'none') + '.';
      renderOperations();
      showOperation();
      if (!(options && options.keepResponse) && (state.responses || 0) === responsesAtStart) {
        state.lastResponse = null;
        $('response').hidden = true;
      }
    } catch (error) {
      if (seq === state.selectSeq) say('op-status', 'Could not load the operation: ' + error.message, 'error');
    }
  }

  // ---- the request form -------------------------------------------------------

  function showOperation() {
    var op = state.operation;
    $('op-form').hidden = !op;
    if (!op) {
      $('op-title').textContent = 'Pick an operation';
      $('op-description').textContent = 'The console fills in the request of the operation you pick: its URL, its parameters and its headers.';
      $('response').hidden = true;
      return;
    }
    var p = op.properties;
    $('op-title').textContent = p.displayName;
    $('op-description').textContent = p.description || '';
    var badge = $('op-method');
    badge.className = 'method m-' + String(p.method).toLowerCase();
    badge.textContent = p.method;
    renderParams('template-params', 'template-fieldset', p.templateParameters || [], state.templateValues, 'tp');
    renderParams('query-params', 'query-fieldset', (p.request && p.request.queryParameters) || [], state.queryValues, 'qp');
    var hasBody = !/^(GET|HEAD)$/i.test(p.method);
    $('body-field').hidden = !hasBody;
    if (!hasBody) $('request-body').value = '';
    renderHeaders();
    updatePreview();
  }

  function renderParams(containerId, fieldsetId, params, values, prefix) {
    var box = $(containerId);
    clear(box);
    $(fieldsetId).hidden = params.length === 0;
    params.forEach(function (param, i) {
      var id = prefix + '-' + i;
      var label = el('label', { 'for': id }, [param.name, param.required ? el('span', { 'class': 'req', text: ' (required)' }) : null]);
      var input = el('input', { id: id, type: 'text', spellcheck: 'false', autocomplete: 'off', 'aria-describedby': param.description ? id + '-help' : null });
      input.value = values[param.name] || '';
      input.addEventListener('input', function () { values[param.name] = input.value; updatePreview(); });
      var help = param.description ? el('span', { id: id + '-help', 'class': 'help', text: param.description }) : null;
      box.appendChild(el('div', null, [label, input, help]));
    });
  }

  function isSecret(row) { return state.api && same(row.name, keyHeaderOf(state.api)) && row.value !== ''; }

  function renderHeaders() {
    var body = $('headers-body');
    clear(body);
    state.rows.forEach(function (row, i) {
      var n = i + 1;
      var name = el('input', { type: 'text', spellcheck: 'false', autocomplete: 'off', 'aria-label': 'Header ' + n + ' name' });
      name.value = row.name;
      var masked = isSecret(row) && !state.reveal;
      var value = el('input', {
        type: 'text', spellcheck: 'false', autocomplete: 'off',
        'aria-label': 'Header ' + n + ' value' + (masked ? ' (key hidden: press Show keys to see or edit it)' : ''),
        readonly: masked,
        'data-header': row.name
      });
      value.value = masked ? mask(row.value) : row.value;
      function edited() {
        row.kind = 'user';
        row.source = 'edited by you';
        row.detail = null;
        sourceCell.replaceChildren.apply(sourceCell, sourceContent(row));
        updatePreview();
      }
      name.addEventListener('input', function () { row.name = name.value; edited(); });
      value.addEventListener('input', function () { if (!value.readOnly) { row.value = value.value; edited(); } });
      var sourceCell = el('td', { 'class': 'source' }, sourceContent(row));
      var remove = el('button', { type: 'button', 'aria-label': 'Remove header ' + (row.name || n), text: 'Remove' });
      remove.addEventListener('click', function () {
        state.rows.splice(i, 1);
        renderHeaders();
        updatePreview();
        $('add-header').focus();
      });
      body.appendChild(el('tr', null, [el('td', { 'class': 'name' }, [name]), el('td', { 'class': 'value' }, [value]), sourceCell, el('td', null, [remove])]));
    });
    if (!state.rows.length) body.appendChild(el('tr', null, [el('td', { colspan: '4', 'class': 'help', text: 'No headers.' })]));
  }

  function sourceContent(row) {
    var parts = [el('span', { 'class': 'src src-' + row.kind, text: row.source })];
    if (row.detail) parts.push(el('span', { 'class': 'notsent', text: row.detail }));
    if (!row.name.trim() || row.value === '') parts.push(el('span', { 'class': 'notsent', text: 'empty: not sent' }));
    else if (FORBIDDEN_HEADER.test(row.name.trim())) parts.push(el('span', { 'class': 'notsent', text: 'a browser may not set this header: not sent' }));
    return parts;
  }

  /** URL and headers of the request as it will be sent. */
  function buildRequest() {
    var op = state.operation.properties;
    var template = String(op.urlTemplate || '/');
    var q = template.indexOf('?');
    var pathPart = q < 0 ? template : template.slice(0, q);
    var queryPart = q < 0 ? '' : template.slice(q + 1);
    var values = state.templateValues;
    var path = pathPart.replace(/\{(\*?)([^{}]+)\}/g, function (all, star, name) {
      var value = values[name] || '';
      return star ? value.split('/').map(encodeURIComponent).join('/') : encodeURIComponent(value);
    });
    var pairs = [];
    queryPart.split('&').forEach(function (pair) {
      if (!pair) return;
      var eq = pair.indexOf('=');
      var name = eq < 0 ? pair : pair.slice(0, eq);
      var raw = eq < 0 ? '' : pair.slice(eq + 1);
      var param = /^\{([^{}]+)\}$/.exec(raw);
      pairs.push(encodeURIComponent(name) + '=' + encodeURIComponent(param ? (values[param[1]] || '') : raw));
    });
    Object.keys(state.queryValues).forEach(function (name) {
      var value = state.queryValues[name];
      if (value !== '') pairs.push(encodeURIComponent(name) + '=' + encodeURIComponent(value));
    });
    var apiPath = String(state.api.properties.path || '').replace(/^\/+|\/+$/g, '');
    var target = (apiPath ? '/' + apiPath : '') + (path.charAt(0) === '/' ? path : '/' + path) + (pairs.length ? '?' + pairs.join('&') : '');
    var headers = state.rows.filter(function (row) {
      return row.name.trim() !== '' && row.value !== '' && !FORBIDDEN_HEADER.test(row.name.trim());
    });
    return { method: op.method, target: target, url: location.origin + target, headers: headers };
  }

  function shown(row) { return isSecret(row) && !state.reveal ? mask(row.value) : row.value; }

  function updatePreview() {
    if (!state.operation) return;
    var request = buildRequest();
    $('request-url').textContent = request.url;
    var lines = [request.method + ' ' + request.target + ' HTTP/1.1', 'Host: ' + location.host];
    request.headers.forEach(function (row) { lines.push(row.name.trim() + ': ' + shown(row)); });
    if ($('trace').checked) lines.push(DEBUG_HEADER + ': (a debug token for this API, asked for when you send)');
    var body = $('request-body').value;
    $('request-preview').textContent = lines.join('\n') + (body && !$('body-field').hidden ? '\n\n' + body : '');
  }

  // ---- send -------------------------------------------------------------------

  var REASONS = { 200: 'OK', 201: 'Created', 204: 'No Content', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable' };

  async function send() {
    if (!state.operation) return;
    var request = buildRequest();
    var headers = new Headers();
    var problems = [];
    request.headers.forEach(function (row) {
      try { headers.append(row.name.trim(), row.value); } catch (error) { problems.push(row.name + ': ' + error.message); }
    });
    if (problems.length) {
      say('send-status', 'Not sent: invalid header ' + problems.join('; '), 'error');
      return;
    }
    var init = { method: request.method, headers: headers, cache: 'no-store', credentials: 'omit' };
    var bodyText = $('request-body').value;
    if (!$('body-field').hidden && bodyText !== '') init.body = bodyText;
    var sentKey = request.headers.filter(function (row) { return same(row.name.trim(), keyHeaderOf(state.api)); })[0] || null;
    var button = $('send');
    var tracing = $('trace').checked;
    var api = state.api;
    button.disabled = true;
    say('send-status', 'Sending...');
    try {
      if (tracing) headers.set(DEBUG_HEADER, await debugToken(api));
    } catch (error) {
      say('send-status', 'Not sent: no debug token for tracing. ' + (error && error.message || error), 'error');
      button.disabled = false;
      return;
    }
    var started = performance.now();
    try {
      var response = await fetch(request.url, init);
      var text = request.method.toUpperCase() === 'HEAD' ? '' : await response.text();
      showResponse(response, text, Math.round(performance.now() - started), sentKey);
      say('send-status', 'Done: HTTP ' + response.status + '.');
      if (tracing) await showTrace(response, api);
      else $('response-trace').hidden = true;
    } catch (error) {
      showFailure(error);
      say('send-status', 'The request failed.', 'error');
    } finally {
      button.disabled = false;
    }
  }

  function showResponse(response, text, ms, sentKey) {
    var headers = [];
    response.headers.forEach(function (value, name) { headers.push([name, value]); });
    state.lastResponse = {
      status: response.status,
      statusText: response.statusText || REASONS[response.status] || '',
      headers: headers,
      text: text,
      ms: ms,
      sentKey: sentKey,
      keyHeader: keyHeaderOf(state.api)
    };
    renderResponse(state.lastResponse);
  }

  /** The last response; the key header it echoes is masked like the request's until "Show keys". */
  function renderResponse(last) {
    state.responses = (state.responses || 0) + 1;
    $('response').hidden = false;
    var status = $('response-status');
    status.className = 'status s' + String(last.status).charAt(0);
    status.textContent = last.status + ' ' + last.statusText;
    $('response-time').textContent = last.ms + ' ms';
    var lines = last.headers.map(function (pair) {
      if (same(pair[0], TRACE_ID_HEADER) && pair[1].length > 40) return pair[0] + ': ' + pair[1].slice(0, 24) + '... (' + pair[1].length + ' characters: the sealed trace, shown below)';
      return pair[0] + ': ' + (same(pair[0], last.keyHeader) && !state.reveal ? mask(pair[1]) : pair[1]);
    });
    $('response-headers').textContent = lines.length ? lines.join('\n') : '(none)';
    var text = last.text;
    $('response-body').textContent = text ? (text.length > MAX_BODY_SHOWN ? text.slice(0, MAX_BODY_SHOWN) + '\n... (' + text.length + ' characters, cut)' : text) : '(no body)';
    explain(last.status, text, last.sentKey);
  }

  function showFailure(error) {
    state.lastResponse = null;
    $('response').hidden = false;
    var status = $('response-status');
    status.className = 'status s0';
    status.textContent = 'No response';
    $('response-time').textContent = '';
    $('response-headers').textContent = '';
    $('response-body').textContent = String(error && error.message || error);
    var box = $('response-explain');
    box.hidden = false;
    box.className = 'explain bad';
    box.replaceChildren(el('p', { text: 'The browser could not complete the call: is the app still running?' }));
  }

  /** Why this status, in terms of where the key came from, and the fix. */
  function explain(status, text, sentKey) {
    var box = $('response-explain');
    var keyHeader = keyHeaderOf(state.api);
    var paragraphs = [];
    var kind = 'info';
    var message = '';
    try { message = String(JSON.parse(text).message || ''); } catch (e) { message = ''; }
    if (status === 401 && /missing subscription key/i.test(message)) {
      kind = 'bad';
      paragraphs.push('401 "missing subscription key": the console sent no ' + keyHeader + ' header' + (state.key && state.key.kind === 'nokey' && !sentKey ? ', because ' + state.key.source + '.' : '.'));
      paragraphs.push('Fix: add the API to a product the administrator is subscribed to (in the lab: "Add Echo API to Starter" under Lab state), then pick the operation again.');
    } else if (status === 401 && /invalid subscription key/i.test(message)) {
      kind = 'bad';
      var from = sentKey ? sentKey.source : 'somewhere';
      paragraphs.push('401 "invalid subscription key": the console sent ' + keyHeader + ': ' + (sentKey ? shown(sentKey) : '') + ' (' + from + '). No active subscription has that key.');
      if (sentKey && sentKey.kind === 'hardcoded') {
        paragraphs.push("Fix: remove the hard-coded header from the operation's definition (Lab state), so that the console sends the administrator's key instead.");
      } else {
        paragraphs.push('Fix: send the key of an active subscription whose scope covers this API.');
      }
    } else if (status >= 200 && status < 300) {
      kind = 'ok';
      paragraphs.push('The gateway accepted the key (' + (sentKey ? sentKey.source : 'no key needed') + ') and forwarded the call. The echo backend answers with the request it received: the response headers are the headers the gateway forwarded, key included.');
    } else if (status === 404) {
      paragraphs.push('404: no operation of any API matches this method and URL. APIM answers 404 before it checks any key.');
    } else {
      box.hidden = true;
      return;
    }
    box.hidden = false;
    box.className = 'explain ' + kind;
    box.replaceChildren.apply(box, paragraphs.map(function (t) { return el('p', { text: t }); }));
  }

  // ---- tracing ---------------------------------------------------------------

  /** A debug token for the API (listDebugCredentials), reused until a few minutes before it expires. */
  async function debugToken(api) {
    var cached = state.debugTokens[api.name];
    if (cached && cached.until > Date.now()) return cached.token;
    var issued = await manage('POST', '/gateways/managed/listDebugCredentials', { credentialsExpireAfter: 'PT1H', apiId: '/apis/' + api.name, purposes: ['tracing'] });
    state.debugTokens[api.name] = { token: issued.token, until: Date.now() + 55 * 60 * 1000 };
    return issued.token;
  }

  /** The trace of a traced call (listTrace with its Apim-Trace-Id), or why there is none. */
  async function showTrace(response, api) {
    var box = $('response-trace');
    var list = $('trace-entries');
    box.hidden = false;
    clear(list);
    var traceId = response.headers.get(TRACE_ID_HEADER);
    if (!traceId) {
      var why = response.headers.get('apim-debug-authorization-wrongapi')
        ? 'No trace: the request reached no operation of ' + api.properties.displayName + ', the API the debug token is for.'
        : response.headers.get('apim-debug-authorization-expired')
          ? 'No trace: the debug token has expired. Send again for a new one.'
          : 'No trace: the gateway did not accept the debug token.';
      if (response.headers.get('apim-debug-authorization-expired')) delete state.debugTokens[api.name];
      say('trace-status', why, 'error');
      return;
    }
    say('trace-status', 'Reading the trace...');
    try {
      var trace = await manage('POST', '/gateways/managed/listTrace', { traceId: traceId });
      var groups = (trace && trace.traceEntries) || {};
      ['inbound', 'backend', 'outbound'].forEach(function (group) {
        (groups[group] || []).forEach(function (entry) {
          list.appendChild(el('li', {}, [el('strong', { text: group + ' \u00b7 ' + entry.source + ': ' }), document.createTextNode(traceLine(entry))]));
        });
      });
      say('trace-status', 'What the gateway decided, stage by stage (listTrace):');
    } catch (error) {
      say('trace-status', 'Could not read the trace: ' + (error && error.message || error), 'error');
    }
  }

  function traceLine(entry) {
    var data = entry.data || {};
    if (data.message) return data.message;
    if (data.request) return data.request.method + ' ' + data.request.url + (data.request.queryParameterNames.length ? ' (query: ' + data.request.queryParameterNames.join(', ') + ')' : '');
    if (entry.source === 'authorization') {
      return data.outcome === 'allowed'
        ? 'allowed' + (data.subscriptionId ? ', subscription ' + data.subscriptionId : '') + (data.productId ? ', product ' + data.productId : '')
        : 'refused (' + data.outcome + ')' + (data.subscriptionId ? ', subscription ' + data.subscriptionId + ' (' + data.subscriptionState + ')' : '');
    }
    if (entry.source === 'forward-request') return data.error ? 'backend call failed: ' + data.error : 'backend answered ' + data.status;
    return JSON.stringify(data);
  }

  // ---- lab state and fixes ----------------------------------------------------

  function operationName(operationId) {
    var op = state.api && state.api.name === config.echoApi
      ? state.operations.filter(function (o) { return o.name === operationId; })[0]
      : null;
    return op ? op.properties.displayName : operationId;
  }

  async function loadLabState() {
    try {
      state.lab = await authorized('GET', config.stateUrl);
      renderLabState();
    } catch (error) {
      say('state-message', 'Could not read the lab state: ' + error.message, 'error');
    }
  }

  function renderLabState() {
    var lab = state.lab;
    if (!lab) return;
    var badge = $('state-status');
    badge.textContent = lab.status;
    badge.className = 'badge ' + String(lab.status).split(' ')[0];
    var list = $('findings');
    clear(list);
    (lab.findings || []).forEach(function (finding) {
      var item = el('li', null, [el('p', { text: finding.message })]);
      if (finding.code === 'hardCodedKeyHeader' && finding.operationId) {
        item.appendChild(fixButton('Remove the hard-coded header from ' + operationName(finding.operationId), function () {
          return removeHardCodedHeader(config.echoApi, finding.operationId);
        }));
      } else if (finding.code === 'apiInNoProduct') {
        item.appendChild(fixButton('Add Echo API to Starter', addEchoApiToProduct));
      } else if (finding.code === 'noActiveAdminSubscription') {
        item.appendChild(el('p', { 'class': 'fixhint', text: "Fix: activate the administrator's subscription to one of these products (PATCH .../subscriptions/{sid} with state active), or add the API to Starter." }));
      } else if (finding.code === 'apiMissing') {
        item.appendChild(el('p', { 'class': 'fixhint', text: 'Fix: run npm run lab:reset, then reload this page.' }));
      }
      list.appendChild(item);
    });
    if (lab.status === 'fixed') {
      list.appendChild(el('li', { 'class': 'hint' }, [el('p', { text: "Fixed. Every operation of the Echo API now gets the administrator's key: pick one and Send for a 200." })]));
    }
    $('state-usable').textContent = 'Products of the Echo API the administrator is actively subscribed to: ' + ((lab.usableProducts || []).join(', ') || 'none') + '.';
  }

  /** Fixes run one after another, each seeing the state the previous one left. */
  var fixQueue = Promise.resolve();

  function fixButton(label, action) {
    var button = el('button', { type: 'button', 'class': 'fix', text: label });
    button.addEventListener('click', function () {
      button.disabled = true;
      say('state-message', 'Working: ' + label + '.');
      fixQueue = fixQueue.then(async function () {
        try {
          var done = await action();
          await afterFix(done);
        } catch (error) {
          button.disabled = false;
          say('state-message', label + ' failed: ' + error.message, 'error');
        }
      });
    });
    return button;
  }

  async function removeHardCodedHeader(apiId, operationId) {
    var api = state.apis.filter(function (a) { return a.name === apiId; })[0] || await manage('GET', '/apis/' + seg(apiId));
    var keyHeader = keyHeaderOf(api);
    var path = '/apis/' + seg(apiId) + '/operations/' + seg(operationId);
    var op = await manage('GET', path);
    var headers = ((op.properties.request && op.properties.request.headers) || []).filter(function (h) { return !same(h.name, keyHeader); });
    await manage('PATCH', path, { properties: { request: { headers: headers } } }, { 'If-Match': '*' });
    return 'Removed the hard-coded ' + keyHeader + ' header from ' + op.properties.displayName + '.';
  }

  async function addEchoApiToProduct() {
    await manage('PUT', '/products/' + seg(config.fixProduct) + '/apis/' + seg(config.echoApi));
    return 'Added the Echo API to the product ' + config.fixProduct + '.';
  }

  /** After a fix: the lab state again, and the picked operation filled in again from the new definition. */
  async function afterFix(message) {
    await loadLabState();
    if (state.operation && state.api) await selectOperation(state.operation.name, { keepResponse: true, reloaded: true });
    say('state-message', message + (state.operation ? ' The picked operation was filled in again: Send to see the difference.' : ''), 'ok');
    $('state-title').focus();
  }

  // ---- wiring -----------------------------------------------------------------

  $('token-form').addEventListener('submit', function (event) {
    event.preventDefault();
    connect($('token').value);
  });
  $('token-forget').addEventListener('click', forget);
  $('api-select').addEventListener('change', function () { selectApi($('api-select').value); });
  $('send').addEventListener('click', send);
  $('add-header').addEventListener('click', function () {
    state.rows.push({ name: '', value: '', kind: 'user', source: 'added by you' });
    renderHeaders();
    updatePreview();
    var inputs = $('headers-body').querySelectorAll('input');
    if (inputs.length >= 2) inputs[inputs.length - 2].focus();
  });
  $('reveal-keys').addEventListener('click', function () {
    state.reveal = !state.reveal;
    var button = $('reveal-keys');
    button.setAttribute('aria-pressed', String(state.reveal));
    renderHeaders();
    updatePreview();
    if (state.lastResponse) renderResponse(state.lastResponse);
  });
  $('request-body').addEventListener('input', updatePreview);
  $('trace').addEventListener('change', updatePreview);
  $('state-refresh').addEventListener('click', async function () {
    say('state-message', 'Refreshing...');
    await loadLabState();
    if (state.auth) say('state-message', 'Lab state refreshed.', 'ok');
  });

  var stored = null;
  try { stored = sessionStorage.getItem(TOKEN_STORAGE); } catch (e) { stored = null; }
  if (stored) {
    $('token').value = stored;
    connect(stored);
  }
})();
`;
