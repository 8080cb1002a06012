import { z } from 'zod';
import { conflict, invalidField, resourceNotFound } from '../apim/armErrors';
import { operationResource } from '../apim/armContracts';
import type { CatalogIndex } from '../catalog/catalogIndex';
import { policyRef } from '../catalog/tableCodec';
import { operationSchema, parameterSchema, type Operation } from '../catalog/records';
import { requireApi } from './apis';
import { check, definedOnly, readProperties } from './body';
import { checkIfMatch, etagOf, formatEtag, parseIfMatch, requireIfMatch } from './etag';
import { pageOf } from './paging';
import { filterOf, type FilterField } from './filter';
import { byId } from './query';
import { deleteResponse, jsonResponse, resourceResponse } from './respond';
import { route, type Route, type RouteContext } from './router';

/** Operations: `/apis/{apiId}/operations[/{operationId}]` (docs/apim-behaviour.md#resource-properties). */

const o = operationSchema.shape;
const parameters = z.array(parameterSchema).max(256);

/** Written without defaults, so a PATCH that leaves a member out leaves it alone. */
const requestProperties = z.object({
  description: z.string().max(4000).nullish(),
  queryParameters: parameters.optional(),
  headers: parameters.optional(),
  representations: z.array(z.unknown()).max(256).optional(),
});

const operationPutProperties = z.object({
  displayName: o.displayName,
  description: o.description,
  method: o.method,
  urlTemplate: o.urlTemplate,
  templateParameters: parameters.optional(),
  request: requestProperties.nullish(),
  responses: z.array(z.unknown()).max(256).optional(),
});

const operationPatchProperties = operationPutProperties.partial();

const ref = (apiId: string, id: string) => ({ kind: 'operation' as const, apiId, id });

/** The operation (its API first), or 404 in APIM's words. */
export function requireOperation(index: CatalogIndex, apiId: string, id: string): Operation {
  requireApi(index, apiId);
  const operation = index.getOperation(apiId, id);
  if (!operation) throw resourceNotFound('Operation');
  return operation;
}

/** `{name}` parameters of a URL template, path and query alike. */
function templateNames(urlTemplate: string): string[] {
  return [...urlTemplate.matchAll(/\{\*?([^{}=]+)(?:=[^{}]*)?\}/g)].map((m) => m[1]!.trim());
}

/** `GET /users/{id}` and `get /Users/{userId}` are the same route to the gateway. */
function routeKey(op: Operation): string {
  return `${op.method} ${op.urlTemplate.replace(/\{[^{}]*\}/g, '{}').toLowerCase()}`;
}

/**
 * The final record: checked by the catalog schema; every template parameter in
 * the URL template defined and every defined one used (APIM's rule); no other
 * operation of the API with the same method and template (the gateway could not
 * tell them apart).
 */
function checkedOperation(index: CatalogIndex, operation: Operation): Operation {
  const checked = check(operationSchema, operation, 'properties');
  const used = new Set(templateNames(checked.urlTemplate));
  const defined = new Set(checked.templateParameters.map((p) => p.name));
  const undefinedNames = [...used].filter((n) => !defined.has(n));
  const unusedNames = [...defined].filter((n) => !used.has(n));
  if (undefinedNames.length > 0 || unusedNames.length > 0) {
    throw invalidField(
      'properties.templateParameters',
      'All template parameters used in the UriTemplate must be defined in the Operation, and vice-versa.',
    );
  }
  const key = routeKey(checked);
  const twin = index.operationsOf(checked.apiId).find((op) => op.id !== checked.id && routeKey(op) === key);
  if (twin) throw conflict(`Operation '${twin.id}' of this API already has the same method and URL template.`);
  return checked;
}

/** The fields of APIM's operation list `$filter`. */
const OPERATION_FILTER: Readonly<Record<string, FilterField<Operation>>> = {
  name: { text: (op) => op.id },
  displayName: { text: (op) => op.displayName },
  method: { text: (op) => op.method },
  description: { text: (op) => op.description },
  urlTemplate: { text: (op) => op.urlTemplate },
};

