import { PolicyError } from '../context';
import { CONTINUE, runSteps, type Step } from '../step';
import { Attributes, atMostOne, childElements } from './attributes';
import { ALL_SCOPES, ALL_SECTIONS, originOf, type ElementDefinition } from './definition';
import { attributeCondition, type Evaluate } from './values';

interface Branch {
  readonly condition: Evaluate<boolean> | null;
  readonly line: number;
  readonly steps: readonly Step[];
}

/** `<choose><when condition>...</when><otherwise>...</otherwise></choose>`: the first true `when` runs. */
export const choose: ElementDefinition = {
  name: 'choose',
  sections: ALL_SECTIONS,
  scopes: ALL_SCOPES,
  compile(element, context) {
    new Attributes(element, []);
    const children = childElements(element, ['when', 'otherwise']);
    const otherwise = atMostOne(children, 'otherwise');
    if (otherwise && children[children.length - 1] !== otherwise) {
      throw new PolicyError("'otherwise' must come after every 'when'.", 'otherwise', otherwise.position);
    }
    if (!children.some((child) => child.name === 'when')) {
      throw new PolicyError("'choose' needs at least one 'when'.", element.name, element.position);
    }
    const nested = { ...context, nested: true };
    const branches: Branch[] = children.map((child) => {
      const attributes = new Attributes(child, child.name === 'when' ? ['condition'] : []);
      const condition = child.name === 'when' ? attributeCondition(attributes.required('condition'), child.name, context) : null;
      return { condition, line: child.position.line, steps: context.compileSteps(childElements(child, 'any'), nested) };
    });
    return {
      origin: originOf(element, context),
      run: (call) => {
        for (const branch of branches) {
          if (branch.condition === null || branch.condition(call)) {
            call.note(() => (branch.condition === null ? `otherwise (line ${branch.line})` : `when on line ${branch.line} is true`));
            return branch.steps.length === 0 ? CONTINUE : runSteps(branch.steps, call);
          }
        }
        call.note('no condition is true');
        return CONTINUE;
      },
    };
  },
};

