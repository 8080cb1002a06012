import type { CatalogRecord } from '../../catalog/tableCodec';
import type { Api, Operation, Parameter, PolicyRecord, Product, ProductApiLink, Subscription } from '../../catalog/records';

/**
 * What the lab instance's pieces have in common: the administrator, the app's own
 * base URL (the lab's backends are functions of this app) and record helpers.
 * The lab instance: docs/scenarios/README.md.
 */

export const ADMIN_USER = '/users/1';

/** `https://<host>` in Azure, `http://<host>` locally. */
export function selfBaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const host = env.WEBSITE_HOSTNAME || `localhost:${env.PORT || 7071}`;
  const local = /^(localhost|127\.|\[::1\])/.test(host) && !env.WEBSITE_INSTANCE_ID;
  return `${local ? 'http' : 'https'}://${host}`;
}

/** The URL of one of the lab's backend functions (`/backend/<name>`). */
export function backendUrl(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return `${selfBaseUrl(env)}/backend/${name}`;
}

/** A request header definition with a fixed value, as the portal's editor writes one. */
export function fixedHeader(name: string, value: string, description: string | null = null): Parameter {
  return { name, description, type: 'string', defaultValue: value, required: false, values: [value] };
}

/** A request representation with one example body (API version 2022-08-01's `examples.default`). */
export function representation(contentType: string, example?: string, typeName?: string): Record<string, unknown> {
  return {
    contentType,
    ...(typeName ? { typeName } : {}),
    ...(example === undefined ? {} : { examples: { default: { value: example } } }),
  };
}

export const record = {
  api: (value: Api): CatalogRecord => ({ kind: 'api', value }),
  operation: (value: Operation): CatalogRecord => ({ kind: 'operation', value }),
  product: (value: Product): CatalogRecord => ({ kind: 'product', value }),
  link: (value: ProductApiLink): CatalogRecord => ({ kind: 'link', value }),
  subscription: (value: Subscription): CatalogRecord => ({ kind: 'subscription', value }),
  policy: (value: PolicyRecord): CatalogRecord => ({ kind: 'policy', value }),
};

export interface DocumentSections {
  inbound?: readonly string[];
  backend?: readonly string[];
  outbound?: readonly string[];
  onError?: readonly string[];
}

/**
 * A policy document as the portal's editor lays one out: the four sections in
 * order, each element on its own line (two spaces per level); a section not given
 * holds `<base />`, an empty list leaves it empty. Elements may span lines.
 */
export function policyDocument(sections: DocumentSections): string {
  const section = (name: string, elements: readonly string[] = ['<base />']) =>
    [`  <${name}>`, ...elements.map((e) => e.replace(/^/gm, '    ')), `  </${name}>`];
  return [
    '<policies>',
    ...section('inbound', sections.inbound),
    ...section('backend', sections.backend),
    ...section('outbound', sections.outbound),
    ...section('on-error', sections.onError),
    '</policies>',
  ].join('\n');
}
