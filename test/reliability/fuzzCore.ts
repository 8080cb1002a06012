import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { report } from './support';
import fc from 'fast-check';
import { createManagementApi, type ManagementApi } from '../../src/management/managementApi';
import { createSasToken, createShortSasToken } from '../../src/management/sasToken';
import type { ManagementRequest, ManagementResponse } from '../../src/management/types';
import { AuthThrottle } from '../../src/management/throttle';
import { API_VERSION, LOCAL_SERVICE } from '../helpers/management';
import { PRIMARY, SECONDARY, SERVICE_URL, memoryHarness, settings, snapshot, type Harness } from '../management/harness';

/**
 * Property-based fuzzing of the management core (in memory, over a real store on
 * Azurite): arbitrary methods, paths and ids, query strings, headers and bodies.
 * Properties, for every request:
 *   - the answer is below 500 (and the core never throws);
 *   - a 4xx leaves the store exactly as it was (index contents and version,
 *     after catching up with storage);
 *   - an error answer is an ARM error body; HEAD answers have no body;
 *   - nothing leaks onto Object.prototype (prototype pollution).
 * Most generated requests carry a valid token and well-formed ids, so they reach
 * the handlers and the store rather than dying at the front door.
 */

export interface FuzzResult {
  runs: number;
  statuses: Map<number, number>;
  fiveXx: number;
  changedOnRejection: number;
  failures: string[];
}

// ---- arbitraries ----------------------------------------------------------------

/** Latin-1 without NUL/CR/LF: what an HTTP header value can carry. */
const headerChar = fc.integer({ min: 1, max: 255 }).filter((c) => c !== 10 && c !== 13).map((c) => String.fromCharCode(c));
const headerValue = (maxLength = 64) => fc.string({ unit: headerChar, maxLength });
const anyText = (maxLength = 40) => fc.oneof(fc.string({ maxLength }), fc.string({ unit: 'binary', maxLength }), fc.string({ unit: 'grapheme', maxLength }));

const KNOWN_IDS = ['starter', 'unlimited', 'echo-api', 'create-resource', 'retrieve-resource', 'starter-admin', 'unlimited-admin', 'master', 'fuzz-a', 'fuzz-b'];
const EVIL_IDS = [
  '.', '..', '%2F', '%', '%zz', '%00', 'a/b', 'a%2Fb', "o'brien", 'a"b', 'x'.repeat(256), 'x'.repeat(300), '$'.repeat(256), 'é'.repeat(256), '😀'.repeat(128), '😀'.repeat(129),
  '\u0000', ' ', 'a b', '\t', '__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf', 'CON', '-', '()', '\uFEFF', '\u202E', '\uD800', '\uDFFF',
  'meta|version', 'meta', 'api|x', '|', '||', '{id}', '*', '~', 'A'.repeat(1000),
];

/** Ids: mostly known or plausible (to reach the store), sometimes anything at all. */
const id = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...KNOWN_IDS) },
  { weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z0-9._()\-~!$'@;=,éü😀]{1,40}$/u) },
  { weight: 2, arbitrary: fc.constantFrom(...EVIL_IDS) },
  { weight: 2, arbitrary: anyText(30).filter((s) => s.length > 0) },
);

/** How an id goes into the path: encoded, as is (the URL parser may split or escape it), or encoded twice. */
const segment = fc.tuple(id, fc.constantFrom('encoded', 'encoded', 'raw', 'double')).map(([value, how]) =>
  how === 'encoded' ? percentEncode(value) : how === 'double' ? percentEncode(percentEncode(value)) : value,
);

