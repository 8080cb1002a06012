import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { Script } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogIndex } from '../../src/catalog/catalogIndex';
import { CatalogUnavailableError, type CatalogStore } from '../../src/catalog/catalogStore';
import { diagnoseLab, labStateOf } from '../../src/lab/diagnosis';
import { consoleScript, consoleScriptPath } from '../../src/lab/console/script';
import { CONSOLE_CSS } from '../../src/lab/console/styles';
import { createLabConsole, renderConsolePage, type ConsoleResponse, type ConsoleStore } from '../../src/lab/console';
import { labSeed } from '../../src/lab/seed';
import { createSasToken, managementSettingsFromEnv } from '../../src/management';
import { EXPIRED_TOKEN_MESSAGE, INVALID_TOKEN_MESSAGE, MALFORMED_TOKEN_MESSAGE, MISSING_TOKEN_MESSAGE, NOT_CONFIGURED_MESSAGE } from '../../src/management/auth';
import { NOT_FOUND_BODY } from '../../src/apim/gatewayResponses';
import { testStore, uniqueTableName } from '../helpers/catalog';
import { labHostEnv, startHostProcess, type HostProcess } from '../helpers/localHost';
import { API_VERSION, LOCAL_SERVICE } from '../helpers/management';

/**
 * The test console's adapter: the page and its security headers, and `/lab/state`
 * behind the management API's own token check. The handler directly first, then
 * the same over real HTTP through the local host.
 */

const PRIMARY = randomBytes(64).toString('base64');
const SECONDARY = randomBytes(64).toString('base64');
const settings = managementSettingsFromEnv({ MANAGEMENT_PRIMARY_KEY: PRIMARY, MANAGEMENT_SECONDARY_KEY: SECONDARY });
const MANAGEMENT_BASE = `/management${LOCAL_SERVICE}`;

const sas = (key = PRIMARY, expiry = new Date(Date.now() + 3_600_000)) => createSasToken({ identifier: 'integration', key, expiry });

/** The headers every console response carries. */
const COMMON = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

function lower(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

/** The nonce of a page's CSP, checked to be the only source of script and style. */
function nonceOf(csp: string): string {
  const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values.join(' ')]));
  expect(directives['default-src']).toBe("'self'");
  const nonce = /^'nonce-([A-Za-z0-9+/=]{16,})'$/.exec(directives['script-src'] ?? '')?.[1];
  expect(nonce, csp).toBeDefined();
  expect(directives['style-src']).toBe(`'nonce-${nonce}'`);
  expect(directives['object-src']).toBe("'none'");
  expect(directives['base-uri']).toBe("'none'");
  expect(directives['frame-ancestors']).toBe("'none'");
  expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*|https?:/);
  return nonce!;
}

