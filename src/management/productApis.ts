import { resourceNotFound } from '../apim/armErrors';
import { apiResource, productResource } from '../apim/armContracts';
import { requireApi } from './apis';
import { pageOf } from './paging';
import { requireProduct } from './products';
import { API_FILTER } from './apis';
import { filterOf } from './filter';
import { PRODUCT_FILTER } from './products';
import { byId } from './query';
import { deleteResponse, emptyResponse, jsonResponse } from './respond';
import { route, type Route, type RouteContext } from './router';

/**
 * Product <-> API links: `/products/{productId}/apis[/{apiId}]` and, the other
 * way round, `GET /apis/{apiId}/products`. A link has no properties and no ETag
 * in APIM: PUT answers with the API (under the product's id and type), DELETE
 * needs no If-Match, HEAD answers 204 when linked.
 */

function apisOfProduct(ctx: RouteContext) {
  const productId = ctx.params.productId!;
  requireProduct(ctx.store.index, productId);
  const matches = filterOf(ctx.url, API_FILTER);
  const apis = byId(ctx.store.index.apisOfProduct(productId).filter(matches));
  return jsonResponse(200, pageOf(apis, ctx.url, (api) => apiResource(ctx.service, api, productId)));
}

function productsOfApi(ctx: RouteContext) {
  const apiId = ctx.params.apiId!;
  requireApi(ctx.store.index, apiId);
  const matches = filterOf(ctx.url, PRODUCT_FILTER);
  const products = byId(ctx.store.index.productsOfApi(apiId).filter(matches));
  return jsonResponse(200, pageOf(products, ctx.url, (product) => productResource(ctx.service, product, apiId)));
}

/** 204 when linked, 404 otherwise (what the SDK's `checkEntityExists` expects). */
function head(ctx: RouteContext) {
  const { productId, apiId } = ctx.params as { productId: string; apiId: string };
  if (!ctx.store.index.hasLink(productId, apiId)) throw resourceNotFound('Product API link');
  return emptyResponse(204);
}

/** Links both, which must exist (404 naming the missing one): 201 when new, 200 when already linked. */
async function link(ctx: RouteContext) {
  const { productId, apiId } = ctx.params as { productId: string; apiId: string };
  const { value } = await ctx.store.mutate((index) => {
    requireProduct(index, productId);
    const api = requireApi(index, apiId);
    const created = !index.hasLink(productId, apiId);
    return { changes: created ? [{ put: { kind: 'link', value: { productId, apiId } } }] : [], value: { api, created } };
  });
  return jsonResponse(value.created ? 201 : 200, apiResource(ctx.service, value.api, productId));
}

async function unlink(ctx: RouteContext) {
  const { productId, apiId } = ctx.params as { productId: string; apiId: string };
  const { value: deleted } = await ctx.store.mutate((index) =>
    index.hasLink(productId, apiId)
      ? { changes: [{ delete: { kind: 'link', productId, apiId } }], value: true }
      : { changes: [], value: false },
  );
  return deleteResponse(deleted);
}

/** Routes of the links, both directions. */
export const productApiRoutes: Route[] = [
  route('/products/{productId}/apis', { GET: apisOfProduct }),
  route('/products/{productId}/apis/{apiId}', { HEAD: head, PUT: link, DELETE: unlink }),
  route('/apis/{apiId}/products', { GET: productsOfApi }),
];
