import { TRACE_ID_HEADER } from '../../../apim/headers';
import type { ConsoleContext } from './context';
import { byId, el, messageOf } from './dom';
import { keyHeaderOf, mask, sameName, shown } from './keys';
import type { HeaderRow, ShownResponse } from './types';

/** The response to a sent request, and why that status, in terms of where the key came from. */

const MAX_BODY_SHOWN = 200000;

const REASONS: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

export function showResponse(ctx: ConsoleContext, response: Response, text: string, ms: number, sentKey: HeaderRow | null): void {
  const headers: [string, string][] = [];
  response.headers.forEach((value, name) => headers.push([name, value]));
  ctx.state.lastResponse = {
    status: response.status,
    statusText: response.statusText || REASONS[response.status] || '',
    headers,
    text,
    ms,
    sentKey,
    keyHeader: keyHeaderOf(ctx.state.api),
  };
  renderResponse(ctx, ctx.state.lastResponse);
}

/** The last response; the key header it echoes is masked like the request's until "Show keys". */
export function renderResponse(ctx: ConsoleContext, last: ShownResponse): void {
  const { state } = ctx;
  state.responses += 1;
  byId('response').hidden = false;
  const status = byId('response-status');
  status.className = `status s${String(last.status).charAt(0)}`;
  status.textContent = `${last.status} ${last.statusText}`;
  byId('response-time').textContent = `${last.ms} ms`;
  const lines = last.headers.map(([name, value]) => {
    if (sameName(name, TRACE_ID_HEADER) && value.length > 40) return `${name}: ${value.slice(0, 24)}... (${value.length} characters: the sealed trace, shown below)`;
    return `${name}: ${sameName(name, last.keyHeader) && !state.reveal ? mask(value) : value}`;
  });
  byId('response-headers').textContent = lines.length ? lines.join('\n') : '(none)';
  const text = last.text;
  byId('response-body').textContent = text ? (text.length > MAX_BODY_SHOWN ? `${text.slice(0, MAX_BODY_SHOWN)}\n... (${text.length} characters, cut)` : text) : '(no body)';
  explain(ctx, last);
}

export function showFailure(ctx: ConsoleContext, error: unknown): void {
  ctx.state.lastResponse = null;
  byId('response').hidden = false;
  const status = byId('response-status');
  status.className = 'status s0';
  status.textContent = 'No response';
  byId('response-time').textContent = '';
  byId('response-headers').textContent = '';
  byId('response-body').textContent = messageOf(error);
  const box = byId('response-explain');
  box.hidden = false;
  box.className = 'explain bad';
  box.replaceChildren(el('p', { text: 'The browser could not complete the call: is the app still running?' }));
}

/** A call that took longer than this is pointed out as slow. */
const SLOW_MS = 2000;

/** Why this status, in terms of where the key came from and what the lab's scenarios teach, and the fix. */
function explain(ctx: ConsoleContext, last: ShownResponse): void {
  const { state } = ctx;
  const { status, text, sentKey } = last;
  const box = byId('response-explain');
  const keyHeader = keyHeaderOf(state.api);
  const paragraphs: string[] = [];
  let kind = 'info';
  let message = '';
  try {
    const parsed = (JSON.parse(text) as { message?: unknown }).message;
    message = typeof parsed === 'string' ? parsed : '';
  } catch {
    message = '';
  }
  const echo = state.api?.name === ctx.config.echoApi;
  const soap = state.api?.properties.type === 'soap';
  const method = state.operation?.properties.method ?? '';
  if (status === 401 && /missing subscription key/i.test(message)) {
    kind = 'bad';
    paragraphs.push(`401 "missing subscription key": the console sent no ${keyHeader} header${state.key && state.key.kind === 'nokey' && !sentKey ? `, because ${state.key.source}.` : '.'}`);
    paragraphs.push('Fix: add the API to a product the administrator is subscribed to (in the lab: "Add Echo API to Starter" under Lab state), then pick the operation again.');
  } else if (status === 401 && /invalid subscription key/i.test(message)) {
    kind = 'bad';
    const from = sentKey ? sentKey.source : 'somewhere';
    paragraphs.push(`401 "invalid subscription key": the console sent ${keyHeader}: ${sentKey ? shown(sentKey, state.api, state.reveal) : ''} (${from}). No active subscription has that key.`);
    if (sentKey && sentKey.kind === 'hardcoded') {
      paragraphs.push("Fix: remove the hard-coded header from the operation's definition (Lab state), so that the console sends the administrator's key instead.");
    } else {
      paragraphs.push('Fix: send the key of an active subscription whose scope covers this API.');
    }
  } else if (status >= 200 && status < 300) {
    kind = 'ok';
    if (echo) {
      paragraphs.push(
        `The gateway accepted the key (${sentKey ? sentKey.source : 'no key needed'}) and forwarded the call. The echo backend answers with the request it received: the response headers are the headers the gateway forwarded, key included.`,
      );
    } else if (status === 200 && text === '' && !/^HEAD$/i.test(method)) {
      kind = 'bad';
      paragraphs.push(
        "200 with an empty body: nothing came back from a backend. When an operation's effective backend section has no forward-request, the gateway calls no backend and answers 200 with nothing (scenario 1). Calculate the effective policy below, or trace the call.",
      );
    } else {
      paragraphs.push(`The gateway accepted the key (${sentKey ? sentKey.source : 'no key needed'}) and answered ${status}.`);
    }
  } else if (status === 404) {
    paragraphs.push('404: no operation of any API matches this method and URL. APIM answers 404 before it checks any key.');
    if (soap) {
      paragraphs.push(
        "This is a SOAP API: an operation is matched on its SOAP action, the SOAPAction header or the action of a SOAP 1.2 Content-Type. The console sends the SOAPAction header only when the operation's definition has one with a default value (scenario 2).",
      );
    }
  } else if (status === 403) {
    kind = 'bad';
    paragraphs.push('403 "Forbidden": a policy refused the call, such as an ip-filter that does not allow your address (scenario 5). Trace the call to see which element answered.');
  } else if (status === 429) {
    kind = 'bad';
    paragraphs.push(
      /rate limit is exceeded\. try again in/i.test(message)
        ? '429: a rate limit of the effective policy refused the call (scenario 5); wait the number of seconds it says, or look at the effective policy below.'
        : "429 without the gateway's rate-limit answer: a policy's return-response answered, whatever the backend did (scenario 4). Trace the call, or look at the effective policy below.",
    );
  } else if (status >= 500) {
    kind = 'bad';
    paragraphs.push(`${status}: the backend failed, or a policy did. Trace the call to see where the answer came from${soap ? ' (a SOAP fault in the body: the backend refused the request, such as a division by zero, scenario 2)' : ''}.`);
  }
  if (last.ms >= SLOW_MS) {
    paragraphs.push(`The call took ${last.ms} ms: the backend is slow (scenario 4). A cache-lookup and cache-store in the operation's policy answer repeated calls from the gateway's cache.`);
  }
  if (paragraphs.length === 0) {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  box.className = `explain ${kind}`;
  box.replaceChildren(...paragraphs.map((t) => el('p', { text: t })));
}
