import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSasToken } from '../../src/management';
import { FORBIDDEN_MESSAGE, INVALID_KEY_BODY, MISSING_KEY_BODY, NOT_FOUND_BODY } from '../../src/apim/gatewayResponses';
import { findChromium, launchChromium, type LaunchedBrowser } from '../helpers/browser';
import { uniqueTableName } from '../helpers/catalog';
import { labHostEnv, startHostProcess, type HostProcess } from '../helpers/localHost';
import { API_VERSION, LOCAL_SERVICE } from '../helpers/management';

/**
 * The lab's test console in a real Chromium, against the unchanged app on the
 * local host: a learner pastes the token, sees both 401s of scenario 3 and where
 * the key came from, fixes the lab with the page's buttons and gets the echo.
 * Then scenarios 1, 2, 4 and 5 the same way: the broken answer, the Lab state's
 * fix buttons, the healthy answer, and the scenario's reset button.
 * Set LAB_CONSOLE_SCREENSHOT=/tmp/x.png to keep screenshots: x.png (fixed, 200), x-401.png and one per scenario.
 */

const MISSING = MISSING_KEY_BODY.toString('utf8');
const INVALID = INVALID_KEY_BODY.toString('utf8');
const HARD_CODED_KEY = '68d312d9cf3b4b3ca07be5abacaf8fc9';
const KEY_HEADER = 'Ocp-Apim-Subscription-Key';
const PRIMARY = randomBytes(64).toString('base64');
const DOT = '\u2022';
const NOT_FOUND = NOT_FOUND_BODY.toString('utf8');
/** GetAllProducts' wait in the ProductStore backend of this host: long enough to tell from a cached answer. */
const PRODUCTSTORE_DELAY_MS = 1500;

const chromium = findChromium();