function list(ctx: RouteContext) {
  const apiId = ctx.params.apiId!;
  requireApi(ctx.store.index, apiId);
  const matches = filterOf(ctx.url, OPERATION_FILTER);
  const operations = byId(ctx.store.index.operationsOf(apiId).filter(matches));
  return jsonResponse(200, pageOf(operations, ctx.url, (op) => operationResource(ctx.service, op)));
}

function get(ctx: RouteContext) {
  const { apiId, operationId } = ctx.params as { apiId: string; operationId: string };
  const operation = requireOperation(ctx.store.index, apiId, operationId);
  return resourceResponse(200, operationResource(ctx.service, operation), etagOf(ctx.store.index, ref(apiId, operationId)));
}

/** Creates or replaces; the API must exist (404 otherwise). */
async function put(ctx: RouteContext) {
  const { apiId, operationId } = ctx.params as { apiId: string; operationId: string };
  const props = readProperties(ctx.body, operationPutProperties);
  const ifMatch = parseIfMatch(ctx.headers);
  const { value, version } = await ctx.store.mutate((index) => {
    requireApi(index, apiId);
    const existing = index.getOperation(apiId, operationId);
    checkIfMatch(ifMatch, existing && etagOf(index, ref(apiId, operationId)));
    const operation = checkedOperation(index, {
      apiId,
      id: operationId,
      displayName: props.displayName,
      description: props.description ?? null,
      method: props.method,
      urlTemplate: props.urlTemplate,
      templateParameters: props.templateParameters ?? [],
      request: {
        description: props.request?.description ?? null,
        queryParameters: props.request?.queryParameters ?? [],
        headers: props.request?.headers ?? [],
        representations: props.request?.representations ?? [],
      },
      responses: props.responses ?? [],
    });
    return { changes: [{ put: { kind: 'operation', value: operation } }], value: { operation, created: !existing } };
  });
  return resourceResponse(value.created ? 201 : 200, operationResource(ctx.service, value.operation), formatEtag(version));
}

async function patch(ctx: RouteContext) {
  const { apiId, operationId } = ctx.params as { apiId: string; operationId: string };
  const { request, ...props } = readProperties(ctx.body, operationPatchProperties);
  const ifMatch = requireIfMatch(ctx.headers);
  const { value, version } = await ctx.store.mutate((index) => {
    const existing = requireOperation(index, apiId, operationId);
    checkIfMatch(ifMatch, etagOf(index, ref(apiId, operationId)));
    const operation = checkedOperation(index, {
      ...existing,
      ...definedOnly(props),
      request: request === null ? { queryParameters: [], headers: [], representations: [] } : { ...existing.request, ...definedOnly(request ?? {}) },
    });
    return { changes: [{ put: { kind: 'operation', value: operation } }], value: operation };
  });
  return resourceResponse(200, operationResource(ctx.service, value), formatEtag(version));
}

async function remove(ctx: RouteContext) {
  const { apiId, operationId } = ctx.params as { apiId: string; operationId: string };
  const ifMatch = requireIfMatch(ctx.headers);
  const { value: deleted } = await ctx.store.mutate((index) => {
    if (!index.getOperation(apiId, operationId)) return { changes: [], value: false };
    checkIfMatch(ifMatch, etagOf(index, ref(apiId, operationId)));
    const scope = { scope: 'operation' as const, apiId, operationId };
    const document = index.policyDocument(scope) ? [{ delete: policyRef(scope) }] : [];
    return { changes: [...document, { delete: ref(apiId, operationId) }], value: true };
  });
  return deleteResponse(deleted);
}

/** Routes of `/apis/{apiId}/operations[/{operationId}]`. */
export const operationRoutes: Route[] = [
  route('/apis/{apiId}/operations', { GET: list }),
  route('/apis/{apiId}/operations/{operationId}', { GET: get, HEAD: get, PUT: put, PATCH: patch, DELETE: remove }),
];