/** encodeURIComponent, also for lone surrogates (sent as the UTF-8 of U+FFFD, as a client would). */
function percentEncode(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return [...Buffer.from(value, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
}

const TEMPLATES = [
  '/products', '/products/{}', '/products/{}/apis', '/products/{}/apis/{}', '/products/{}/subscriptions',
  '/apis', '/apis/{}', '/apis/{}/operations', '/apis/{}/operations/{}', '/apis/{}/products',
  '/subscriptions', '/subscriptions/{}', '/subscriptions/{}/listSecrets', '/subscriptions/{}/regeneratePrimaryKey', '/subscriptions/{}/regenerateSecondaryKey',
  '', '/', '/{}', '/{}/{}/{}', '/PRODUCTS/{}', '/Apis/{}/OPERATIONS/{}', '/tenant/access', '/users/1', '/products/{}/', '//products',
];

const resourcePath = fc
  .tuple(fc.constantFrom(...TEMPLATES), fc.array(segment, { minLength: 3, maxLength: 3 }), fc.array(segment, { maxLength: 3 }))
  .map(([template, ids, extra]) => {
    let i = 0;
    return template.replace(/\{\}/g, () => ids[i++]!) + extra.map((s) => `/${s}`).join('');
  });

/** The service prefix: mostly right, sometimes another service, case or shape. */
const servicePrefix = fc.oneof(
  { weight: 12, arbitrary: fc.constant(SERVICE_URL) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      SERVICE_URL.toUpperCase().replace('HTTP://LOCALHOST:7071', 'http://localhost:7071'),
      SERVICE_URL.replace('lab-apim', 'other-apim'),
      SERVICE_URL.replace('/providers', ''),
      SERVICE_URL.replace('/management', '/management/'),
      'http://localhost:7071/management',
      'http://localhost:7071/management/subscriptions',
      SERVICE_URL.replace('service/', 'service/%2e%2e/'),
    ),
  },
);

const apiVersion = fc.oneof(
  { weight: 10, arbitrary: fc.constant(API_VERSION) },
  { weight: 1, arbitrary: fc.constantFrom('2021-08-01', '2020-01-01', '2024-13-01', '2024-02-30', '2024-05-01-preview', 'latest', '9999-12-31', '', '2024-5-1', '0000-00-00') },
  { weight: 1, arbitrary: anyText(20) },
);

const integerish = fc.oneof(
  fc.integer({ min: -5, max: 3000 }).map(String),
  fc.constantFrom('', '1e3', '0x10', '999999999', '9999999999', '-0', ' 1', '1.5', 'NaN', 'Infinity', '00001', '１'),
  anyText(10),
);

const filter = fc.oneof(
  fc.constantFrom(
    "state eq 'active'", "name eq 'x' and displayName eq 'y'", "productId eq 'starter'", "scope eq '/apis'", "ownerId eq '/users/1'",
    "state eq 'bogus'", "'unterminated", "name eq 'a''b'", "name ne 'x'", `name eq '${'x'.repeat(3000)}'`, "scope eq '/products/%2F'",
    "scope eq '/subscriptions/x/resourceGroups/y/providers/Microsoft.ApiManagement/service/z/apis'", 'and and and', "NAME EQ 'starter-admin'",
    "contains(displayName, 'a')", "startswith(name, 'f') and state eq 'active'", "substringof('x', description)", 'isCurrent eq true', 'isCurrent gt 1',
    "endswith(urlTemplate, '}')", "contains(state, 'a')", 'contains(', "contains(name, 'a'", "method ge 'G' and method le 'P'", "userId ne '1'",
  ),
  anyText(60),
);

const QUERY_NAMES = ['$top', '$skip', '$filter', 'deleteSubscriptions', 'notify', 'appType', '$expand', 'api-version', '__proto__', 'constructor'];

const query = fc
  .record({
    apiVersion: fc.option(apiVersion, { freq: 8 }),
    top: fc.option(integerish, { freq: 3 }),
    skip: fc.option(integerish, { freq: 3 }),
    filter: fc.option(filter, { freq: 3 }),
    extra: fc.array(fc.tuple(fc.oneof(fc.constantFrom(...QUERY_NAMES), anyText(10)), fc.oneof(fc.constantFrom('true', 'false', 'TRUE', 'portal', 'developerPortal', ''), anyText(20))), { maxLength: 3 }),
    raw: fc.option(fc.constantFrom('&&', '&=&', '&%zz=%zz', '&a', '&api-version', '&$top=1&$top=2', '#fragment', '&%E0%A4%A=1'), { freq: 8 }),
  })
  .map(({ apiVersion: version, top, skip, filter: f, extra, raw }) => {
    const params = new URLSearchParams();
    if (version !== null) params.append('api-version', version);
    if (top !== null) params.append('$top', top);
    if (skip !== null) params.append('$skip', skip);
    if (f !== null) params.append('$filter', f);
    for (const [name, value] of extra) params.append(name, value);
    return params.toString() + (raw ?? '');
  });

const validToken = () => createSasToken({ identifier: 'integration', key: PRIMARY, expiry: new Date(Date.now() + 3_600_000) });

const authorization = fc.oneof(
  { weight: 14, arbitrary: fc.constant('valid') },
  { weight: 1, arbitrary: fc.constantFrom('secondary', 'short', 'bearer', 'none', 'forged', 'expired', 'huge', 'otherId', 'empty', 'basic') },
  { weight: 1, arbitrary: headerValue(200) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('SharedAccessSignature ', 'Bearer ', 'sharedaccesssignature  ', ''), headerValue(80), headerValue(40), headerValue(100))
      .map(([scheme, uid, ex, sn]) => `${scheme}uid=${uid}&ex=${ex}&sn=${sn}`),
  },
);

