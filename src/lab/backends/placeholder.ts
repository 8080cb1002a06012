import type { GatewayResponse } from '../../gateway/types';
import { queryOf, textResponse, type BackendRequest } from './http';

/**
 * The lab's JSON placeholder service, the Resources API's backend: `/posts`,
 * `/comments`, `/photos` and `/users` in JSONPlaceholder's shapes, a few fixed
 * items each. As JSONPlaceholder does: `/<resource>/<id>` is one item (`404 {}`
 * when there is none), query parameters filter on top-level fields
 * (`/comments?postId=1`), and JSON is indented by two spaces. Read only.
 */

type Item = { readonly id: number } & Readonly<Record<string, unknown>>;

const USERS: readonly Item[] = [
  {
    id: 1,
    name: 'Ada Fernsby',
    username: 'adaf',
    email: 'ada@fernsby.example',
    address: { street: 'Harbour Lane', suite: 'Apt. 12', city: 'Northwick', zipcode: '10001-0001', geo: { lat: '51.5072', lng: '-0.1276' } },
    phone: '555-0101',
    website: 'fernsby.example',
    company: { name: 'Fernsby Tools', catchPhrase: 'Sharp tools for every job', bs: 'build dependable workshops' },
  },
  {
    id: 2,
    name: 'Bruno Calder',
    username: 'bcalder',
    email: 'bruno@calder.example',
    address: { street: 'Mill Road', suite: 'Suite 4', city: 'Eastmoor', zipcode: '20002-0002', geo: { lat: '48.8566', lng: '2.3522' } },
    phone: '555-0102',
    website: 'calder.example',
    company: { name: 'Calder Logistics', catchPhrase: 'On time, every time', bs: 'streamline regional deliveries' },
  },
  {
    id: 3,
    name: 'Chiara Olsen',
    username: 'colsen',
    email: 'chiara@olsen.example',
    address: { street: 'Birch Avenue', suite: 'Apt. 7', city: 'Southgate', zipcode: '30003-0003', geo: { lat: '40.4168', lng: '-3.7038' } },
    phone: '555-0103',
    website: 'olsen.example',
    company: { name: 'Olsen Studio', catchPhrase: 'Design that lasts', bs: 'craft clear interfaces' },
  },
];

const POSTS: readonly Item[] = [
  { userId: 1, id: 1, title: 'Choosing a hammer', body: 'Weight matters more than length.\nPick the one that fits your hand.' },
  { userId: 1, id: 2, title: 'Keeping tools sharp', body: 'A few minutes on a whetstone each week\nsaves hours of frustration.' },
  { userId: 2, id: 3, title: 'Planning a delivery route', body: 'Start with the furthest stop\nand work your way back.' },
  { userId: 3, id: 4, title: 'Why whitespace helps', body: 'Room around an element\nmakes it easier to read.' },
];

const COMMENTS: readonly Item[] = [
  { postId: 1, id: 1, name: 'heavier is not always better', email: 'bruno@calder.example', body: 'I switched to a lighter one\nand my wrist thanks me.' },
  { postId: 1, id: 2, name: 'fibreglass handles', email: 'chiara@olsen.example', body: 'They absorb the shock well.' },
  { postId: 2, id: 3, name: 'oil or water stones', email: 'bruno@calder.example', body: 'Water stones cut faster\nbut wear quicker.' },
  { postId: 3, id: 4, name: 'traffic first', email: 'ada@fernsby.example', body: 'Check the rush hours\nbefore fixing the order.' },
  { postId: 4, id: 5, name: 'agreed', email: 'ada@fernsby.example', body: 'Dense pages tire the eye.' },
];

const PHOTOS: readonly Item[] = [
  { albumId: 1, id: 1, title: 'workbench in the morning', url: 'https://placehold.co/600x600/92c952/white', thumbnailUrl: 'https://placehold.co/150x150/92c952/white' },
  { albumId: 1, id: 2, title: 'a row of chisels', url: 'https://placehold.co/600x600/771796/white', thumbnailUrl: 'https://placehold.co/150x150/771796/white' },
  { albumId: 2, id: 3, title: 'loading dock at dusk', url: 'https://placehold.co/600x600/24f355/white', thumbnailUrl: 'https://placehold.co/150x150/24f355/white' },
  { albumId: 3, id: 4, title: 'sketches on the wall', url: 'https://placehold.co/600x600/d32776/white', thumbnailUrl: 'https://placehold.co/150x150/d32776/white' },
];

export const RESOURCES: Readonly<Record<string, readonly Item[]>> = { posts: POSTS, comments: COMMENTS, photos: PHOTOS, users: USERS };

const JSON_TYPE = 'application/json; charset=utf-8';

/** Answers a request to `/backend/placeholder/<path>`. */
export function placeholder(request: BackendRequest, path: string): GatewayResponse {
  const [resource, id, ...rest] = path.split('/').filter((segment) => segment !== '');
  const items = resource !== undefined && Object.hasOwn(RESOURCES, resource) ? RESOURCES[resource] : undefined;
  if (!items || rest.length > 0) return json(404, {});
  const method = request.method.toUpperCase();
  if (method !== 'GET' && method !== 'HEAD') return json(405, {}, [['allow', 'GET, HEAD']]);
  let response: GatewayResponse;
  if (id !== undefined) {
    const item = items.find((candidate) => String(candidate.id) === id);
    response = item ? json(200, item) : json(404, {});
  } else {
    response = json(200, filter(items, queryOf(request.url)));
  }
  return method === 'HEAD' ? { ...response, body: null } : response;
}

/** Items whose top-level fields equal every query parameter naming one (as text); other parameters are ignored. */
function filter(items: readonly Item[], query: URLSearchParams): readonly Item[] {
  const conditions = [...query].filter(([name]) => items.some((item) => Object.hasOwn(item, name)));
  return items.filter((item) => conditions.every(([name, value]) => String(item[name]) === value));
}

function json(status: number, value: unknown, extra: [string, string][] = []): GatewayResponse {
  return textResponse(status, JSON_TYPE, JSON.stringify(value, null, 2), extra);
}
