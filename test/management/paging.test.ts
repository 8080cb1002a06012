import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_VERSION } from '../helpers/management';
import { harness, targets, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await harness();
  for (let i = 0; i < 7; i++) {
    await h.call('PUT', `/products/page-${i}`, { body: { properties: { displayName: `Page ${i}` } } });
  }
});
afterAll(() => h?.close());

describe('paging with $top and $skip', () => {
  it('answers pages with the total count and an absolute nextLink that can be followed to the end', async () => {
    const all = (await h.call('GET', '/products')).json;
    expect(all.count).toBe(9); // 7 + the lab's starter and unlimited
    expect(all.nextLink).toBeNull();

    const seen: string[] = [];
    let page = await h.call('GET', '/products', { query: '$top=4' });
    const links: string[] = [];
    for (;;) {
      expect(page.status).toBe(200);
      expect(page.json.count).toBe(9);
      seen.push(...page.json.value.map((p: { name: string }) => p.name));
      if (page.json.nextLink === null) break;
      links.push(page.json.nextLink);
      page = await h.call('GET', page.json.nextLink);
    }
    expect(seen).toEqual(all.value.map((p: { name: string }) => p.name));
    expect(links).toHaveLength(2);
    for (const link of links) {
      // Absolute, on the app's configured origin (over HTTP: WEBSITE_HOSTNAME, never the request's Host).
      expect(link.startsWith(`${h.linkOrigin}/management/subscriptions/`)).toBe(true);
      const url = new URL(link);
      expect(url.searchParams.get('api-version')).toBe(API_VERSION);
      expect(url.searchParams.get('$top')).toBe('4');
    }
    expect(new URL(links[0]!).searchParams.get('$skip')).toBe('4');
    expect(new URL(links[1]!).searchParams.get('$skip')).toBe('8');
  });

  it('skips', async () => {
    const page = await h.call('GET', '/products', { query: '$skip=8' });
    expect(page.json.value).toHaveLength(1);
    expect(page.json.nextLink).toBeNull();
    expect((await h.call('GET', '/products', { query: '$skip=100' })).json.value).toEqual([]);
  });

  it.each([
    ['$top=0', '$top'],
    ['$top=-1', '$top'],
    ['$top=abc', '$top'],
    ['$skip=1.5', '$skip'],
  ])('refuses %s with 400', async (query, target) => {
    const result = await h.call('GET', '/products', { query });
    expect(result.status).toBe(400);
    expect(targets(result)).toEqual([target]);
  });

  it('pages every list the same way', async () => {
    for (const path of ['/apis', '/apis/echo-api/operations', '/subscriptions', '/products/starter/apis', '/apis/echo-api/products', '/products/starter/subscriptions']) {
      const result = await h.call('GET', path, { query: '$top=1' });
      expect(result.status).toBe(200);
      expect(result.json.value.length).toBeLessThanOrEqual(1);
      expect(result.json.nextLink === null).toBe(result.json.count <= 1);
    }
  });
});
