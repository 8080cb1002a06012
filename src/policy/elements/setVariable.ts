import { CONTINUE } from '../step';
import { Attributes, childElements } from './attributes';
import { ALL_SCOPES, ALL_SECTIONS, originOf, type ElementDefinition } from './definition';
import { attributeExpression } from './values';

/** `<set-variable name value />`: a value later expressions read as `context.Variables["name"]`. */
export const setVariable: ElementDefinition = {
  name: 'set-variable',
  sections: ALL_SECTIONS,
  scopes: ALL_SCOPES,
  compile(element, context) {
    const attributes = new Attributes(element, ['name', 'value']);
    childElements(element, []);
    const name = attributes.required('name').value.trim();
    const valueAttribute = attributes.get('value');
    if (valueAttribute === undefined) throw attributes.error("The attribute 'value' is required.");
    const expression = attributeExpression(valueAttribute, element.name, context);
    const plain = valueAttribute.value;
    return {
      origin: originOf(element, context),
      run: (call) => {
        call.variables.set(name, expression ? expression(call) : plain);
        call.note(() => `'${name}' set`);
        return CONTINUE;
      },
    };
  },
};