/** One page, checked as a self-contained, nonce-bound document. */
function expectPage(status: number, headers: Record<string, string>, html: string) {
  expect(status).toBe(200);
  const h = lower(headers);
  expect(h).toMatchObject({ 'content-type': 'text/html; charset=utf-8', ...COMMON });
  const nonce = nonceOf(h['content-security-policy']!);
  expect(html.startsWith('<!doctype html>')).toBe(true);
  // Exactly one script and one style, both carrying this response's nonce; nothing else loaded.
  expect([...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0])).toEqual([`<script nonce="${nonce}">`]);
  expect([...html.matchAll(/<style\b[^>]*>/g)].map((m) => m[0])).toEqual([`<style nonce="${nonce}">`]);
  expect(html).not.toMatch(/\bsrc=|<link\b(?![^>]*rel="icon" href="data:,")|https?:\/\//i);
  expect(CONSOLE_CSS).not.toMatch(/url\(|@import/i);
  // No inline event handlers, no javascript: URLs.
  expect(html).not.toMatch(/\son[a-z]+\s*=/i);
  expect(html).not.toMatch(/javascript:/i);
  expect(html).toContain(`data-management-base="${MANAGEMENT_BASE}"`);
  expect(html).toContain('<label for="token">Management token</label>');
  return nonce;
}

describe('the console handler', () => {
  const index = new CatalogIndex();
  const fakeStore: ConsoleStore = { index, catchUp: async () => {} };

  it('serves the page at /lab and /lab/ with a fresh nonce each time', async () => {
    const console = createLabConsole({ store: fakeStore, settings });
    const first = await console.handle({ method: 'GET', path: '', headers: new Headers() });
    const second = await console.handle({ method: 'GET', path: '/', headers: new Headers() });
    const a = expectPage(first.status, first.headers, first.body);
    const b = expectPage(second.status, second.headers, second.body);
    expect(a).not.toBe(b);
  });

  it('ships a script that parses, stays inside its element and never writes markup', () => {
    const script = consoleScript();
    expect(() => new Script(script)).not.toThrow();
    expect(script).not.toMatch(/<\/script|<!--/i);
    expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/);
  });

  it('inlines the script the build wrote into dist/, which the compiled page finds beside itself', () => {
    const built = resolve('dist/src/lab/console/client.js');
    expect(consoleScriptPath()).toBe(built);
    const script = readFileSync(built, 'utf8');
    // One browser script: an IIFE, no module syntax, no Node built-in.
    expect(script).toMatch(/^"use strict";\n\(\(\) => \{/);
    expect(script).not.toMatch(/^\s*(import|export)\s|\brequire\(|node:/m);
    expect(renderConsolePage({ nonce: 'n', managementBase: MANAGEMENT_BASE, apiVersion: API_VERSION, stateUrl: '/lab/state' })).toContain(`<script nonce="n">${script}</script>`);
    // What runs from dist/ (npm start, the deployed package) reads the same file.
    const compiled = createRequire(import.meta.url)(resolve('dist/src/lab/console/script.js')) as { consoleScriptPath(): string };
    expect(compiled.consoleScriptPath()).toBe(built);
  });

  it('escapes what it writes into the page', () => {
    const html = renderConsolePage({ nonce: 'n"><x', managementBase: '/m"><script>alert(1)</script>', apiVersion: "2024'", stateUrl: '/lab/state' });
    expect(html).toContain('data-management-base="/m&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(html).toContain('data-api-version="2024&#39;"');
    expect(html).toContain('<script nonce="n&quot;&gt;&lt;x">');
    expect(html).not.toContain('<script>alert(1)');
  });

  it('answers 404 to other paths and other methods', async () => {
    const console = createLabConsole({ store: fakeStore, settings });
    for (const request of [
      { method: 'GET', path: 'nothing' },
      { method: 'GET', path: 'state/more' },
      { method: 'POST', path: '' },
      { method: 'DELETE', path: 'state' },
    ]) {
      const response = await console.handle({ ...request, headers: new Headers() });
      expect(response.status, JSON.stringify(request)).toBe(404);
      expect(lower(response.headers)).toMatchObject(COMMON);
    }
  });

  describe('/lab/state', () => {
    let store: CatalogStore;
    let console: ReturnType<typeof createLabConsole>;

    beforeAll(async () => {
      store = testStore({ seed: () => labSeed() });
      await store.ensureStarted();
      console = createLabConsole({ store, settings });
    });

    const state = (authorization?: string) =>
      console.handle({ method: 'GET', path: 'state', headers: new Headers(authorization === undefined ? {} : { Authorization: authorization }) });

    function expectUnauthorized(response: ConsoleResponse, message: string) {
      expect(response.status).toBe(401);
      expect(lower(response.headers)).toMatchObject({
        'content-type': 'application/json; charset=utf-8',
        'www-authenticate': 'SharedAccessSignature',
        ...COMMON,
      });
      expect(JSON.parse(response.body)).toEqual({ error: { code: 'Unauthorized', message, details: null } });
    }

    it('refuses a request without a token, or with a bad, expired or foreign one, in the management API words', async () => {
      expectUnauthorized(await state(), MISSING_TOKEN_MESSAGE);
      expectUnauthorized(await state('Basic abc'), MALFORMED_TOKEN_MESSAGE);
      expectUnauthorized(await state('SharedAccessSignature uid=integration&ex=x&sn=y'), MALFORMED_TOKEN_MESSAGE);
      expectUnauthorized(await state(`SharedAccessSignature ${sas(randomBytes(64).toString('base64'))}`), INVALID_TOKEN_MESSAGE);
      expectUnauthorized(await state(`SharedAccessSignature ${sas(PRIMARY, new Date(Date.now() - 60_000))}`), EXPIRED_TOKEN_MESSAGE);
    });

    it('answers the diagnosis to a valid token, SharedAccessSignature or Bearer, primary or secondary key', async () => {
      for (const authorization of [`SharedAccessSignature ${sas()}`, `Bearer ${sas(SECONDARY)}`, `Bearer SharedAccessSignature ${sas()}`]) {
        const response = await state(authorization);
        expect(response.status, authorization.slice(0, 30)).toBe(200);
        expect(lower(response.headers)).toMatchObject({ 'content-type': 'application/json; charset=utf-8', ...COMMON });
        expect(JSON.parse(response.body)).toEqual(labStateOf(store.index));
      }
      const body = JSON.parse((await state(`SharedAccessSignature ${sas()}`)).body);
      expect(body.status).toBe('broken');
      expect(body.findings.map((f: { code: string; operationId?: string }) => f.operationId ?? f.code)).toEqual([
        'apiInNoProduct',
        'create-resource',
        'retrieve-resource',
      ]);
      // Scenario 3 at the top, as before the other scenarios; every scenario, in order, below.
      const { scenarios, ...top } = body as { scenarios: { number: number; status: string; findings: unknown[] }[] };
      expect(top).toEqual(diagnoseLab(store.index));
      expect(scenarios.map((s) => [s.number, s.status])).toEqual([1, 2, 3, 4, 5].map((n) => [n, 'broken']));
      expect(scenarios[2]!.findings).toEqual(body.findings);
    });

    it('refuses every token when no management key is configured', async () => {
      const closed = createLabConsole({ store, settings: managementSettingsFromEnv({}) });
      const response = await closed.handle({ method: 'GET', path: 'state', headers: new Headers({ Authorization: `SharedAccessSignature ${sas()}` }) });
      expectUnauthorized(response, NOT_CONFIGURED_MESSAGE);
    });

    it('answers 503 when the catalog cannot be read, after the token check', async () => {
      const down: ConsoleStore = {
        index: new CatalogIndex(),
        catchUp: () => Promise.reject(new CatalogUnavailableError('down')),
      };
      const broken = createLabConsole({ store: down, settings });
      expect((await broken.handle({ method: 'GET', path: 'state', headers: new Headers() })).status).toBe(401);
      const response = await broken.handle({ method: 'GET', path: 'state', headers: new Headers({ Authorization: `SharedAccessSignature ${sas()}` }) });
      expect(response.status).toBe(503);
      expect(JSON.parse(response.body).error.code).toBe('ServiceUnavailable');
      expect(lower(response.headers)['retry-after']).toBe('1');
    });
  });
});

describe('the console through the local host', () => {
  let host: HostProcess;

  beforeAll(async () => {
    host = await startHostProcess({
      env: labHostEnv(uniqueTableName('consolepage'), { primary: PRIMARY, secondary: SECONDARY }, { WEBSITE_HOSTNAME: undefined }),
    });
  });

  afterAll(async () => {
    await host?.stop();
  });

  async function get(path: string, init: RequestInit = {}) {
    const response = await fetch(`${host.baseUrl}${path}`, init);
    return { status: response.status, headers: Object.fromEntries(response.headers), text: await response.text() };
  }

  it('serves the page at /lab and /lab/ with its security headers', async () => {
    for (const path of ['/lab', '/lab/', '/LAB']) {
      const page = await get(path);
      expectPage(page.status, page.headers, page.text);
    }
  });

  it('guards /lab/state with the management token', async () => {
    const missing = await get('/lab/state');
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('SharedAccessSignature');
    expect(JSON.parse(missing.text)).toEqual({ error: { code: 'Unauthorized', message: MISSING_TOKEN_MESSAGE, details: null } });

    const bad = await get('/lab/state', { headers: { Authorization: `SharedAccessSignature ${sas(randomBytes(64).toString('base64'))}` } });
    expect(bad.status).toBe(401);
    expect(JSON.parse(bad.text).error).toMatchObject({ code: 'Unauthorized', message: INVALID_TOKEN_MESSAGE });

    const good = await get('/lab/state/', { headers: { Authorization: `SharedAccessSignature ${sas()}` } });
    expect(good.status).toBe(200);
    expect(good.headers).toMatchObject({ 'content-type': 'application/json; charset=utf-8', ...COMMON });
    const state = JSON.parse(good.text);
    expect(state.status).toBe('broken');
    expect(state.usableProducts).toEqual([]);
  });

  it('leaves other methods to the gateway, and answers 404 below /lab', async () => {
    const post = await get('/lab', { method: 'POST' });
    expect(post.status).toBe(404);
    expect(post.text).toBe(NOT_FOUND_BODY.toString('utf8'));
    const other = await get('/lab/other');
    expect(other.status).toBe(404);
    expect(other.headers).toMatchObject(COMMON);
  });
});
