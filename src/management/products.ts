import { z } from 'zod';
import { conflict, invalidField, resourceNotFound } from '../apim/armErrors';
import { productResource } from '../apim/armContracts';
import type { CatalogIndex } from '../catalog/catalogIndex';
import type { CatalogChange } from '../catalog/catalogStore';
import { productSchema, type Product } from '../catalog/records';
import { policyRef } from '../catalog/tableCodec';
import { check, definedOnly, readProperties } from './body';
import { checkIfMatch, etagOf, formatEtag, parseIfMatch, requireIfMatch } from './etag';
import { pageOf } from './paging';
import { filterOf, type FilterField } from './filter';
import { booleanQuery, byId } from './query';
import { deleteResponse, jsonResponse, resourceResponse } from './respond';
import { route, type Route, type RouteContext } from './router';

/** Products: `/products`, `/products/{productId}` (docs/apim-behaviour.md#resource-properties). */

const p = productSchema.shape;

/** PUT `properties`: `displayName` required; the rest default as in APIM. */
const productPutProperties = z.object({
  displayName: p.displayName,
  description: p.description,
  terms: p.terms,
  subscriptionRequired: p.subscriptionRequired.optional(),
  approvalRequired: p.approvalRequired.optional(),
  subscriptionsLimit: p.subscriptionsLimit.optional(),
  state: p.state.optional(),
});

/** PATCH `properties`: any subset. */
const productPatchProperties = productPutProperties.partial();

const ref = (id: string) => ({ kind: 'product' as const, id });

/** The product, or 404 in APIM's words. */
export function requireProduct(index: CatalogIndex, id: string): Product {
  const product = index.getProduct(id);
  if (!product) throw resourceNotFound('Product');
  return product;
}

/**
 * The final record, checked by the catalog's own schema (what storage would
 * refuse to load must never be written) and by APIM's rule that approval and a
 * subscription limit only apply to products that require subscriptions.
 */
function checkedProduct(product: Product): Product {
  const checked = check(productSchema, product, 'properties');
  if (!checked.subscriptionRequired) {
    if (checked.approvalRequired) throw invalidField('properties.approvalRequired', 'can be true only when subscriptionRequired is true');
    if (checked.subscriptionsLimit !== null) throw invalidField('properties.subscriptionsLimit', 'can be set only when subscriptionRequired is true');
  }
  return checked;
}

/** The fields of APIM's product list `$filter`; `state` takes `eq` only. */
export const PRODUCT_FILTER: Readonly<Record<string, FilterField<Product>>> = {
  name: { text: (product) => product.id },
  displayName: { text: (product) => product.displayName },
  description: { text: (product) => product.description },
  terms: { text: (product) => product.terms },
  state: { text: (product) => product.state, eqOnly: true },
};

function list(ctx: RouteContext) {
  const products = byId(ctx.store.index.listProducts().filter(filterOf(ctx.url, PRODUCT_FILTER)));
  return jsonResponse(200, pageOf(products, ctx.url, (product) => productResource(ctx.service, product)));
}

function get(ctx: RouteContext) {
  const id = ctx.params.productId!;
  const product = requireProduct(ctx.store.index, id);
  return resourceResponse(200, productResource(ctx.service, product), etagOf(ctx.store.index, ref(id)));
}

async function put(ctx: RouteContext) {
  const id = ctx.params.productId!;
  const props = readProperties(ctx.body, productPutProperties);
  const ifMatch = parseIfMatch(ctx.headers);
  const { value, version } = await ctx.store.mutate((index) => {
    const existing = index.getProduct(id);
    checkIfMatch(ifMatch, existing && etagOf(index, ref(id)));
    const product = checkedProduct({
      id,
      displayName: props.displayName,
      description: props.description ?? null,
      terms: props.terms ?? null,
      subscriptionRequired: props.subscriptionRequired ?? true,
      approvalRequired: props.approvalRequired ?? false,
      subscriptionsLimit: props.subscriptionsLimit ?? null,
      state: props.state ?? 'notPublished',
    });
    return { changes: [{ put: { kind: 'product', value: product } }], value: { product, created: !existing } };
  });
  return resourceResponse(value.created ? 201 : 200, productResource(ctx.service, value.product), formatEtag(version));
}

async function patch(ctx: RouteContext) {
  const id = ctx.params.productId!;
  const props = readProperties(ctx.body, productPatchProperties);
  const ifMatch = requireIfMatch(ctx.headers);
  const { value, version } = await ctx.store.mutate((index) => {
    const existing = requireProduct(index, id);
    checkIfMatch(ifMatch, etagOf(index, ref(id)));
    const product = checkedProduct({ ...existing, ...definedOnly(props) });
    return { changes: [{ put: { kind: 'product', value: product } }], value: product };
  });
  return resourceResponse(200, productResource(ctx.service, value), formatEtag(version));
}

/**
 * Deletes the product with its policy document and its API links. Its subscriptions go too when
 * `deleteSubscriptions=true`; otherwise their existence is a 409, as in APIM.
 */
async function remove(ctx: RouteContext) {
  const id = ctx.params.productId!;
  const ifMatch = requireIfMatch(ctx.headers);
  const deleteSubscriptions = booleanQuery(ctx.url, 'deleteSubscriptions') ?? false;
  const { value: deleted } = await ctx.store.mutate((index) => {
    if (!index.getProduct(id)) return { changes: [], value: false };
    checkIfMatch(ifMatch, etagOf(index, ref(id)));
    const subscriptions = index.listSubscriptions().filter((s) => s.scope === `/products/${id}`);
    if (subscriptions.length > 0 && !deleteSubscriptions) {
      throw conflict(`Product has ${subscriptions.length} subscription(s). Delete them first, or delete with deleteSubscriptions=true.`);
    }
    const scope = { scope: 'product' as const, productId: id };
    const changes: CatalogChange[] = [
      ...(index.policyDocument(scope) ? [{ delete: policyRef(scope) }] : []),
      ...index
        .listLinks()
        .filter((link) => link.productId === id)
        .map((link): CatalogChange => ({ delete: { kind: 'link', ...link } })),
      ...subscriptions.map((s): CatalogChange => ({ delete: { kind: 'subscription', id: s.id } })),
      { delete: ref(id) },
    ];
    return { changes, value: true };
  });
  return deleteResponse(deleted);
}

/** Routes of `/products` and `/products/{productId}`. */
export const productRoutes: Route[] = [
  route('/products', { GET: list }),
  route('/products/{productId}', { GET: get, HEAD: get, PUT: put, PATCH: patch, DELETE: remove }),
];
