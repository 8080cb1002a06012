import { reasonPhrase, type PolicyCall, type PolicyResponse } from '../call';
import type { XmlElement } from '../parse';
import { CONTINUE } from '../step';
import { Attributes, childElements } from './attributes';
import { ALL_SCOPES, originOf, type CompileContext, type ElementDefinition } from './definition';
import { attributeText } from './values';

/** The change `set-status` makes, usable alone or inside `return-response`. */
export function compileStatusEdit(element: XmlElement, context: CompileContext): (call: PolicyCall, response: PolicyResponse) => void {
  const attributes = new Attributes(element, ['code', 'reason']);
  childElements(element, []);
  const code = attributes.integer('code', { min: 100, max: 599 });
  const reasonAttribute = attributes.get('reason');
  const reason = reasonAttribute ? attributeText(reasonAttribute, element.name, context) : () => reasonPhrase(code);
  return (call, response) => {
    response.status = code;
    response.reason = reason(call);
  };
}

/** `<set-status code reason />`: the response's status. */
export const setStatus: ElementDefinition = {
  name: 'set-status',
  sections: ['inbound', 'outbound', 'on-error'],
  scopes: ALL_SCOPES,
  compile(element, context) {
    const edit = compileStatusEdit(element, context);
    return {
      origin: originOf(element, context),
      run: (call) => {
        const response = call.editResponse();
        edit(call, response);
        call.note(() => `status ${response.status} ${response.reason}`);
        return CONTINUE;
      },
    };
  },
};