function authorizationValue(kind: string): string | null {
  const inAnHour = new Date(Date.now() + 3_600_000);
  switch (kind) {
    case 'valid':
      return `SharedAccessSignature ${validToken()}`;
    case 'secondary':
      return `SharedAccessSignature ${createSasToken({ identifier: 'integration', key: SECONDARY, expiry: inAnHour })}`;
    case 'short':
      return `SharedAccessSignature ${createShortSasToken({ identifier: 'integration', key: PRIMARY, expiry: inAnHour })}`;
    case 'bearer':
      return `Bearer ${validToken()}`;
    case 'none':
      return null;
    case 'forged':
      return `SharedAccessSignature ${createSasToken({ identifier: 'integration', key: randomBytes(64).toString('base64'), expiry: inAnHour })}`;
    case 'expired':
      return `SharedAccessSignature ${createSasToken({ identifier: 'integration', key: PRIMARY, expiry: new Date(Date.now() - 60_000) })}`;
    case 'huge':
      return `SharedAccessSignature ${'A'.repeat(100_000)}`;
    case 'otherId':
      return `SharedAccessSignature ${createSasToken({ identifier: 'someone', key: PRIMARY, expiry: inAnHour })}`;
    case 'empty':
      return '';
    case 'basic':
      return 'Basic dXNlcjpwYXNz';
    default:
      return kind;
  }
}

const ifMatch = fc.option(
  fc.oneof(fc.constantFrom('*', '"1"', 'W/"1"', '""', ',', '"', '*, "1"', ' * ', '"999999999999999999999"', 'W/', '"1", "2"', '1'), fc.nat(200).map((n) => `"${n}"`), headerValue(40)),
  { freq: 2 },
);

const headerName = fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,20}$/);
const otherHeaders = fc.array(
  fc.tuple(fc.oneof(fc.constantFrom('content-type', 'x-forwarded-for', 'x-ms-client-request-id', 'accept', 'content-length', 'host', 'cookie'), headerName), headerValue(100)),
  { maxLength: 4 },
);

// ---- bodies --------------------------------------------------------------------

/** Values that are wrong in every way a field can be wrong. */
const evilValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, -0, '', ' ', 'x', '2024-01-01T00:00:00Z', '/apis', '/', '/products/starter', '/users/1', 'active', 'suspended', 'published', 'GET', '/path'),
  anyText(50),
  fc.integer(),
  fc.double(),
  fc.constantFrom('x'.repeat(5000), 'é'.repeat(70_000), '\u0000'.repeat(100)),
  fc.array(fc.oneof(fc.string({ maxLength: 10 }), fc.integer()), { maxLength: 4 }),
  fc.jsonValue({ maxDepth: 3 }),
);

const PROPERTY_NAMES = [
  'displayName', 'description', 'terms', 'subscriptionRequired', 'approvalRequired', 'subscriptionsLimit', 'state',
  'path', 'serviceUrl', 'protocols', 'subscriptionKeyParameterNames', 'type', 'apiType', 'format', 'value',
  'method', 'urlTemplate', 'templateParameters', 'request', 'responses',
  'scope', 'ownerId', 'primaryKey', 'secondaryKey', 'allowTracing', 'stateComment', 'expirationDate',
  '__proto__', 'constructor', 'prototype',
];

/** Bodies that pass validation, so the fuzzer's ids and headers reach the store. */
const plausibleProperties = fc.oneof(
  fc.record({ displayName: fc.string({ minLength: 1, maxLength: 30 }), description: fc.option(fc.string({ maxLength: 30 })), state: fc.constantFrom('published', 'notPublished') }, { requiredKeys: ['displayName'] }),
  fc.record({ displayName: fc.string({ minLength: 1, maxLength: 30 }), path: fc.stringMatching(/^[a-z0-9/]{0,20}$/), serviceUrl: fc.constantFrom('https://example.com', 'http://127.0.0.1:1/x') }, { requiredKeys: ['displayName', 'path'] }),
  fc.record({
    displayName: fc.string({ minLength: 1, maxLength: 30 }),
    method: fc.constantFrom('GET', 'POST', 'patch'),
    urlTemplate: fc.constantFrom('/a', '/b/{id}', '/c?x={x}', '/'),
    templateParameters: fc.constantFrom([], [{ name: 'id', type: 'string', required: true }], [{ name: 'x' }]),
    request: fc.constantFrom(undefined, { headers: [] }, { headers: [{ name: 'Ocp-Apim-Subscription-Key', defaultValue: 'k' }] }),
  }, { requiredKeys: ['displayName', 'method', 'urlTemplate'] }),
  fc.record({
    displayName: fc.string({ minLength: 1, maxLength: 30 }),
    scope: fc.constantFrom('/apis', '/apis/echo-api', '/products/starter', '/products/unlimited', `/subscriptions/x/resourceGroups/y/providers/Microsoft.ApiManagement/service/z/apis`, '/', '/products/missing'),
    state: fc.constantFrom('active', 'suspended', 'submitted', 'cancelled'),
    primaryKey: fc.option(fc.stringMatching(/^[0-9a-f]{32}$/), { freq: 3 }),
    ownerId: fc.option(fc.constantFrom('/users/1', '/users/x', 'junk'), { freq: 3 }),
  }, { requiredKeys: ['displayName', 'scope'] }),
);

const wildProperties = fc.dictionary(fc.oneof(fc.constantFrom(...PROPERTY_NAMES), anyText(10)), evilValue, { maxKeys: 6 });

