import { PolicyResponse, reasonPhrase } from '../call';
import { CONTINUE } from '../step';
import { Attributes, childElements, textContent } from './attributes';
import { ALL_SCOPES, originOf, type ElementDefinition } from './definition';

/**
 * `<cache-lookup vary-by-developer vary-by-developer-groups>` with `<vary-by-header>`
 * and `<vary-by-query-parameter>` children: answers a GET from the cache, or notes
 * the key for `cache-store`. Only the internal cache and no downstream caching.
 */
export const cacheLookup: ElementDefinition = {
  name: 'cache-lookup',
  sections: ['inbound'],
  scopes: ALL_SCOPES,
  compile(element, context) {
    const attributes = new Attributes(element, [
      'vary-by-developer',
      'vary-by-developer-groups',
      'caching-type',
      'downstream-caching-type',
      'must-revalidate',
      'allow-private-response-caching',
    ]);
    const byDeveloper = attributes.boolean('vary-by-developer');
    const byGroups = attributes.boolean('vary-by-developer-groups');
    attributes.choice('caching-type', ['internal', 'prefer-external'] as const, 'prefer-external');
    attributes.choice('downstream-caching-type', ['none'] as const, 'none');
    attributes.boolean('must-revalidate', true);
    attributes.boolean('allow-private-response-caching', false);
    const children = childElements(element, ['vary-by-header', 'vary-by-query-parameter']).map((child) => {
      new Attributes(child, []);
      const name = textContent(child).text.trim();
      if (name === '') throw attributes.error(`'${child.name}' needs a name.`);
      return { kind: child.name, name };
    });
    const headers = children.filter((c) => c.kind === 'vary-by-header').map((c) => c.name).sort();
    const parameters = children.filter((c) => c.kind === 'vary-by-query-parameter').map((c) => c.name).sort();
    return {
      origin: originOf(element, context),
      run: (call) => {
        if (call.method !== 'GET') {
          call.note(`${call.method} is never cached`);
          return CONTINUE;
        }
        const developer = call.subscription?.ownerId ?? call.subscription?.id ?? '';
        // Groups are not modelled: a developer is the finest group, so nothing is shared wrongly.
        const byWho = byDeveloper || byGroups ? `d:${developer}` : '';
        const key =
          parameters.length === 0 && headers.length === 0
            ? JSON.stringify([call.api.id, call.operation.id, call.path, byWho])
            : JSON.stringify([
                call.api.id,
                call.operation.id,
                call.path,
                ...parameters.map((name) => `q:${name}=${(call.query.get(name) ?? []).join(',')}`),
                ...headers.map((name) => `h:${name.toLowerCase()}=${(call.headers.get(name) ?? []).join(',')}`),
                byWho,
              ]);
        const cached = call.services.cache.get(key);
        if (cached === undefined) {
          call.cacheKey = key;
          call.note('miss: the backend is called');
          return CONTINUE;
        }
        call.note(() => `hit: answered ${cached.status} from the cache, the backend is not called`);
        // The entry's own header list: the response builds a map of it only if a later policy touches its headers.
        return new PolicyResponse(cached.status, reasonPhrase(cached.status), cached.headers, cached.body);
      },
    };
  },
};