if (!chromium.available && !chromium.required) {
  console.warn(`lab console browser tests skipped: ${chromium.reason}`);
  describe('lab test console in a real browser', () => {
    it.skip(`skipped: ${chromium.reason}`, () => {});
  });
} else {
  describe('lab test console in a real browser', () => {
    let host: HostProcess;
    let browser: LaunchedBrowser;
    const token = () => createSasToken({ identifier: 'integration', key: PRIMARY, expiry: new Date(Date.now() + 3_600_000) });

    beforeAll(async () => {
      if (!chromium.available) throw new Error(`CI must run the browser tests: ${chromium.reason}`);
      [host, browser] = await Promise.all([
        startHostProcess({
          env: labHostEnv(
            uniqueTableName('console'),
            { primary: PRIMARY, secondary: randomBytes(64).toString('base64') },
            { WEBSITE_HOSTNAME: undefined, PRODUCTSTORE_DELAY_MS: String(PRODUCTSTORE_DELAY_MS) },
          ),
        }),
        launchChromium(chromium.executablePath),
      ]);
    });

    afterAll(async () => {
      await browser?.close();
      await host?.stop();
    });

    /** A page that records script errors and CSP violations: there must be none. */
    async function openConsole(): Promise<{ page: Page; problems: string[] }> {
      const page = await browser.context.newPage();
      page.setDefaultTimeout(8000);
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('console', (message) => {
        if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(`console: ${message.text()}`);
      });
      await page.goto(`${host.baseUrl}/lab`);
      return { page, problems };
    }

    /** A full-page PNG; kept only when LAB_CONSOLE_SCREENSHOT names a file (a suffix names the intermediate ones). */
    async function screenshot(page: Page, suffix = '') {
      const png = await page.screenshot({ fullPage: true });
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      const target = process.env.LAB_CONSOLE_SCREENSHOT;
      if (target) writeFileSync(suffix ? target.replace(/(\.png)?$/i, `${suffix}.png`) : target, png);
    }

    async function connect(page: Page, value: string) {
      await page.getByLabel('Management token').fill(value);
      await page.getByRole('button', { name: 'Connect' }).click();
    }

    const operation = (page: Page, name: string) => page.getByRole('button', { name, exact: true });
    const keyValue = (page: Page) => page.locator(`input[data-header="${KEY_HEADER}"]`);
    const keyRow = (page: Page) => page.locator('#headers-body tr', { has: keyValue(page) });

    async function send(page: Page, expectedBody: string | RegExp) {
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      await page.locator('#response-body', { hasText: expectedBody }).waitFor();
    }

    it('traces a call on request: the trace says why the hard-coded key is refused, and never shows a key', async () => {
      const { page, problems } = await openConsole();
      await connect(page, token());
      await page.locator('#token-status', { hasText: 'Connected' }).waitFor();
      await operation(page, 'GET Retrieve resource').click();
      await page.locator('#op-title', { hasText: 'Retrieve resource' }).waitFor();
      await page.getByLabel('Trace the call').check();
      expect(await page.locator('#request-preview').textContent()).toContain('Apim-Debug-Authorization: (a debug token');
      await send(page, INVALID);
      await page.locator('#trace-status', { hasText: 'stage by stage' }).waitFor();
      const entries = await page.locator('#trace-entries li').allTextContents();
      expect(entries.join('\n')).toContain("API 'echo-api' and operation 'retrieve-resource' matched.");
      expect(entries.join('\n')).toContain('A subscription key was found in the header.');
      expect(entries.join('\n')).toContain('The subscription key belongs to no subscription: 401 (invalid key).');
      expect(entries.join('\n')).not.toContain(HARD_CODED_KEY);
      expect(await page.locator('#response-headers').textContent()).toMatch(/apim-trace-id: trc1\.\S+\.\.\. \(\d+ characters/);
      await screenshot(page, '-trace');

      // Untraced again: no trace section, no debug header.
      await page.getByLabel('Trace the call').uncheck();
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      // The body is the same 401 as before: the trace section going away tells the new answer is shown.
      await page.locator('#response-trace').waitFor({ state: 'hidden' });
      expect(await page.locator('#response-body').textContent()).toBe(INVALID);
      expect(await page.locator('#response-headers').textContent()).not.toContain('apim-trace-id');
      expect(problems).toEqual([]);
      await page.close();
    });

    it('shows both 401s and where the key came from, fixes the lab with its buttons, then gets the echo', async () => {
      const { page, problems } = await openConsole();
      // The whole banner line may be pasted.
      await connect(page, `Authorization: SharedAccessSignature ${token()}`);
      await page.locator('#token-status', { hasText: 'Connected' }).waitFor();
      expect(await page.getByLabel('API', { exact: true }).inputValue()).toBe('echo-api');

      // Retrieve resource: the definition's hard-coded key is sent -> 401 invalid.
      await operation(page, 'GET Retrieve resource').click();
      await page.locator('#op-title', { hasText: 'Retrieve resource' }).waitFor();
      await keyRow(page).getByText("from the operation's definition: hard-coded").waitFor();
      expect(await keyValue(page).inputValue()).toBe(`68d3${DOT.repeat(28)}`);
      expect(await page.locator('#request-url').textContent()).toBe(`${host.baseUrl}/echo/resource?param1=sample`);
      expect(await page.getByLabel('param1').inputValue()).toBe('sample');
      await send(page, 'invalid subscription key');
      expect(await page.locator('#response-status').textContent()).toBe('401 Unauthorized');
      expect(await page.locator('#response-body').textContent()).toBe(INVALID);
      expect(await page.locator('#response-headers').textContent()).toContain('www-authenticate: AzureApiManagementKey');
      expect(await page.locator('#response-explain').textContent()).toContain('hard-coded');
      await screenshot(page, '-401');

      // Show keys: the value is the hard-coded key itself.
      await page.getByRole('button', { name: 'Show keys' }).click();
      expect(await keyValue(page).inputValue()).toBe(HARD_CODED_KEY);
      await page.getByRole('button', { name: 'Show keys' }).click();

      // Modify Resource: no definition, no product -> no key -> 401 missing.
      await operation(page, 'PUT Modify Resource').click();
      await page.locator('#op-title', { hasText: 'Modify Resource' }).waitFor();
      await keyRow(page).getByText('no product contains this API: no key').waitFor();
      expect(await keyValue(page).inputValue()).toBe('');
      await send(page, 'missing subscription key');
      expect(await page.locator('#response-body').textContent()).toBe(MISSING);

      // The lab state names both faults; fix them with its buttons.
      await page.locator('#scenario-3-status', { hasText: 'broken' }).waitFor();
      const fix = async (button: string, done: string) => {
        await page.getByRole('button', { name: button }).click();
        await page.locator('#state-message', { hasText: done }).waitFor();
      };
      await fix('Remove the hard-coded header from Retrieve resource', `Removed the hard-coded ${KEY_HEADER} header from Retrieve resource.`);
      await fix('Remove the hard-coded header from Create resource', `Removed the hard-coded ${KEY_HEADER} header from Create resource.`);
      await page.locator('#scenario-3-status', { hasText: 'partly fixed' }).waitFor();
      await fix('Add Echo API to Starter', 'Added the Echo API to the product starter.');
      await page.locator('#scenario-3-status', { hasText: /^fixed$/ }).waitFor();

      // Retrieve resource again: the administrator's Starter key -> 200, the echo.
      const secrets = await fetch(`${host.baseUrl}/management${LOCAL_SERVICE}/subscriptions/starter-admin/listSecrets?api-version=${API_VERSION}`, {
        method: 'POST',
        headers: { Authorization: `SharedAccessSignature ${token()}` },
      });
      const starterKey = ((await secrets.json()) as { primaryKey: string }).primaryKey;
      await operation(page, 'GET Retrieve resource').click();
      await keyRow(page).getByText("administrator's key for product Starter").waitFor();
      expect(await keyValue(page).inputValue()).toBe(`${starterKey.slice(0, 4)}${DOT.repeat(28)}`);
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      await page.locator('#response-status', { hasText: '200' }).waitFor();
      const echoed = await page.locator('#response-headers').textContent();
      expect(echoed).toContain(`ocp-apim-subscription-key: ${starterKey.slice(0, 4)}${DOT}`);
      expect(echoed).not.toContain(starterKey);
      expect(echoed).toMatch(/x-forwarded-for: 127\.0\.0\.1/);
      await page.getByRole('button', { name: 'Show keys' }).click();
      expect(await page.locator('#response-headers').textContent()).toContain(`ocp-apim-subscription-key: ${starterKey}`);

      await screenshot(page);

      // The token lives in the page's memory only: a reload asks for it again, and nothing of it is stored.
      await page.reload();
      await page.locator('#token').waitFor();
      expect(await page.locator('#token').inputValue()).toBe('');
      expect(await page.locator('#workspace').isHidden()).toBe(true);
      expect(await page.evaluate('[sessionStorage.length, localStorage.length]')).toEqual([0, 0]);
      await connect(page, token());
      await page.locator('#token-status', { hasText: 'Connected' }).waitFor();
      expect(problems).toEqual([]);
      await page.close();
    });

    it("calculates an operation's effective policy for a chosen product: Starter brings its quota, before the global document", async () => {
      const { page, problems } = await openConsole();
      await connect(page, token());
      await page.locator('#token-status', { hasText: 'Connected' }).waitFor();
      await operation(page, 'GET Retrieve resource').click();
      await page.locator('#op-title', { hasText: 'Retrieve resource' }).waitFor();
      const xml = page.locator('#policy-xml');

      // No product: the global document only, its GetComments rate limit and its forward-request.
      await page.locator('#policy-status', { hasText: 'with no product' }).waitFor();
      const global = (await xml.textContent()) ?? '';
      expect(global).toContain('<!-- global -->');
      expect(global).toContain('<rate-limit-by-key calls="1" renewal-period="10"');
      expect(global).toContain('<forward-request />');
      expect(global).not.toContain('quota');

      await page.getByLabel('Product', { exact: true }).selectOption({ label: 'Starter' });
      await page.locator('#policy-status', { hasText: 'with product starter' }).waitFor();
      const starter = (await xml.textContent()) ?? '';
      expect(starter).toContain('<!-- product starter -->\n    <quota calls="100" bandwidth="700" renewal-period="3600" />');
      // Starter's inbound puts its quota before <base />: before the global document's elements.
      expect(starter.indexOf('<quota')).toBeLessThan(starter.indexOf('<rate-limit-by-key'));
      expect(starter).toContain('<!-- global -->\n    <forward-request />');
      // Shown as text: the document's elements are not elements of the page.
      expect(await page.locator('#policy-xml *').count()).toBe(0);

      await page.getByLabel('Product', { exact: true }).selectOption({ label: 'Unlimited' });
      await page.locator('#policy-status', { hasText: 'with product unlimited' }).waitFor();
      expect(await xml.textContent()).not.toContain('quota');
      await screenshot(page, '-policy');
      expect(problems).toEqual([]);
      await page.close();
    });

    /** Connected, with an API picked. */
    async function openApi(apiId: string): Promise<{ page: Page; problems: string[] }> {
      const opened = await openConsole();
      await connect(opened.page, token());
      await opened.page.locator('#token-status', { hasText: 'Connected' }).waitFor();
      await opened.page.getByLabel('API', { exact: true }).selectOption(apiId);
      return opened;
    }

    async function pick(page: Page, button: string, title: string) {
      await operation(page, button).click();
      await page.locator('#op-title', { hasText: title }).waitFor();
      // The key row is filled in last: the form is complete.
      await keyRow(page).locator('.src').waitFor();
    }

    /** Sends the request as it stands; the response's status line, body and time. */
    async function sendNow(page: Page): Promise<{ status: string; body: string; ms: number }> {
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      await page.locator('#send-status', { hasText: /^(Done: HTTP \d+\.|The request failed\.)$/ }).waitFor();
      return {
        status: (await page.locator('#response-status').textContent()) ?? '',
        body: (await page.locator('#response-body').textContent()) ?? '',
        ms: Number(/^(\d+) ms$/.exec((await page.locator('#response-time').textContent()) ?? '')?.[1]),
      };
    }

    async function pressFix(page: Page, button: string, done: string | RegExp) {
      await page.getByRole('button', { name: button, exact: true }).click();
      await page.locator('#state-message', { hasText: done }).waitFor();
    }

    async function resetScenario(page: Page, n: number) {
      await page.getByRole('button', { name: `Reset scenario ${n}`, exact: true }).click();
      await page.locator('#state-message', { hasText: `Scenario ${n} is back to its broken state.` }).waitFor();
      await page.locator(`#scenario-${n}-status`, { hasText: 'broken' }).waitFor();
    }

    it('scenario 1: GetHeaders answers 200 with an empty body until its backend section forwards again', async () => {
      const { page, problems } = await openApi('blank-api');
      await pick(page, 'GET GetHeaders', 'GetHeaders');
      await keyRow(page).getByText("administrator's key for product Unlimited").waitFor();
      expect(await page.locator('#request-url').textContent()).toBe(`${host.baseUrl}/httpbin/headers`);
      expect(await sendNow(page)).toMatchObject({ status: '200 OK', body: '(no body)' });
      expect(await page.locator('#response-explain').textContent()).toContain('200 with an empty body');

      const finding = page.locator('[data-scenario="1"] .findings li').first();
      expect(await finding.textContent()).toContain('effective backend section has no forward-request');
      await page.locator('#scenario-1-status', { hasText: 'broken' }).waitFor();
      await pressFix(page, "Add <base /> to GetHeaders' backend section", 'Added <base /> to the backend section of operation getheaders of API blank-api');
      await page.locator('#scenario-1-status', { hasText: /^fixed$/ }).waitFor();
      const healthy = await sendNow(page);
      expect(healthy.status).toBe('200 OK');
      expect(JSON.parse(healthy.body).headers).toBeTypeOf('object');
      await screenshot(page, '-scenario1');

      await resetScenario(page, 1);
      expect(await sendNow(page)).toMatchObject({ status: '200 OK', body: '(no body)' });
      expect(problems).toEqual([]);
      await page.close();
    });

    it('scenario 2: Multiply answers 404 without its SOAPAction default, Divide 500 with its sample; the fixes make both 200', async () => {
      const { page, problems } = await openApi('calculator');
      const soapAction = page.locator('input[data-header="SOAPAction"]');
      const contentType = page.locator('input[data-header="Content-Type"]');

      // Add's definition has the SOAPAction header: the console fills in its default, and the sample body with its content type.
      await pick(page, 'POST Add', 'Add');
      expect(await soapAction.inputValue()).toBe('http://tempuri.org/Add');
      expect(await page.locator('#headers-body tr', { has: soapAction }).textContent()).toContain("from the operation's definition (default value)");
      expect(await contentType.inputValue()).toBe('application/soap+xml');
      expect(await page.locator('#headers-body tr', { has: contentType }).textContent()).toContain("from the operation's representation");
      expect(await page.getByLabel('Request body').inputValue()).toContain('<Add xmlns="http://tempuri.org/">');
      expect(await sendNow(page)).toMatchObject({ status: '200 OK', body: expect.stringContaining('<AddResult>2</AddResult>') });

      // Multiply's has none: no SOAPAction is sent, and no operation matches.
      await pick(page, 'POST Multiply', 'Multiply');
      expect(await soapAction.count()).toBe(0);
      expect(await page.getByLabel('Request body').inputValue()).toContain('<intA>10</intA>');
      expect(await sendNow(page)).toMatchObject({ status: '404 Not Found', body: NOT_FOUND });
      expect(await page.locator('#response-explain').textContent()).toContain('SOAP action');

      // Divide's sample divides by zero: the backend's SOAP fault.
      await pick(page, 'POST Divide', 'Divide');
      expect(await page.getByLabel('Request body').inputValue()).toContain('<intB>0</intB>');
      const fault = await sendNow(page);
      expect(fault.status).toBe('500 Internal Server Error');
      expect(fault.body).toContain('Attempted to divide by zero.');

      await page.locator('#scenario-2-status', { hasText: 'broken' }).waitFor();
      await pressFix(page, 'Add the SOAPAction header http://tempuri.org/Multiply to Multiply', "Multiply's definition has the SOAPAction header");
      await page.locator('#scenario-2-status', { hasText: 'partly fixed' }).waitFor();
      await pressFix(page, "Make Divide's sample divide by 1", "Divide's sample body has intB = 1 now");
      await page.locator('#scenario-2-status', { hasText: /^fixed$/ }).waitFor();

      // Divide was picked: it was filled in again from its new definition.
      expect(await page.getByLabel('Request body').inputValue()).toContain('<intB>1</intB>');
      expect(await sendNow(page)).toMatchObject({ status: '200 OK', body: expect.stringContaining('<DivideResult>1</DivideResult>') });
      await pick(page, 'POST Multiply', 'Multiply');
      expect(await soapAction.inputValue()).toBe('http://tempuri.org/Multiply');
      expect(await sendNow(page)).toMatchObject({ status: '200 OK', body: expect.stringContaining('<MultiplyResult>30</MultiplyResult>') });
      await screenshot(page, '-scenario2');

      await resetScenario(page, 2);
      expect(await soapAction.count()).toBe(0);
      expect(problems).toEqual([]);
      await page.close();
    });

    it("scenario 4: GetAllProducts' time, PutProduct's fake 429, DeleteProduct's 500; caching and removing the return-response", async () => {
      const { page, problems } = await openApi('productstore');
      await pick(page, 'GET Products_GetAllProducts', 'Products_GetAllProducts');
      const slow = await sendNow(page);
      expect(slow.status).toBe('200 OK');
      expect(slow.ms).toBeGreaterThanOrEqual(PRODUCTSTORE_DELAY_MS);

      // PutProduct: the template parameter {id} from its definition, the sample body as JSON.
      await pick(page, 'PUT Products_PutProduct', 'Products_PutProduct');
      expect(await page.locator('#tp-0').inputValue()).toBe('1');
      expect(await page.locator('#request-url').textContent()).toBe(`${host.baseUrl}/productstore/api/Products/1`);
      expect(await contentTypeOf(page)).toBe('application/json');
      const fake = await sendNow(page);
      expect(fake.status).toBe('429 Too Many Requests');
      expect(fake.body).toContain('Rate limit is exceeded. Try again after some time.');
      expect(await page.locator('#response-explain').textContent()).toContain('return-response');

      await pick(page, 'DELETE Products_DeleteProduct', 'Products_DeleteProduct');
      expect(await sendNow(page)).toMatchObject({ status: '500 Internal Server Error', body: '{"Message":"An error has occurred."}' });

      await page.locator('#scenario-4-status', { hasText: 'broken' }).waitFor();
      await pressFix(page, "Cache Products_GetAllProducts' answer for 60 s", 'Added cache-lookup and cache-store');
      await pressFix(page, 'Remove the return-response from API productstore', 'Removed the return-response from API productstore');
      await page.locator('#scenario-4-status', { hasText: /^fixed$/ }).waitFor();
      // The failing backend is still told, as information.
      expect(await page.locator('[data-scenario="4"] .findings li.info').textContent()).toContain('the ProductStore backend itself fails');

      await pick(page, 'PUT Products_PutProduct', 'Products_PutProduct');
      expect(await sendNow(page)).toMatchObject({ status: '204 No Content', body: '(no body)' });
      await pick(page, 'GET Products_GetAllProducts', 'Products_GetAllProducts');
      expect((await sendNow(page)).status).toBe('200 OK');
      const cached = await sendNow(page);
      expect(cached.body).toContain('"Name":"Notebook"');
      expect(cached.ms).toBeLessThan(PRODUCTSTORE_DELAY_MS);
      await screenshot(page, '-scenario4');

      await resetScenario(page, 4);
      expect(problems).toEqual([]);
      await page.close();
    });

    it('scenario 5: GetPosts answers 403 and GetComments 429 on the second call; the fixes make both 200', async () => {
      const { page, problems } = await openApi('resources');
      await pick(page, 'GET GetPosts', 'GetPosts');
      await keyRow(page).getByText("administrator's key for product Standard").waitFor();
      expect(await sendNow(page)).toMatchObject({ status: '403 Forbidden', body: `{ "statusCode": 403, "message": "${FORBIDDEN_MESSAGE}" }` });
      expect(await page.locator('#response-explain').textContent()).toContain('ip-filter');

      await pick(page, 'GET GetComments', 'GetComments');
      expect((await sendNow(page)).status).toBe('200 OK');
      const limited = await sendNow(page);
      expect(limited.status).toBe('429 Too Many Requests');
      expect(limited.body).toMatch(/^\{ "statusCode": 429, "message": "Rate limit is exceeded\. Try again in \d+ seconds\." \}$/);

      await page.locator('#scenario-5-status', { hasText: 'broken' }).waitFor();
      await pressFix(page, 'Remove the ip-filter from product standard', 'Removed the ip-filter from product standard');
      await page.locator('#scenario-5-status', { hasText: 'partly fixed' }).waitFor();
      await pressFix(page, 'Remove the rate-limit-by-key from the global policy', 'Removed the rate-limit-by-key from the global policy');
      await page.locator('#scenario-5-status', { hasText: /^fixed$/ }).waitFor();

      for (let call = 0; call < 2; call++) expect((await sendNow(page)).status).toBe('200 OK');
      await pick(page, 'GET GetPosts', 'GetPosts');
      const posts = await sendNow(page);
      expect(posts.status).toBe('200 OK');
      expect(posts.body).toContain('"userId"');
      await screenshot(page, '-scenario5');

      await resetScenario(page, 5);
      expect(await sendNow(page)).toMatchObject({ status: '403 Forbidden' });
      expect(problems).toEqual([]);
      await page.close();
    });

    it("keeps the operations of the API picked last when an earlier pick's list arrives later", async () => {
      const { page, problems } = await openConsole();
      // The Echo API's operations (the API picked on connecting) arrive late.
      await page.route(/\/apis\/echo-api\/operations\?/, async (route) => {
        await new Promise((resolve) => setTimeout(resolve, 1500));
        await route.continue();
      });
      await connect(page, token());
      await page.locator('#token-status', { hasText: 'Connected' }).waitFor();
      await page.getByLabel('API', { exact: true }).selectOption('resources');
      await pick(page, 'GET GetPosts', 'GetPosts');
      await page.waitForTimeout(2000);
      await pick(page, 'GET GetUsers', 'GetUsers');
      expect(await page.locator('#operation-list button').allTextContents()).toEqual(['GETGetComments', 'GETGetPhotos', 'GETGetPosts', 'GETGetUsers']);
      expect(problems).toEqual([]);
      await page.close();
    });

    const contentTypeOf = (page: Page) => page.locator('input[data-header="Content-Type"]').inputValue();

    it('says clearly when the token has expired or is not valid', async () => {
      const { page, problems } = await openConsole();
      const expired = createSasToken({ identifier: 'integration', key: PRIMARY, expiry: new Date(Date.now() - 60_000) });
      await connect(page, expired);
      await page.locator('#token-status', { hasText: 'has expired' }).waitFor();
      expect(await page.locator('#workspace').isHidden()).toBe(true);

      const wrongKey = createSasToken({ identifier: 'integration', key: randomBytes(64).toString('base64'), expiry: new Date(Date.now() + 60_000) });
      await connect(page, wrongKey);
      await page.locator('#token-status', { hasText: 'refused this token' }).waitFor();
      expect(await page.locator('#workspace').isHidden()).toBe(true);
      expect(problems).toEqual([]);
      await page.close();
    });
  });
}