/** `n` levels of nesting, as text (JSON.stringify would not write it for us at this depth). */
const deep = (n: number, open: string, close: string, inner = '1') => open.repeat(n) + inner + close.repeat(n);

const body: fc.Arbitrary<Uint8Array | null> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(null) },
  { weight: 6, arbitrary: plausibleProperties.map((properties) => json({ properties })) },
  { weight: 4, arbitrary: wildProperties.map((properties) => json({ properties })) },
  { weight: 2, arbitrary: fc.tuple(plausibleProperties, wildProperties).map(([a, b]) => json({ properties: { ...a, ...b } })) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => json(value)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '{"properties":{"__proto__":{"polluted":true},"displayName":"x"}}',
      '{"__proto__":{"properties":{"displayName":"x"}},"properties":{"displayName":"y","constructor":{"prototype":{"polluted":true}}}}',
      '{"properties":{"displayName":"x","path":"p","request":{"headers":[{"name":"__proto__","defaultValue":"x"}]},"__proto__":null}}',
      '{"properties":{"displayName":"x","method":"GET","urlTemplate":"/a","responses":[{"__proto__":{"polluted":1}}]}}',
      '{"properties":{"displayName":"x","method":"GET","urlTemplate":"/a","responses":[' + deep(5000, '[', ']') + ']}}',
      '{"properties":{"displayName":"x","method":"GET","urlTemplate":"/a","request":{"representations":[' + deep(5000, '{"a":', '}') + ']}}}',
      deep(100_000, '[', ']'),
      deep(100_000, '{"properties":', '}', '{}'),
      '{"properties":{"displayName":"' + 'x'.repeat(600_000) + '"}}',
      '{"properties":{"displayName":"x","method":"GET","urlTemplate":"/a","responses":["' + 'é'.repeat(400_000) + '"]}}',
      '{"properties":{"displayName":"x","method":"GET","urlTemplate":"/a","responses":["' + 'x'.repeat(1_048_000) + '"]}}',
      '{"properties":{"displayName":"x","method":"GET","urlTemplate":"/a","responses":["' + 'x'.repeat(1_100_000) + '"]}}',
      '{"properties":', '{"properties":null}', '{"properties":[]}', '{"properties":"x"}', '[]', 'null', '"properties"', '\uFEFF{"properties":{"displayName":"bom"}}',
      '{"properties":{"displayName":"\\ud800"}}', '{"properties":{"displayName":"x"}} trailing', ' ',
    ).map((text) => new TextEncoder().encode(text)),
  },
  { weight: 1, arbitrary: fc.constantFrom(Uint8Array.of(0xff, 0xfe, 0x7b), Uint8Array.of(0xc3, 0x28), Uint8Array.of(0xed, 0xa0, 0x80)) },
);

