import { PolicyResponse } from '../call';
import { Attributes, atMostOne, childElements } from './attributes';
import { ALL_SCOPES, originOf, type ElementDefinition } from './definition';
import { compileBodyValue } from './setBody';
import { compileNameValuesEdit } from './nameValues';
import { compileStatusEdit } from './setStatus';

/** `<return-response>`: builds a response from its children and ends the pipeline with it. */
export const returnResponse: ElementDefinition = {
  name: 'return-response',
  sections: ['inbound', 'outbound', 'on-error'],
  scopes: ALL_SCOPES,
  compile(element, context) {
    new Attributes(element, []);
    const children = childElements(element, ['set-status', 'set-header', 'set-body']);
    const statusElement = atMostOne(children, 'set-status');
    const bodyElement = atMostOne(children, 'set-body');
    const status = statusElement ? compileStatusEdit(statusElement, context) : undefined;
    const headers = children.filter((child) => child.name === 'set-header').map((child) => compileNameValuesEdit(child, context));
    const body = bodyElement ? compileBodyValue(bodyElement, context) : undefined;
    return {
      origin: originOf(element, context),
      run: (call) => {
        const response = PolicyResponse.empty();
        status?.(call, response);
        for (const header of headers) header.apply(call, response.headers);
        if (body) response.body = body(call);
        call.responseEdited = true;
        call.note(() => `returned ${response.status}`);
        return response;
      },
    };
  },
};
