import type { ConsoleContext } from './context';
import { byId, clear, el, messageOf, say } from './dom';
import { seg } from './paths';
import type { EffectivePolicyView, ProductResource } from './types';

/**
 * APIM's "Calculate effective policy" for the operation shown: pick no product or
 * one, read the composed document from the app and show it as text.
 */

const NO_PRODUCT = '';

/** The products to choose from: none (a call without a product's subscription), then each product. */
export async function loadPolicyProducts(ctx: ConsoleContext): Promise<void> {
  const select = byId<HTMLSelectElement>('policy-product');
  const previous = select.value;
  let products: ProductResource[] = [];
  try {
    products = await ctx.client.listAll<ProductResource>('/products');
  } catch (error) {
    say('policy-status', `Could not list the products: ${messageOf(error)}`, 'error');
  }
  clear(select);
  select.appendChild(el('option', { value: NO_PRODUCT, text: 'None (no product scope)' }));
  for (const product of products) select.appendChild(el('option', { value: product.name, text: product.properties.displayName }));
  if (products.some((product) => product.name === previous)) select.value = previous;
}

/** Shows the panel for the operation just picked, and calculates its effective policy. */
export function showPolicyPanel(ctx: ConsoleContext): void {
  const panel = byId('effective-policy');
  panel.hidden = !ctx.state.operation;
  if (!panel.hidden) void calculatePolicy(ctx);
}

export async function calculatePolicy(ctx: ConsoleContext): Promise<void> {
  const { state } = ctx;
  const api = state.api;
  const operation = state.operation;
  if (!api || !operation) return;
  const productId = byId<HTMLSelectElement>('policy-product').value;
  const seq = ++state.policySeq;
  const output = byId('policy-xml');
  say('policy-status', 'Calculating...');
  const path = [api.name, operation.name, ...(productId === NO_PRODUCT ? [] : [productId])].map(seg).join('/');
  try {
    const view = await ctx.client.call<EffectivePolicyView>('GET', `${ctx.config.policyUrl}/${path}`);
    if (seq !== state.policySeq) return;
    // Text only: the document is data from the app, never markup for this page.
    output.textContent = view.xml;
    output.hidden = false;
    const product = productId === NO_PRODUCT ? 'no product' : `product ${productId}`;
    say('policy-status', view.isDefault ? `Effective policy of ${operation.properties.displayName} with ${product}: APIM's default (forwarded as is).` : `Effective policy of ${operation.properties.displayName} with ${product}:`);
  } catch (error) {
    if (seq !== state.policySeq) return;
    output.hidden = true;
    say('policy-status', `Could not calculate the effective policy: ${messageOf(error)}`, 'error');
  }
}