function json(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

const METHODS = ['GET', 'GET', 'HEAD', 'PUT', 'PUT', 'PUT', 'PATCH', 'PATCH', 'DELETE', 'DELETE', 'POST', 'POST', 'OPTIONS', 'get', 'TRACE', 'FOO'];

export interface FuzzCase {
  method: string;
  prefix: string;
  path: string;
  query: string;
  authorization: string;
  ifMatch: string | null;
  headers: [string, string][];
  body: Uint8Array | null;
}

/** Anything goes: method, path, query, headers and body drawn independently. */
const wildCase: fc.Arbitrary<FuzzCase> = fc.record({
  method: fc.constantFrom(...METHODS),
  prefix: servicePrefix,
  path: resourcePath,
  query,
  authorization,
  ifMatch,
  headers: otherHeaders,
  body,
});

const productProps = fc.record(
  {
    displayName: fc.oneof(fc.string({ minLength: 1, maxLength: 30 }), evilValue),
    description: fc.option(fc.oneof(fc.string({ maxLength: 30 }), evilValue)),
    terms: fc.option(fc.string({ maxLength: 30 })),
    subscriptionRequired: fc.oneof(fc.boolean(), evilValue),
    approvalRequired: fc.boolean(),
    subscriptionsLimit: fc.oneof(fc.constant(null), fc.integer({ min: -2, max: 10 })),
    state: fc.constantFrom('published', 'notPublished', 'bogus'),
  },
  { requiredKeys: [] },
);
const apiProps = fc.record(
  {
    displayName: fc.string({ minLength: 1, maxLength: 30 }),
    description: fc.option(fc.string({ maxLength: 30 })),
    path: fc.oneof(fc.stringMatching(/^[a-z0-9/._~-]{0,20}$/), fc.constantFrom('', '/', 'echo', 'ECHO', 'a b', 'a?b', '%', '..', '../x')),
    serviceUrl: fc.oneof(fc.constantFrom('https://example.com', 'http://127.0.0.1:1/x', 'ftp://x', 'not a url', null), evilValue),
    protocols: fc.constantFrom(['https'], ['http', 'https'], [], ['ws'], 'https'),
    subscriptionRequired: fc.boolean(),
    subscriptionKeyParameterNames: fc.oneof(fc.constant(null), fc.record({ header: fc.oneof(fc.constantFrom('X-Key', 'Ocp-Apim-Subscription-Key', 'bad header', ''), anyText(10)), query: fc.oneof(fc.constantFrom('key', ''), anyText(10)) }, { requiredKeys: [] })),
    type: fc.constantFrom('http', 'soap'),
  },
  { requiredKeys: [] },
);
const parameter = fc.record({ name: fc.oneof(fc.constantFrom('id', 'x', '__proto__', 'Ocp-Apim-Subscription-Key'), anyText(10)), type: fc.constantFrom('string', 'int'), required: fc.boolean(), defaultValue: fc.option(fc.string({ maxLength: 10 })), values: fc.option(fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 })) }, { requiredKeys: ['name'] });
const operationProps = fc.record(
  {
    displayName: fc.string({ minLength: 1, maxLength: 30 }),
    method: fc.oneof(fc.constantFrom('GET', 'post', 'DELETE', 'CONNECT', 'G E T', ''), anyText(5)),
    urlTemplate: fc.oneof(fc.constantFrom('/a', '/b/{id}', '/c?x={x}', '/', '/{*rest}', '/{id}/{id}', 'no-slash', '/{', '/}{', '/d/{id=1}'), fc.string({ maxLength: 20 }).map((t) => `/${t}`)),
    templateParameters: fc.array(parameter, { maxLength: 3 }),
    request: fc.option(fc.record({ headers: fc.array(parameter, { maxLength: 3 }), queryParameters: fc.array(parameter, { maxLength: 3 }), representations: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 2 }) }, { requiredKeys: [] })),
    responses: fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 3 }),
  },
  { requiredKeys: [] },
);
const subscriptionProps = fc.record(
  {
    displayName: fc.oneof(fc.string({ minLength: 1, maxLength: 30 }), fc.constant('x'.repeat(101))),
    scope: fc.oneof(
      fc.constantFrom('/apis', '/apis/echo-api', '/products/starter', '/products/unlimited', '/', '/products/missing', '/apis/', 'apis', '/products/starter/x', `${LOCAL_SERVICE}/apis`),
      fc.constantFrom(`/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/lab-rg/providers/Microsoft.ApiManagement/service/lab-apim/products/starter`),
      id.map((i) => `/products/${i}`),
    ),
    ownerId: fc.option(fc.constantFrom('/users/1', '/users/x', 'junk', '/users/', '/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/lab-rg/providers/Microsoft.ApiManagement/service/lab-apim/users/1')),
    state: fc.constantFrom('active', 'suspended', 'submitted', 'cancelled', 'rejected', 'expired', 'ACTIVE'),
    primaryKey: fc.oneof(fc.stringMatching(/^[0-9a-f]{32}$/), fc.constantFrom('a', 'same-key-1', 'with space', 'é', 'x'.repeat(257))),
    secondaryKey: fc.oneof(fc.stringMatching(/^[0-9a-f]{32}$/), fc.constantFrom('same-key-1', 'b')),
    allowTracing: fc.boolean(),
    stateComment: fc.option(fc.string({ maxLength: 20 })),
    expirationDate: fc.option(fc.constantFrom('2030-01-01T00:00:00Z', '2030-01-01', 'tomorrow', '2030-02-30T00:00:00Z')),
  },
  { requiredKeys: [] },
);

const validProduct = fc.record(
  {
    displayName: fc.string({ minLength: 1, maxLength: 30 }),
    description: fc.option(fc.string({ maxLength: 30 })),
    subscriptionRequired: fc.constant(true),
    approvalRequired: fc.boolean(),
    subscriptionsLimit: fc.option(fc.nat(5)),
    state: fc.constantFrom('published', 'notPublished'),
  },
  { requiredKeys: ['displayName'] },
);
const validApi = fc.record(
  {
    displayName: fc.string({ minLength: 1, maxLength: 30 }),
    path: fc.stringMatching(/^[a-z0-9]{1,8}(\/[a-z0-9]{1,8})?$/),
    serviceUrl: fc.constantFrom('https://example.com', 'http://127.0.0.1:1/x'),
    protocols: fc.constantFrom(['https'], ['http', 'https']),
    subscriptionKeyParameterNames: fc.record({ header: fc.constantFrom('X-Key', 'Ocp-Apim-Subscription-Key'), query: fc.constantFrom('key', 'subscription-key') }),
  },
  { requiredKeys: ['displayName', 'path'] },
);
const validOperation = fc.record(
  {
    displayName: fc.string({ minLength: 1, maxLength: 30 }),
    method: fc.constantFrom('GET', 'POST', 'patch', 'DELETE'),
    urlTemplate: fc.stringMatching(/^\/[a-z]{1,6}(\/[a-z]{1,6})?$/),
    request: fc.option(fc.record({ headers: fc.constantFrom([], [{ name: 'X-H', defaultValue: 'v' }]) })),
  },
  { requiredKeys: ['displayName', 'method', 'urlTemplate'] },
);
const validSubscription = fc.record(
  {
    displayName: fc.string({ minLength: 1, maxLength: 30 }),
    scope: fc.constantFrom('/apis', '/apis/echo-api', '/products/starter', '/products/unlimited', '/'),
    state: fc.constantFrom('active', 'suspended', 'submitted', 'cancelled'),
    ownerId: fc.option(fc.constantFrom('/users/1', '/users/2')),
    primaryKey: fc.stringMatching(/^[0-9a-f]{32}$/),
    allowTracing: fc.boolean(),
  },
  { requiredKeys: ['displayName', 'scope'] },
);

