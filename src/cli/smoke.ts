import { INVALID_KEY_BODY, MISSING_KEY_BODY } from '../apim/gatewayResponses';
import { CONFIG_ATTRIBUTES } from '../lab/console/consoleConfig';
import { HARD_CODED_KEY, LAB_SUBSCRIPTIONS } from '../lab/seed';
import { authorizationOf, resetRemoteLab } from './remoteLab';

/**
 * Scenario 3 against a running lab, local or deployed, over HTTP only: both 401s,
 * the article's fix through the management API, the 200s, then the lab back to
 * its broken state. Each step passes or fails on its own; the restore runs
 * whenever the fix was started.
 */

export interface SmokeStep {
  name: string;
  ok: boolean;
  detail?: string;
}

export interface SmokeOptions {
  /** The app's base URL, e.g. https://func-apim-abc123.azurewebsites.net. */
  baseUrl: string;
  /** A management token (with or without `SharedAccessSignature `). */
  token: string;
  /** Called as each step ends. */
  onStep?: (step: SmokeStep) => void;
  /** How long a gateway check waits for a change to reach every instance. Default 15 s. */
  propagationMs?: number;
}

interface Answer {
  status: number;
  text: string;
}

class StepFailure extends Error {}

const OPERATIONS_WITH_THE_KEY = ['create-resource', 'retrieve-resource'];

export async function runSmoke(options: SmokeOptions): Promise<SmokeStep[]> {
  const steps: SmokeStep[] = [];
  const base = new URL(options.baseUrl);
  const propagationMs = options.propagationMs ?? 15_000;
  const authorization = authorizationOf(options.token);

  const call = async (path: string, init: RequestInit = {}): Promise<Answer> => {
    const response = await fetch(new URL(path, base), { ...init, redirect: 'manual' });
    return { status: response.status, text: await response.text() };
  };
  const step = async (name: string, run: () => Promise<string | void>): Promise<boolean> => {
    let result: SmokeStep;
    try {
      const detail = await run();
      result = { name, ok: true, ...(detail ? { detail } : {}) };
    } catch (error) {
      result = { name, ok: false, detail: error instanceof Error ? error.message : String(error) };
    }
    steps.push(result);
    options.onStep?.(result);
    return result.ok;
  };
  const expectAnswer = (answer: Answer, status: number, body?: string) => {
    if (answer.status !== status || (body !== undefined && answer.text !== body)) {
      throw new StepFailure(`expected ${status}${body === undefined ? '' : ` ${body}`}, got ${answer.status} ${answer.text.slice(0, 300)}`);
    }
  };
  /** Gateway checks after a write: other instances see it within their poll interval. */
  const eventually = async (check: () => Promise<void>) => {
    const deadline = Date.now() + propagationMs;
    for (;;) {
      try {
        return await check();
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  };

  const echo = '/echo/resource?param1=sample';
  const missing = () => eventually(async () => expectAnswer(await call(echo), 401, MISSING_KEY_BODY.toString('utf8')));
  const invalid = () =>
    eventually(async () => expectAnswer(await call(echo, { headers: { 'Ocp-Apim-Subscription-Key': HARD_CODED_KEY } }), 401, INVALID_KEY_BODY.toString('utf8')));

  let management = '';
  let apiVersion = '';
  const manage = (method: string, path: string, body?: unknown) =>
    call(`${management}${path}?api-version=${encodeURIComponent(apiVersion)}`, {
      method,
      headers: { Authorization: authorization, 'Content-Type': 'application/json', ...(method === 'PATCH' ? { 'If-Match': '*' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  const found = await step('the lab console names the management API (GET /lab)', async () => {
    const page = await call('/lab');
    expectAnswer(page, 200);
    management = htmlAttribute(page.text, `data-${CONFIG_ATTRIBUTES.managementBase}`) ?? '';
    apiVersion = htmlAttribute(page.text, `data-${CONFIG_ATTRIBUTES.apiVersion}`) ?? '';
    if (!management.startsWith('/') || !apiVersion) throw new StepFailure('the page carries no management base path or api-version');
    return management;
  });
  if (!found) return steps;

  await step('401 missing subscription key, without a key', missing);
  await step('401 invalid subscription key, with the hard-coded key', invalid);

  let key = '';
  const fixed =
    (await step(`fix: the hard-coded header removed from ${OPERATIONS_WITH_THE_KEY.join(', ')}`, async () => {
      for (const operation of OPERATIONS_WITH_THE_KEY) {
        expectAnswer(await manage('PATCH', `/apis/echo-api/operations/${operation}`, { properties: { request: { headers: [] } } }), 200);
      }
    })) &&
    (await step('fix: the Echo API added to the Starter product', async () => {
      const linked = await manage('PUT', '/products/starter/apis/echo-api');
      if (linked.status !== 200 && linked.status !== 201) expectAnswer(linked, 201);
    })) &&
    (await step("the administrator's Starter key (listSecrets)", async () => {
      const secrets = await manage('POST', `/subscriptions/${LAB_SUBSCRIPTIONS.starter}/listSecrets`);
      expectAnswer(secrets, 200);
      key = (JSON.parse(secrets.text) as { primaryKey?: string }).primaryKey ?? '';
      if (!key) throw new StepFailure('listSecrets returned no primaryKey');
    }));

  if (fixed) {
    await step('200 GET /echo/resource with the Starter key', () =>
      eventually(async () => expectAnswer(await call(echo, { headers: { 'Ocp-Apim-Subscription-Key': key } }), 200)),
    );
    await step('200 POST /echo/resource with the Starter key, body echoed', () =>
      eventually(async () => {
        const body = '{"smoke":true}';
        expectAnswer(await call('/echo/resource', { method: 'POST', body, headers: { 'Ocp-Apim-Subscription-Key': key, 'Content-Type': 'application/json' } }), 200, body);
      }),
    );
  }

  const restored = await step('restore: the lab reset to its broken state (POST /lab/reset)', async () => {
    const state = await resetRemoteLab(base.href, options.token);
    if (state.status !== 'broken') throw new StepFailure(`the lab says ${state.status} after the reset`);
  });
  if (restored) {
    await step('401 missing subscription key again, after the restore', missing);
    await step('401 invalid subscription key again, after the restore', invalid);
  }
  return steps;
}

/** The value of the first `name="..."` attribute in `html`, unescaped. */
function htmlAttribute(html: string, name: string): string | undefined {
  const value = new RegExp(`\\s${name}="([^"]*)"`).exec(html)?.[1];
  return value?.replace(/&(quot|#39|lt|gt|amp);/g, (_, entity: string) => ({ quot: '"', '#39': "'", lt: '<', gt: '>', amp: '&' })[entity]!);
}
