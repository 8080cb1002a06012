import { PolicyError } from '../context';
import type { PolicyCall } from '../call';
import { CONTINUE } from '../step';
import { Attributes, childElements } from './attributes';
import { ALL_SCOPES, originOf, type ElementDefinition } from './definition';
import { attributeText, isExpression } from './values';

/** Fills `{name}` placeholders from the operation's matched template parameters. */
function expand(template: string, call: PolicyCall): string {
  return template.replace(/\{([^{}]*)\}/g, (_whole, name: string) => {
    const value = call.matchedParameters[name];
    return value === undefined ? '' : encodeURIComponent(value);
  });
}

/** Placeholders must be closed and named, so a mistyped template is refused when written. */
function checkTemplate(template: string): string | null {
  let open = false;
  for (const c of template) {
    if (c === '{') {
      if (open) return "a '{' inside a placeholder";
      open = true;
    } else if (c === '}') {
      if (!open) return "a '}' without its '{'";
      open = false;
    }
  }
  if (open) return "a '{' that is never closed";
  if (/\{\s*\}/.test(template)) return 'an empty placeholder';
  return null;
}

/** `<rewrite-uri template copy-unmatched-params />`: the backend path (and query) from a URL template. */
export const rewriteUri: ElementDefinition = {
  name: 'rewrite-uri',
  sections: ['inbound'],
  scopes: ALL_SCOPES,
  compile(element, context) {
    const attributes = new Attributes(element, ['template', 'copy-unmatched-params']);
    childElements(element, []);
    const templateAttribute = attributes.required('template');
    const copyUnmatched = attributes.boolean('copy-unmatched-params', true);
    if (!isExpression(templateAttribute.value.trim())) {
      const fault = checkTemplate(templateAttribute.value);
      if (fault) throw new PolicyError(`The template has ${fault}.`, element.name, templateAttribute.position);
    }
    const template = attributeText(templateAttribute, element.name, context);
    return {
      origin: originOf(element, context),
      run: (call) => {
        const target = expand(template(call), call);
        const questionMark = target.indexOf('?');
        const path = questionMark < 0 ? target : target.slice(0, questionMark);
        const kept = copyUnmatched ? call.query.toList().filter(([name]) => !Object.hasOwn(call.matchedParameters, name)) : [];
        const added = new URLSearchParams(questionMark < 0 ? '' : target.slice(questionMark + 1));
        for (const name of call.query.names) call.query.delete(name);
        for (const [name, value] of added) call.query.append(name, value);
        for (const [name, value] of kept) if (!added.has(name)) call.query.append(name, value);
        call.path = path.startsWith('/') ? path : `/${path}`;
        call.note(() => `backend path ${call.path}`);
        return CONTINUE;
      },
    };
  },
};