/** Mostly valid properties; sometimes valid ones with wild fields mixed in, or wrong from the start. */
const someProps = (valid: fc.Arbitrary<Record<string, unknown>>, wrong: fc.Arbitrary<Record<string, unknown>>) =>
  fc.oneof(
    { weight: 5, arbitrary: valid },
    { weight: 1, arbitrary: fc.tuple(valid, wildProperties).map(([a, b]) => ({ ...a, ...b })) },
    { weight: 2, arbitrary: wrong },
  );

/** Ids that are valid for the router but may not fit a storage key: long, and full of characters that need escaping. */
const longId = fc.oneof(
  fc.constantFrom(...EVIL_IDS.filter((e) => e.length >= 100)),
  fc.string({ unit: 'binary', minLength: 100, maxLength: 256 }),
  fc.stringMatching(/^[$é😀,;=@!'()]{100,256}$/u),
);
const mostlyKnown = (ids: string[]) =>
  fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...ids) }, { weight: 2, arbitrary: id }, { weight: 1, arbitrary: longId });

/** Operation bodies that are valid but stretch storage: large, deep, many members (as text: too deep for JSON.stringify here). */
const stretchingOperationBody = fc
  .tuple(
    fc.stringMatching(/^\/[a-z]{1,8}$/),
    fc.constantFrom(
      '["' + 'x'.repeat(1_000_000) + '"]',
      '["' + 'é'.repeat(460_000) + '"]',
      '["' + '中'.repeat(310_000) + '"]',
      '["' + 'x'.repeat(440_000) + '"]',
      '[' + Array.from({ length: 256 }, () => '"' + 'y'.repeat(3500) + '"').join(',') + ']',
      '[' + deep(64, '[', ']') + ']',
      '[' + deep(65, '[', ']') + ']',
      '[' + deep(3000, '{"a":', '}') + ']',
      '[' + deep(60, '{"__proto__":', '}', '{"polluted":1}') + ']',
    ),
  )
  .map(([template, responses]) => new TextEncoder().encode(`{"properties":{"displayName":"big","method":"GET","urlTemplate":"${template}","responses":${responses}}}`));

/** Policy bodies: valid documents of either format, the refused `-link` formats, and text that is no document. */
const policyProps = fc.record(
  {
    format: fc.constantFrom('xml', 'rawxml', 'XML', 'xml-link', 'rawxml-link', 'json'),
    value: fc.oneof(
      fc.constantFrom(
        '<policies><inbound><base /></inbound><backend><base /></backend></policies>',
        '<policies><inbound><base /><rate-limit calls="5" renewal-period="60" /><quota calls="100" renewal-period="604800" /></inbound></policies>',
        '<policies><inbound><set-header name="x"><value>@(context.Request.Headers.GetValueOrDefault("a", "b") + "<&>")</value></set-header></inbound></policies>',
        '<!DOCTYPE policies [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><policies>&b;</policies>',
        '<policies>' + deep(70, '<choose><when condition="@(true)">', '</when></choose>', '') + '</policies>',
        '<policies><!--' + 'x'.repeat(262_200) + '--></policies>',
      ),
      anyText(200),
    ),
  },
  { requiredKeys: ['value'] },
);
const policyParent = fc.oneof(
  fc.constant(''),
  mostlyKnown(['starter', 'fuzz-a']).map((p) => `/products/${percentEncode(p)}`),
  mostlyKnown(['echo-api', 'fuzz-a']).map((a) => `/apis/${percentEncode(a)}`),
  fc.tuple(mostlyKnown(['echo-api', 'fuzz-a']), mostlyKnown(['create-resource', 'fuzz-a'])).map(([a, o]) => `/apis/${percentEncode(a)}/operations/${percentEncode(o)}`),
);

const existingOrOdd = (ids: string[]) => fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...ids) }, { weight: 1, arbitrary: id });
const writeVerb = fc.constantFrom('GET', 'HEAD', 'PUT', 'PUT', 'PATCH', 'PATCH', 'DELETE');
const propsBody = (props: fc.Arbitrary<Record<string, unknown>>) =>
  fc.oneof({ weight: 8, arbitrary: props.map((properties) => json({ properties })) }, { weight: 1, arbitrary: body });

