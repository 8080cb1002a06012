import { z } from 'zod';
import { invalidField, invalidPolicyDocument, resourceNotFound } from '../apim/armErrors';
import { policyResource, type PolicyContract } from '../apim/armContracts';
import type { CatalogIndex } from '../catalog/catalogIndex';
import { policyFormats, type PolicyFormat, type PolicyRecord, type PolicyScopeRef } from '../catalog/records';
import { policyRef } from '../catalog/tableCodec';
import { PolicyError } from '../policy/context';
import { parsePolicyDocument } from '../policy/document';
import { rawxmlToXml, xmlToRawxml } from '../policy/rawxml';
import { requireApi } from './apis';
import { readProperties } from './body';
import { checkIfMatch, etagOf, formatEtag, parseIfMatch, requireIfMatch } from './etag';
import { requireOperation } from './operations';
import { requireProduct } from './products';
import { enumQuery } from './query';
import { deleteResponse, jsonResponse, resourceResponse } from './respond';
import { route, type Route, type RouteContext } from './router';

/**
 * Policy documents: `{scope}/policies/policy` at the service, a product, an API
 * and an operation, and the list forms `{scope}/policies` (a collection of the
 * one document, or empty). A document is validated and compiled when written,
 * and stored as written; GET `?format=` converts between `xml` and `rawxml`.
 */

/** What APIM's `format` may be; the `-link` forms make APIM fetch the document from a URL. */
const WIRE_FORMATS = ['xml', 'rawxml', 'xml-link', 'rawxml-link'] as const;

const policyPutProperties = z.object({
  format: z
    .string()
    .transform((format) => format.toLowerCase())
    .pipe(z.enum(WIRE_FORMATS, { message: `must be one of ${WIRE_FORMATS.join(', ')}` }))
    .optional(),
  value: z.string({ message: 'is required: the policy document' }),
});

type ScopeKind = PolicyScopeRef['scope'];

/** The scope a route addresses, from its path parameters. */
function scopeOf(kind: ScopeKind, params: Readonly<Record<string, string>>): PolicyScopeRef {
  switch (kind) {
    case 'global':
      return { scope: 'global' };
    case 'product':
      return { scope: 'product', productId: params.productId! };
    case 'api':
      return { scope: 'api', apiId: params.apiId! };
    case 'operation':
      return { scope: 'operation', apiId: params.apiId!, operationId: params.operationId! };
  }
}

/** The scope's owner must exist: 404 in APIM's words otherwise, as for other child resources. */
function requireScope(index: CatalogIndex, scope: PolicyScopeRef): void {
  switch (scope.scope) {
    case 'global':
      return;
    case 'product':
      requireProduct(index, scope.productId);
      return;
    case 'api':
      requireApi(index, scope.apiId);
      return;
    case 'operation':
      requireOperation(index, scope.apiId, scope.operationId);
      return;
  }
}

/** The document as asked for by `?format=` (default: as written). */
function contractOf(url: URL, record: PolicyRecord): PolicyContract {
  const format = enumQuery(url, 'format', policyFormats) ?? record.format;
  if (format === record.format) return { format, value: record.value };
  return { format, value: format === 'xml' ? rawxmlToXml(record.value) : xmlToRawxml(record.value) };
}

/** Refuses a document the gateway could not run, naming element, line and column. */
function validate(value: string, format: PolicyFormat, scope: PolicyScopeRef): void {
  try {
    parsePolicyDocument(value, format, scope.scope);
  } catch (error) {
    if (error instanceof PolicyError) throw invalidPolicyDocument(error.detail);
    throw error;
  }
}

function list(kind: ScopeKind) {
  return (ctx: RouteContext) => {
    const scope = scopeOf(kind, ctx.params);
    requireScope(ctx.store.index, scope);
    const record = ctx.store.index.policyDocument(scope);
    const value = record ? [policyResource(ctx.service, scope, contractOf(ctx.url, record))] : [];
    return jsonResponse(200, { value, count: value.length, nextLink: null });
  };
}

function get(kind: ScopeKind) {
  return (ctx: RouteContext) => {
    const scope = scopeOf(kind, ctx.params);
    const index = ctx.store.index;
    requireScope(index, scope);
    const record = index.policyDocument(scope);
    if (!record) throw resourceNotFound('Policy');
    return resourceResponse(200, policyResource(ctx.service, scope, contractOf(ctx.url, record)), etagOf(index, policyRef(scope)));
  };
}

/**
 * Creates or replaces. `If-Match: *` also creates, as APIM's own examples do;
 * an entity tag must match the current document. The document is compiled
 * before the write (outside the write queue): a refused one writes nothing.
 */
function put(kind: ScopeKind) {
  return async (ctx: RouteContext) => {
    const scope = scopeOf(kind, ctx.params);
    const props = readProperties(ctx.body, policyPutProperties);
    const ifMatch = parseIfMatch(ctx.headers);
    const format = props.format ?? 'xml';
    if (format === 'xml-link' || format === 'rawxml-link') {
      throw invalidField('properties.format', `'${format}' (a document fetched from a URL) is not supported: send the document itself, with format 'xml' or 'rawxml'.`);
    }
    requireScope(ctx.store.index, scope);
    validate(props.value, format, scope);
    const record: PolicyRecord = { ...scope, format, value: props.value };
    const { value: created, version } = await ctx.store.mutate((index) => {
      requireScope(index, scope);
      const current = etagOf(index, policyRef(scope));
      if (!ifMatch?.any) checkIfMatch(ifMatch, current);
      return { changes: [{ put: { kind: 'policy', value: record } }], value: current === undefined };
    });
    return resourceResponse(created ? 201 : 200, policyResource(ctx.service, scope, { format, value: record.value }), formatEtag(version));
  };
}

/** Deletes the document; the scope's default applies again. 204 when there was none. */
function remove(kind: ScopeKind) {
  return async (ctx: RouteContext) => {
    const scope = scopeOf(kind, ctx.params);
    const ifMatch = requireIfMatch(ctx.headers);
    const { value: deleted } = await ctx.store.mutate((index) => {
      const ref = policyRef(scope);
      if (!index.policyDocument(scope)) return { changes: [], value: false };
      checkIfMatch(ifMatch, etagOf(index, ref));
      return { changes: [{ delete: ref }], value: true };
    });
    return deleteResponse(deleted);
  };
}

function policyRoutesAt(parent: string, kind: ScopeKind): Route[] {
  const one = get(kind);
  return [
    route(`${parent}/policies`, { GET: list(kind) }),
    route(`${parent}/policies/policy`, { GET: one, HEAD: one, PUT: put(kind), DELETE: remove(kind) }),
  ];
}

/** Routes of the policy documents of the four scopes. */
export const policyRoutes: Route[] = [
  ...policyRoutesAt('', 'global'),
  ...policyRoutesAt('/products/{productId}', 'product'),
  ...policyRoutesAt('/apis/{apiId}', 'api'),
  ...policyRoutesAt('/apis/{apiId}/operations/{operationId}', 'operation'),
];
