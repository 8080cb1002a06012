import type { GatewayResponse } from '../../gateway/types';
import { emptyResponse, textResponse, type BackendRequest } from './http';

/**
 * The lab's ProductStore: the ASP.NET Web API tutorial's products controller,
 * in memory. `GET api/Products` (GetAllProducts) waits `delayMs` first, the slow
 * backend of the performance scenario; `DELETE api/Products/{id}` always fails
 * with Web API's generic 500. Routes are case-insensitive, as ASP.NET's are;
 * JSON is written as Json.NET writes it (PascalCase names, `Price` a decimal
 * with at least one decimal place).
 */

export interface Product {
  Id: number;
  Name: string | null;
  Category: string | null;
  Price: number;
}

export const SEED_PRODUCTS: readonly Product[] = [
  { Id: 1, Name: 'Tomato Soup', Category: 'Groceries', Price: 1 },
  { Id: 2, Name: 'Yo-yo', Category: 'Toys', Price: 3.75 },
  { Id: 3, Name: 'Hammer', Category: 'Hardware', Price: 16.99 },
];

export const DEFAULT_DELAY_MS = 5000;

/** `PRODUCTSTORE_DELAY_MS`: GetAllProducts' wait in milliseconds, a whole number (default 5000). */
export function delayFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.PRODUCTSTORE_DELAY_MS?.trim();
  if (raw === undefined || raw === '') return DEFAULT_DELAY_MS;
  if (!/^\d+$/.test(raw)) throw new Error(`PRODUCTSTORE_DELAY_MS must be a whole number of milliseconds, not '${raw}'.`);
  return Number(raw);
}

const JSON_TYPE = 'application/json; charset=utf-8';
const SERVER_ERROR = '{"Message":"An error has occurred."}';
const INVALID = '{"Message":"The request is invalid."}';

export class ProductStore {
  private products: Product[] = [];
  private nextId = 1;

  constructor(
    private readonly delayMs: number = DEFAULT_DELAY_MS,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((done) => setTimeout(done, ms)),
  ) {
    this.reset();
  }

  /** Back to the three seed products. */
  reset(): void {
    this.products = SEED_PRODUCTS.map((product) => ({ ...product }));
    this.nextId = this.products.length + 1;
  }

  /** Answers a request to `/backend/productstore/<path>`. */
  async handle(request: BackendRequest, path: string): Promise<GatewayResponse> {
    const segments = path.split('/').filter((segment) => segment !== '');
    const method = request.method.toUpperCase();
    if (segments.length < 2 || segments.length > 3 || segments[0]!.toLowerCase() !== 'api' || segments[1]!.toLowerCase() !== 'products') {
      return json(404, { Message: `No HTTP resource was found that matches the request URI '${request.url}'.` });
    }
    const idText = segments[2];
    if (idText === undefined) {
      if (method === 'GET') return this.getAll();
      if (method === 'POST') return this.post(request);
      return notSupported(method, 'GET, POST');
    }
    const id = parseId(idText);
    if (method === 'GET') return id === undefined ? invalidId('GetProduct') : this.getOne(id);
    if (method === 'PUT') return id === undefined ? invalidId('PutProduct') : this.put(id, request);
    // DeleteProduct throws before it does anything: the failing backend of the lab.
    if (method === 'DELETE') return textResponse(500, JSON_TYPE, SERVER_ERROR);
    return notSupported(method, 'GET, PUT, DELETE');
  }

  private async getAll(): Promise<GatewayResponse> {
    if (this.delayMs > 0) await this.sleep(this.delayMs);
    return json(200, this.products);
  }

  private getOne(id: number): GatewayResponse {
    const product = this.products.find((candidate) => candidate.Id === id);
    return product ? json(200, product) : emptyResponse(404);
  }

  private post(request: BackendRequest): GatewayResponse {
    const fields = readProduct(request.body);
    if (!fields) return textResponse(400, JSON_TYPE, INVALID);
    const product: Product = { ...fields, Id: this.nextId };
    this.nextId += 1;
    this.products.push(product);
    const location = new URL(`api/Products/${product.Id}`, productStoreBase(request.url)).href;
    return json(201, product, [['location', location]]);
  }

  private put(id: number, request: BackendRequest): GatewayResponse {
    const fields = readProduct(request.body);
    if (!fields) return textResponse(400, JSON_TYPE, INVALID);
    const index = this.products.findIndex((candidate) => candidate.Id === id);
    if (index < 0) return emptyResponse(404);
    this.products[index] = { ...fields, Id: id };
    return emptyResponse(204);
  }
}

/** A product from a JSON body as Json.NET binds it: property names case-insensitive, missing ones default. */
function readProduct(body: Uint8Array | null): Omit<Product, 'Id'> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body ?? new Uint8Array(0)));
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const field = (name: string): unknown => {
    const key = Object.keys(value).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
    return key === undefined ? undefined : (value as Record<string, unknown>)[key];
  };
  const name = field('Name');
  const category = field('Category');
  const price = field('Price');
  if (name !== undefined && name !== null && typeof name !== 'string') return undefined;
  if (category !== undefined && category !== null && typeof category !== 'string') return undefined;
  if (price !== undefined && (typeof price !== 'number' || !Number.isFinite(price))) return undefined;
  return { Name: name ?? null, Category: category ?? null, Price: price ?? 0 };
}

/** The URL of `/backend/productstore/` on the request's own origin. */
function productStoreBase(url: string): URL {
  const absolute = new URL(url, 'http://localhost');
  const at = absolute.pathname.toLowerCase().indexOf('/backend/productstore/');
  absolute.pathname = at >= 0 ? absolute.pathname.slice(0, at) + '/backend/productstore/' : '/backend/productstore/';
  absolute.search = '';
  return absolute;
}

function parseId(text: string): number | undefined {
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const id = Number(text);
  return id >= -2147483648 && id <= 2147483647 ? id : undefined;
}

function invalidId(action: string): GatewayResponse {
  return json(400, {
    Message: 'The request is invalid.',
    MessageDetail:
      `The parameters dictionary contains a null entry for parameter 'id' of non-nullable type 'System.Int32' for method ` +
      `'System.Net.Http.HttpResponseMessage ${action}(Int32)' in 'ProductStore.Controllers.ProductsController'. ` +
      'An optional parameter must be a reference type, a nullable type, or be declared as an optional parameter.',
  });
}

function notSupported(method: string, allow: string): GatewayResponse {
  return json(405, { Message: `The requested resource does not support http method '${method}'.` }, [['allow', allow]]);
}

function json(status: number, value: Product | readonly Product[] | Record<string, string>, extra: [string, string][] = []): GatewayResponse {
  return textResponse(status, JSON_TYPE, serialize(value), extra);
}

/** Json.NET's compact output; a `Price` keeps a decimal point, as a .NET `decimal` does. */
function serialize(value: Product | readonly Product[] | Record<string, string>): string {
  if (Array.isArray(value)) return `[${value.map(serializeProduct).join(',')}]`;
  if ('Price' in value) return serializeProduct(value as Product);
  return JSON.stringify(value);
}

function serializeProduct(product: Product): string {
  const price = Number.isInteger(product.Price) ? `${product.Price}.0` : String(product.Price);
  return `{"Id":${product.Id},"Name":${JSON.stringify(product.Name)},"Category":${JSON.stringify(product.Category)},"Price":${price}}`;
}
