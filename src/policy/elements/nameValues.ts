/**
 * The shape `set-header` and `set-query-parameter` share: a name, what to do when
 * it exists, and `<value>` children (plain or expressions).
 */
import type { PolicyCall } from '../call';
import type { MultiMap } from '../multiMap';
import type { XmlElement } from '../parse';
import { Attributes, childElements } from './attributes';
import type { CompileContext } from './definition';
import { elementTextValue, type Evaluate } from './values';

export const EXISTS_ACTIONS = ['override', 'skip', 'append', 'delete'] as const;
export type ExistsAction = (typeof EXISTS_ACTIONS)[number];

export interface NameValuesEdit {
  readonly name: string;
  readonly action: ExistsAction;
  apply(call: PolicyCall, target: MultiMap): void;
}

export function compileNameValuesEdit(element: XmlElement, context: CompileContext): NameValuesEdit {
  const attributes = new Attributes(element, ['name', 'exists-action']);
  const name = attributes.required('name').value.trim();
  const action = attributes.choice('exists-action', EXISTS_ACTIONS, 'override');
  const values: Evaluate<string>[] = childElements(element, ['value']).map((child) => elementTextValue(child, context, element.name));
  if (action !== 'delete' && values.length === 0) {
    throw attributes.error(`'${element.name}' needs at least one <value> unless exists-action is 'delete'.`);
  }
  const evaluate = (call: PolicyCall) => values.map((value) => value(call));
  const apply = {
    override: (call: PolicyCall, target: MultiMap) => target.set(name, evaluate(call)),
    skip: (call: PolicyCall, target: MultiMap) => {
      if (!target.has(name)) target.set(name, evaluate(call));
    },
    append: (call: PolicyCall, target: MultiMap) => {
      for (const value of evaluate(call)) target.append(name, value);
    },
    delete: (_call: PolicyCall, target: MultiMap) => target.delete(name),
  }[action];
  return { name, action, apply };
}
