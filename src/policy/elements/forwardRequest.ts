import { PolicyResponse, type ForwardOptions } from '../call';
import { CONTINUE } from '../step';
import { Attributes, childElements } from './attributes';
import { ALL_SCOPES, originOf, type ElementDefinition } from './definition';

export const DEFAULT_FORWARD_TIMEOUT_SECONDS = 300;

/** `<forward-request />`: calls the backend; its answer becomes the response. */
export const forwardRequest: ElementDefinition = {
  name: 'forward-request',
  sections: ['backend'],
  scopes: ALL_SCOPES,
  compile(element, context) {
    const attributes = new Attributes(element, ['timeout', 'follow-redirects', 'buffer-request-body']);
    childElements(element, []);
    const options: ForwardOptions = {
      timeoutSeconds: attributes.integer('timeout', { min: 1, max: 3600 }, DEFAULT_FORWARD_TIMEOUT_SECONDS),
      followRedirects: attributes.boolean('follow-redirects', false),
      bufferRequestBody: attributes.boolean('buffer-request-body', false),
    };
    const isDefault = options.timeoutSeconds === DEFAULT_FORWARD_TIMEOUT_SECONDS && !options.followRedirects && !options.bufferRequestBody;
    return {
      origin: originOf(element, context),
      ...(isDefault ? { marker: 'default-forward' as const } : {}),
      run: async (call) => {
        const answer = await call.backend(call, options);
        call.response = PolicyResponse.from(answer);
        call.backendStatus = answer.status;
        call.note(() => `backend answered ${answer.status}`);
        return CONTINUE;
      },
    };
  },
};
