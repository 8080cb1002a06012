import { z } from 'zod';
import { conflict, invalidField, resourceNotFound } from '../apim/armErrors';
import { apiResource } from '../apim/armContracts';
import type { CatalogIndex } from '../catalog/catalogIndex';
import type { CatalogChange } from '../catalog/catalogStore';
import { policyRef } from '../catalog/tableCodec';
import { DEFAULT_KEY_HEADER, DEFAULT_KEY_QUERY, apiSchema, apiTypes, normalizeApiPath, type Api, type ApiType } from '../catalog/records';
import { check, definedOnly, readProperties } from './body';
import { checkIfMatch, etagOf, formatEtag, parseIfMatch, requireIfMatch } from './etag';
import { pageOf } from './paging';
import { filterOf, type FilterField } from './filter';
import { booleanQuery, byId } from './query';
import { deleteResponse, jsonResponse, resourceResponse } from './respond';
import { route, type Route, type RouteContext } from './router';

/** APIs: `/apis`, `/apis/{apiId}` (docs/apim-behaviour.md#resource-properties). */

const a = apiSchema.shape;
const names = a.subscriptionKeyParameterNames.shape;

/**
 * HTTP and SOAP pass-through APIs; another type (websocket, graphql, ...) is refused,
 * not silently turned into HTTP. `apiType` is the create parameter, `type` the contract's.
 */
const apiTypeField = z.enum(apiTypes, { message: "only 'http' and 'soap' APIs are supported" }).optional();

/** The type a PUT or PATCH asks for: `apiType` or `type`; both given, they must agree. */
function requestedType(props: { type?: ApiType | undefined; apiType?: ApiType | undefined }): ApiType | undefined {
  if (props.type !== undefined && props.apiType !== undefined && props.type !== props.apiType) {
    throw invalidField('properties.apiType', "must equal 'type' when both are given");
  }
  return props.apiType ?? props.type;
}

