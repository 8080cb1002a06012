import { PolicyError } from '../context';
import { CONTINUE } from '../step';
import { Attributes, childElements } from './attributes';
import { ALL_SCOPES, ALL_SECTIONS, originOf, type ElementDefinition } from './definition';

/** `<base />`: the enclosing scope's same section goes here (resolved when policies are composed). */
export const base: ElementDefinition = {
  name: 'base',
  sections: ALL_SECTIONS,
  scopes: ALL_SCOPES,
  compile(element, context) {
    new Attributes(element, []);
    childElements(element, []);
    if (context.nested) throw new PolicyError("'base' may appear only directly in a section.", element.name, element.position);
    return { origin: originOf(element, context), marker: 'base', run: () => CONTINUE };
  },
};
