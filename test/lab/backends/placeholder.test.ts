import { describe, expect, it } from 'vitest';
import { placeholder } from '../../../src/lab/backends/placeholder';

const text = (body: unknown) => Buffer.from(body as Uint8Array).toString('utf8');
const get = (path: string, method = 'GET') => placeholder({ method, url: `http://lab.test/backend/placeholder/${path}`, headers: new Headers(), body: null }, path.split('?')[0]!);

describe('JSON placeholder backend', () => {
  it('lists each resource in JSONPlaceholder shapes, indented by two spaces', () => {
    const posts = get('posts');
    expect(posts.status).toBe(200);
    expect((posts.headers as [string, string][])[0]).toEqual(['content-type', 'application/json; charset=utf-8']);
    expect(text(posts.body).startsWith('[\n  {\n    "userId": 1,\n    "id": 1,')).toBe(true);
    const shapes: Record<string, string[]> = {
      posts: ['userId', 'id', 'title', 'body'],
      comments: ['postId', 'id', 'name', 'email', 'body'],
      photos: ['albumId', 'id', 'title', 'url', 'thumbnailUrl'],
      users: ['id', 'name', 'username', 'email', 'address', 'phone', 'website', 'company'],
    };
    for (const [resource, keys] of Object.entries(shapes)) {
      const items = JSON.parse(text(get(resource).body)) as Record<string, unknown>[];
      expect(items.length).toBeGreaterThanOrEqual(3);
      for (const item of items) expect(Object.keys(item)).toEqual(keys);
    }
  });

  it('gets one item by id, 404 {} when there is none or the path is unknown', () => {
    expect(JSON.parse(text(get('users/2').body)).username).toBe('bcalder');
    for (const path of ['posts/99', 'albums', 'posts/1/comments', '', 'constructor']) {
      const r = get(path);
      expect(r.status, path).toBe(404);
      expect(text(r.body)).toBe('{}');
    }
  });

  it('filters on top-level fields given in the query', () => {
    const comments = JSON.parse(text(get('comments?postId=1').body)) as { id: number }[];
    expect(comments.map((c) => c.id)).toEqual([1, 2]);
    expect(JSON.parse(text(get('posts?unknown=1').body))).toHaveLength(4);
  });

  it('is read only', () => {
    expect(get('posts', 'POST').status).toBe(405);
  });
});