/** PUT `properties`. `displayName` and `path` required; read-only `apiRevision`/`isCurrent` ignored. */
const apiPutProperties = z.object({
  displayName: a.displayName,
  description: a.description,
  path: a.path.regex(/^[^?#%\\\s]*$/, { message: 'must be a URL path without ? # % \\ or whitespace' }),
  serviceUrl: z.url({ protocol: /^https?$/, message: 'must be an absolute http or https URL' }).max(2000).nullish(),
  protocols: a.protocols.optional(),
  subscriptionRequired: a.subscriptionRequired.optional(),
  subscriptionKeyParameterNames: z.object({ header: names.header.optional(), query: names.query.optional() }).nullish(),
  type: apiTypeField,
  apiType: apiTypeField,
  format: z.undefined({ message: 'importing an API definition (format/value) is not supported' }).optional(),
});

const apiPatchProperties = apiPutProperties.partial();

const ref = (id: string) => ({ kind: 'api' as const, id });

/** The API, or 404 in APIM's words. */
export function requireApi(index: CatalogIndex, id: string): Api {
  const api = index.getApi(id);
  if (!api) throw resourceNotFound('Api');
  return api;
}

/** The record as stored: path normalised (the gateway matches it so), checked by the catalog schema, path unique. */
function checkedApi(index: CatalogIndex, api: Api): Api {
  const checked = check(apiSchema, { ...api, path: normalizeApiPath(api.path) }, 'properties');
  const holder = index.apiByPath(checked.path);
  if (holder && holder.id !== checked.id) throw conflict(`Another API already uses the path '${checked.path}'.`);
  return checked;
}

/** The fields of APIM's API list `$filter`; every API here is its current revision. */
export const API_FILTER: Readonly<Record<string, FilterField<Api>>> = {
  name: { text: (api) => api.id },
  displayName: { text: (api) => api.displayName },
  description: { text: (api) => api.description },
  serviceUrl: { text: (api) => api.serviceUrl },
  path: { text: (api) => api.path },
  isCurrent: { flag: () => true },
};

function list(ctx: RouteContext) {
  const apis = byId(ctx.store.index.listApis().filter(filterOf(ctx.url, API_FILTER)));
  return jsonResponse(200, pageOf(apis, ctx.url, (api) => apiResource(ctx.service, api)));
}

function get(ctx: RouteContext) {
  const id = ctx.params.apiId!;
  const api = requireApi(ctx.store.index, id);
  return resourceResponse(200, apiResource(ctx.service, api), etagOf(ctx.store.index, ref(id)));
}

/** Creates or replaces; a PUT that answers with the body and no `Location` completes the SDK's long-running operation at once. */
async function put(ctx: RouteContext) {
  const id = ctx.params.apiId!;
  const props = readProperties(ctx.body, apiPutProperties);
  const ifMatch = parseIfMatch(ctx.headers);
  const { value, version } = await ctx.store.mutate((index) => {
    const existing = index.getApi(id);
    checkIfMatch(ifMatch, existing && etagOf(index, ref(id)));
    const api = checkedApi(index, {
      id,
      displayName: props.displayName,
      description: props.description ?? null,
      path: props.path,
      serviceUrl: props.serviceUrl ?? null,
      protocols: props.protocols ?? ['https'],
      subscriptionRequired: props.subscriptionRequired ?? true,
      subscriptionKeyParameterNames: {
        header: props.subscriptionKeyParameterNames?.header ?? DEFAULT_KEY_HEADER,
        query: props.subscriptionKeyParameterNames?.query ?? DEFAULT_KEY_QUERY,
      },
      type: requestedType(props) ?? 'http',
    });
    return { changes: [{ put: { kind: 'api', value: api } }], value: { api, created: !existing } };
  });
  return resourceResponse(value.created ? 201 : 200, apiResource(ctx.service, value.api), formatEtag(version));
}

async function patch(ctx: RouteContext) {
  const id = ctx.params.apiId!;
  // `format` is only a guard: the catalog schema strips it from the record.
  const { subscriptionKeyParameterNames: keyNames, type, apiType, ...props } = readProperties(ctx.body, apiPatchProperties);
  const requested = requestedType({ type, apiType });
  const ifMatch = requireIfMatch(ctx.headers);
  const { value, version } = await ctx.store.mutate((index) => {
    const existing = requireApi(index, id);
    checkIfMatch(ifMatch, etagOf(index, ref(id)));
    const api = checkedApi(index, {
      ...existing,
      ...definedOnly(props),
      type: requested ?? existing.type ?? 'http',
      // Each name can change alone; null resets both to APIM's defaults.
      subscriptionKeyParameterNames:
        keyNames === null
          ? { header: DEFAULT_KEY_HEADER, query: DEFAULT_KEY_QUERY }
          : { ...existing.subscriptionKeyParameterNames, ...definedOnly(keyNames ?? {}) },
    });
    return { changes: [{ put: { kind: 'api', value: api } }], value: api };
  });
  return resourceResponse(200, apiResource(ctx.service, value), formatEtag(version));
}

/**
 * Deletes the API with its operations, its and their policy documents, its
 * product links and the subscriptions scoped to it (decision: a subscription must never point at a missing scope, and
 * must not silently regain access if an API of the same id is created later).
 * One `mutate`: all or nothing. `deleteRevisions` is accepted; the lab has one revision.
 */
async function remove(ctx: RouteContext) {
  const id = ctx.params.apiId!;
  const ifMatch = requireIfMatch(ctx.headers);
  booleanQuery(ctx.url, 'deleteRevisions');
  const { value: deleted } = await ctx.store.mutate((index) => {
    if (!index.getApi(id)) return { changes: [], value: false };
    checkIfMatch(ifMatch, etagOf(index, ref(id)));
    const changes: CatalogChange[] = [
      ...index
        .listPolicies()
        .filter((policy) => (policy.scope === 'api' || policy.scope === 'operation') && policy.apiId === id)
        .map((policy): CatalogChange => ({ delete: policyRef(policy) })),
      ...index.operationsOf(id).map((op): CatalogChange => ({ delete: { kind: 'operation', apiId: id, id: op.id } })),
      ...index
        .listLinks()
        .filter((link) => link.apiId === id)
        .map((link): CatalogChange => ({ delete: { kind: 'link', ...link } })),
      ...index
        .listSubscriptions()
        .filter((s) => s.scope === `/apis/${id}`)
        .map((s): CatalogChange => ({ delete: { kind: 'subscription', id: s.id } })),
      { delete: ref(id) },
    ];
    return { changes, value: true };
  });
  return deleteResponse(deleted);
}

/** Routes of `/apis` and `/apis/{apiId}`. */
export const apiRoutes: Route[] = [
  route('/apis', { GET: list }),
  route('/apis/{apiId}', { GET: get, HEAD: get, PUT: put, PATCH: patch, DELETE: remove }),
];
