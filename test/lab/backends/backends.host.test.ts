import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueTableName } from '../../helpers/catalog';
import { labHostEnv, startHostProcess, type HostProcess } from '../../helpers/localHost';

/** The lab's backends as the local host serves them, under `/backend/`. */

const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';
const SOAP12 = 'http://www.w3.org/2003/05/soap-envelope';
const DELAY_MS = 400;

let host: HostProcess;

beforeAll(async () => {
  host = await startHostProcess({
    env: labHostEnv(
      uniqueTableName('backends'),
      { primary: randomBytes(64).toString('base64'), secondary: randomBytes(64).toString('base64') },
      { PRODUCTSTORE_DELAY_MS: String(DELAY_MS) },
    ),
  });
}, 30_000);

afterAll(async () => {
  await host?.stop();
});

const call = (path: string, init?: RequestInit) => fetch(`${host.baseUrl}${path}`, init);

describe('lab backends through the local host', () => {
  it('httpbin: /headers as received, /ip from the first X-Forwarded-For entry or the caller', async () => {
    const headers = await call('/backend/httpbin/headers', { headers: { 'X-Probe': 'p', 'ocp-apim-subscription-key': 'k' } });
    expect(headers.status).toBe(200);
    expect(headers.headers.get('content-type')).toBe('application/json');
    const shown = (await headers.json()) as { headers: Record<string, string> };
    expect(shown.headers['X-Probe']).toBe('p');
    expect(shown.headers['Ocp-Apim-Subscription-Key']).toBe('k');
    expect(shown.headers['X-Forwarded-For']).toBeUndefined();

    expect(await (await call('/backend/httpbin/ip')).json()).toEqual({ origin: '127.0.0.1' });
    expect(await (await call('/backend/httpbin/ip', { headers: { 'X-Forwarded-For': '203.0.113.5' } })).json()).toEqual({ origin: '203.0.113.5' });
  });

  it('calculator: SOAP 1.1 and 1.2 answers, the divide-by-zero fault, the body limit', async () => {
    const add = await call('/backend/calculator/calculator.asmx', {
      method: 'POST',
      headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: '"http://tempuri.org/Add"' },
      body: `<soap:Envelope xmlns:soap="${SOAP11}"><soap:Body><Add xmlns="http://tempuri.org/"><intA>2</intA><intB>40</intB></Add></soap:Body></soap:Envelope>`,
    });
    expect(add.status).toBe(200);
    expect(add.headers.get('content-type')).toBe('text/xml; charset=utf-8');
    expect(await add.text()).toContain('<AddResponse xmlns="http://tempuri.org/"><AddResult>42</AddResult></AddResponse>');

    const divide = await call('/backend/calculator/calculator.asmx', {
      method: 'POST',
      headers: { 'Content-Type': 'application/soap+xml; charset=utf-8; action="http://tempuri.org/Divide"' },
      body: `<Envelope xmlns="${SOAP12}"><Body><Divide xmlns="http://tempuri.org/"><intA>1</intA><intB>0</intB></Divide></Body></Envelope>`,
    });
    expect(divide.status).toBe(500);
    expect(divide.headers.get('content-type')).toBe('application/soap+xml; charset=utf-8');
    expect(await divide.text()).toContain('<soap:Value>soap:Receiver</soap:Value>');

    const large = await call('/backend/calculator/calculator.asmx', {
      method: 'POST',
      headers: { 'Content-Type': 'text/xml' },
      body: Buffer.alloc(65 * 1024, 0x20),
    });
    expect(large.status).toBe(413);
  });

  it('productstore: the slow list, create and read, the failing delete', async () => {
    const started = performance.now();
    const list = await call('/backend/productstore/api/Products');
    expect(performance.now() - started).toBeGreaterThanOrEqual(DELAY_MS - 20);
    expect(list.status).toBe(200);
    expect(list.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await list.text()).toContain('{"Id":1,"Name":"Tomato Soup","Category":"Groceries","Price":1.0}');

    const created = await call('/backend/productstore/api/Products', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ Name: 'Kite', Category: 'Toys', Price: 9.5 }),
    });
    expect(created.status).toBe(201);
    const product = (await created.json()) as { Id: number };
    expect(created.headers.get('location')).toMatch(new RegExp(`/backend/productstore/api/Products/${product.Id}$`));
    expect(await (await call(`/backend/productstore/api/Products/${product.Id}`)).json()).toEqual({ ...product, Name: 'Kite', Category: 'Toys', Price: 9.5 });
    expect((await call('/backend/productstore/api/Products/999')).status).toBe(404);

    const deleted = await call('/backend/productstore/api/Products/1', { method: 'DELETE' });
    expect(deleted.status).toBe(500);
    expect(await deleted.text()).toBe('{"Message":"An error has occurred."}');
  });

  it('placeholder: the four resources', async () => {
    for (const resource of ['posts', 'comments', 'photos', 'users']) {
      const r = await call(`/backend/placeholder/${resource}`);
      expect(r.status, resource).toBe(200);
      expect(((await r.json()) as unknown[]).length).toBeGreaterThan(0);
    }
    expect((await call('/backend/placeholder/posts/1')).status).toBe(200);
  });
});
