import { CONTINUE } from '../step';
import { Attributes, childElements } from './attributes';
import { ALL_SCOPES, originOf, type ElementDefinition } from './definition';

/** `<cache-store duration>`: keeps a 200 answer to a GET that `cache-lookup` missed, for `duration` seconds. */
export const cacheStore: ElementDefinition = {
  name: 'cache-store',
  sections: ['outbound'],
  scopes: ALL_SCOPES,
  compile(element, context) {
    const attributes = new Attributes(element, ['duration']);
    childElements(element, []);
    const duration = attributes.integer('duration', { min: 1, max: 2_147_483_647 });
    return {
      origin: originOf(element, context),
      run: (call) => {
        const response = call.response;
        if (call.cacheKey === null || response === null || call.method !== 'GET' || response.status !== 200) {
          call.note(call.cacheKey === null ? 'no lookup to store for' : 'not a 200 answer to a GET: not stored');
          return CONTINUE;
        }
        call.services.cache.set(call.cacheKey, { status: response.status, headers: response.headerPairs(), body: response.body }, duration);
        call.note(() => `stored for ${duration} s`);
        return CONTINUE;
      },
    };
  },
};