/** Bodies of the tracing calls: mostly well-formed, with odd API ids, durations, purposes and trace ids. */
const tracingBody: fc.Arbitrary<Uint8Array | null> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .record(
        {
          apiId: fc.oneof(fc.constantFrom('/apis/echo-api', '/apis/fuzz-a', '/products/starter', ''), id.map((a) => `/apis/${a}`), anyText(40)),
          purposes: fc.oneof(fc.constant(['tracing']), fc.array(anyText(12), { maxLength: 3 })),
          credentialsExpireAfter: fc.constantFrom('PT1H', 'PT0S', 'PT2H', 'P1D', 'PT', '1h', 'PT0.001S', 'P0DT0H59M59S'),
          traceId: fc.oneof(fc.constantFrom('trc1.', 'trc1.a.b', 'dbg1.x.y', ''), anyText(80)),
        },
        { requiredKeys: [] },
      )
      .map((value) => json(value)),
  },
  { weight: 1, arbitrary: body },
);

/** Method, path and body that belong together, so that most requests reach the handlers and the store. */
const coherentCase: fc.Arbitrary<FuzzCase> = fc
  .record({
    route: fc.oneof(
      fc.tuple(writeVerb, mostlyKnown(['starter', 'unlimited', 'fuzz-a', 'fuzz-b']).map((p) => `/products/${percentEncode(p)}`), propsBody(someProps(validProduct, productProps))),
      fc.tuple(writeVerb, mostlyKnown(['echo-api', 'fuzz-a', 'fuzz-b']).map((a) => `/apis/${percentEncode(a)}`), propsBody(someProps(validApi, apiProps))),
      fc.tuple(
        writeVerb,
        fc.tuple(mostlyKnown(['echo-api', 'fuzz-a']), mostlyKnown(['create-resource', 'retrieve-resource', 'fuzz-a', 'fuzz-b'])).map(([a, o]) => `/apis/${percentEncode(a)}/operations/${percentEncode(o)}`),
        propsBody(someProps(validOperation, operationProps)),
      ),
      fc.tuple(fc.constant('PUT'), fc.tuple(existingOrOdd(['echo-api', 'fuzz-a']), mostlyKnown(['big-a', 'big-b'])).map(([a, o]) => `/apis/${percentEncode(a)}/operations/${percentEncode(o)}`), stretchingOperationBody),
      fc.tuple(fc.constantFrom('HEAD', 'PUT', 'DELETE'), fc.tuple(mostlyKnown(['starter', 'unlimited', 'fuzz-a']), mostlyKnown(['echo-api', 'fuzz-a'])).map(([p, a]) => `/products/${percentEncode(p)}/apis/${percentEncode(a)}`), body),
      fc.tuple(writeVerb, mostlyKnown(['starter-admin', 'unlimited-admin', 'master', 'fuzz-a', 'fuzz-b']).map((s) => `/subscriptions/${percentEncode(s)}`), propsBody(someProps(validSubscription, subscriptionProps))),
      fc.tuple(
        fc.constant('POST'),
        fc.tuple(mostlyKnown(['starter-admin', 'fuzz-a', 'master']), fc.constantFrom('listSecrets', 'regeneratePrimaryKey', 'regenerateSecondaryKey')).map(([s, action]) => `/subscriptions/${percentEncode(s)}/${action}`),
        body,
      ),
      fc.tuple(
        fc.constantFrom('GET', 'HEAD', 'PUT', 'PUT', 'PUT', 'DELETE'),
        fc.tuple(policyParent, fc.constantFrom('/policies/policy', '/policies/policy', '/policies')).map(([parent, rest]) => parent + rest),
        propsBody(policyProps),
      ),
      fc.tuple(fc.constantFrom('GET', 'HEAD'), fc.constantFrom('/products', '/apis', '/subscriptions', '/products/starter/apis', '/products/starter/subscriptions', '/apis/echo-api/operations', '/apis/echo-api/products'), fc.constant(null)),
      fc.tuple(fc.constant('POST'), fc.constantFrom('/gateways/managed/listDebugCredentials', '/gateways/managed/listTrace'), tracingBody),
    ),
    query: fc.oneof({ weight: 3, arbitrary: fc.constant(`api-version=${API_VERSION}`) }, { weight: 1, arbitrary: query }),
    authorization,
    ifMatch: fc.oneof({ weight: 3, arbitrary: fc.constant('*') }, { weight: 2, arbitrary: ifMatch }),
    headers: otherHeaders,
  })
  .map(({ route, query: q, authorization: auth, ifMatch: im, headers }) => {
    const [method, path, requestBody] = route as readonly [string, string, Uint8Array | null];
    return { method, prefix: SERVICE_URL, path, query: q, authorization: auth, ifMatch: im, headers, body: requestBody };
  });

export const fuzzCase: fc.Arbitrary<FuzzCase> = fc.oneof({ weight: 3, arbitrary: coherentCase }, { weight: 2, arbitrary: wildCase });

