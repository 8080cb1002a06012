import { PolicyResponse, type PolicyCall } from '../call';
import { documentOf, type StepOrigin } from '../origin';
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
    const origin = originOf(element, context);
    return {
      origin,
      run: (call) => {
        const response = PolicyResponse.empty();
        status?.(call, response);
        for (const header of headers) header.apply(call, response.headers);
        if (body) response.body = body(call);
        call.responseEdited = true;
        call.note(() => returnedTrace(call, origin, response));
        return response;
      },
    };
  },
};

/**
 * What the trace says of a return-response: the answer it made, the backend's
 * answer it replaced (troubleshooting scenario 4's fake 429), and where it was
 * inherited from when it is not the operation's own.
 */
function returnedTrace(call: PolicyCall, origin: StepOrigin, response: PolicyResponse): string {
  const made = `${response.status}${response.reason ? ` ${response.reason}` : ''}`;
  const what =
    call.backendStatus === null
      ? `answered ${made} without calling the backend`
      : `replaced the backend's ${call.backendStatus} answer with ${made}`;
  if (origin.scope === 'operation') return what;
  return `${what}; inherited from the ${origin.scope === 'api' ? 'API' : origin.scope} scope (${documentOf(origin.scope, call.scopeName(origin))}) by operation ${call.operation.id}`;
}
