import { PolicyError } from '../context';
import { CONTINUE } from '../step';
import { Attributes, childElements } from './attributes';
import { ALL_SCOPES, originOf, type ElementDefinition } from './definition';
import { attributeText, isExpression } from './values';

const isHttpUrl = (text: string) => {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
};

/** `<set-backend-service base-url />`: the backend's base URL for this call. */
export const setBackendService: ElementDefinition = {
  name: 'set-backend-service',
  sections: ['inbound', 'backend'],
  scopes: ALL_SCOPES,
  compile(element, context) {
    const attributes = new Attributes(element, ['base-url']);
    childElements(element, []);
    const attribute = attributes.required('base-url');
    if (!isExpression(attribute.value.trim()) && !isHttpUrl(attribute.value.trim())) {
      throw new PolicyError(`The attribute 'base-url' must be an absolute http or https URL; got '${attribute.value}'.`, element.name, attribute.position);
    }
    const baseUrl = attributeText(attribute, element.name, context);
    return {
      origin: originOf(element, context),
      run: (call) => {
        call.backendUrl = baseUrl(call).trim();
        call.note(() => `backend ${call.backendUrl}`);
        return CONTINUE;
      },
    };
  },
};