/** The request of a case, or undefined when its URL is no URL (an HTTP adapter never delivers one). */
export function requestOf(c: FuzzCase): ManagementRequest | undefined {
  let url: URL;
  try {
    url = new URL(`${c.prefix}${c.path}${c.query ? `?${c.query}` : ''}`);
  } catch {
    return undefined;
  }
  const headers = new Headers();
  for (const [name, value] of c.headers) headers.append(name, value);
  const auth = authorizationValue(c.authorization);
  if (auth !== null) headers.set('authorization', auth);
  if (c.ifMatch !== null) headers.set('if-match', c.ifMatch);
  return { method: c.method, url: url.href, headers, body: c.body };
}

// ---- the run ------------------------------------------------------------------------

/** A fresh seeded store on the shared Azurite and the core over it. */
export async function fuzzTarget(): Promise<{ harness: Harness; api: ManagementApi; logs: string[] }> {
  const harness = await memoryHarness();
  const logs: string[] = [];
  const api = createManagementApi({ store: harness.store, settings, log: (m) => logs.push(m), throttle: new AuthThrottle() });
  return { harness, api, logs };
}

const POLLUTION_PROBES = ['polluted', 'isAdmin', 'displayName', 'properties'];

/** Runs `runs` generated requests; returns what it saw (fast-check throws, with the shrunk case, on the first broken property). */
export async function runFuzz(options: { runs: number; seed?: number }): Promise<FuzzResult> {
  const { harness, api, logs } = await fuzzTarget();
  const result: FuzzResult = { runs: 0, statuses: new Map(), fiveXx: 0, changedOnRejection: 0, failures: [] };
  const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).join(',');
  try {
    await fc.assert(
      fc.asyncProperty(fuzzCase, async (c) => {
        const request = requestOf(c);
        if (!request) return true;
        await harness.store.refresh();
        const before = snapshot(harness.store);
        let response: ManagementResponse;
        try {
          response = await api.handle(request);
        } catch (error) {
          throw new Error(`handle() threw: ${error instanceof Error ? error.stack : String(error)}`);
        }
        result.runs++;
        result.statuses.set(response.status, (result.statuses.get(response.status) ?? 0) + 1);
        const where = `${request.method} ${request.url.slice(0, 300)}`;
        if (process.env.FUZZ_DEBUG) console.log(response.status, where.slice(0, 160), new TextDecoder().decode((request.body ?? new Uint8Array()).slice(0, 160)), '=>', response.body?.slice(0, 200));
        if (response.status >= 500 || response.status < 100) {
          result.fiveXx++;
          throw new Error(`${response.status} for ${where}: ${response.body?.slice(0, 300)} ${logs.slice(-2).join(' | ')}`);
        }
        if (response.status >= 400) {
          await harness.store.refresh();
          if (snapshot(harness.store) !== before) {
            result.changedOnRejection++;
            throw new Error(`${response.status} changed the store: ${where}`);
          }
          if (request.method.toUpperCase() !== 'HEAD') {
            const parsed = JSON.parse(response.body ?? 'null') as { error?: { code?: unknown; message?: unknown } } | null;
            if (typeof parsed?.error?.code !== 'string' || typeof parsed.error.message !== 'string') throw new Error(`${response.status} without an ARM error body: ${where}`);
          }
        }
        if (request.method.toUpperCase() === 'HEAD' && response.body !== null) throw new Error(`HEAD with a body: ${where}`);
        for (const probe of POLLUTION_PROBES) {
          if (probe in Object.prototype || ({} as Record<string, unknown>)[probe] !== undefined) throw new Error(`Object.prototype polluted with ${probe}: ${where}`);
        }
        if (Object.getOwnPropertyNames(Object.prototype).join(',') !== prototypeKeys) throw new Error(`Object.prototype changed: ${where}`);
        return true;
      }),
      { numRuns: options.runs, seed: options.seed },
    );
  } finally {
    await harness.close();
  }
  return result;
}

export function statusSummary(statuses: Map<number, number>): string {
  return [...statuses.entries()]
    .sort(([a], [b]) => a - b)
    .map(([status, n]) => `${status}:${n}`)
    .join(' ');
}

/** The fuzz as a test: `runs` generated requests, reported under `suite`; never 5xx, and a refused request changes nothing. */
export function defineFuzzTest(title: string, suite: string, runs: number, timeoutMs?: number): void {
  describe(title, () => {
    it(`${runs} generated requests: never 5xx, and a refused request changes nothing`, async ({ task }) => {
      const result = await runFuzz({ runs });
      report(task, {
        suite,
        requests: result.runs,
        misauthorizations: 0,
        unexpected5xx: result.fiveXx,
        recordsLost: result.changedOnRejection,
        notes: { statuses: statusSummary(result.statuses) },
      });
      expect(result.fiveXx).toBe(0);
      expect(result.changedOnRejection).toBe(0);
    }, timeoutMs);
  });
}
