import type { PolicyCall } from '../call';
import type { XmlElement } from '../parse';
import { CONTINUE } from '../step';
import { ALL_SCOPES, onResponse, originOf, type CompileContext, type ElementDefinition } from './definition';
import { elementTextValue } from './values';

/** The body `set-body` produces, usable alone or inside `return-response`. */
export function compileBodyValue(element: XmlElement, context: CompileContext): (call: PolicyCall) => Uint8Array {
  const value = elementTextValue(element, context);
  return (call) => Buffer.from(value(call), 'utf8');
}

/** `<set-body>text or expression</set-body>`: replaces the request or response body. */
export const setBody: ElementDefinition = {
  name: 'set-body',
  sections: ['inbound', 'backend', 'outbound', 'on-error'],
  scopes: ALL_SCOPES,
  compile(element, context) {
    const body = compileBodyValue(element, context);
    const toResponse = onResponse(context.section);
    return {
      origin: originOf(element, context),
      run: (call) => {
        const bytes = body(call);
        // The writer sets the length of the body it sends; a stale one must not survive.
        if (toResponse) {
          const response = call.editResponse();
          response.body = bytes;
          response.headers.delete('Content-Length');
        } else {
          call.body = bytes;
          call.headers.delete('Content-Length');
        }
        call.note(() => `body set (${bytes.length} bytes)`);
        return CONTINUE;
      },
    };
  },
};
