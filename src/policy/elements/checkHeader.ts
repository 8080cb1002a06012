import { apimErrorBody } from '../../apim/gatewayResponses';
import { PolicyResponse } from '../call';
import { MultiMap } from '../multiMap';
import { CONTINUE } from '../step';
import { Attributes, childElements, textContent } from './attributes';
import { ALL_SCOPES, originOf, type ElementDefinition } from './definition';

/** `<check-header name failed-check-httpcode failed-check-error-message ignore-case>`: refuses calls without the header (or without one of the `<value>`s). */
export const checkHeader: ElementDefinition = {
  name: 'check-header',
  sections: ['inbound'],
  scopes: ALL_SCOPES,
  compile(element, context) {
    const attributes = new Attributes(element, ['name', 'failed-check-httpcode', 'failed-check-error-message', 'ignore-case']);
    const name = attributes.required('name').value.trim();
    const status = attributes.integer('failed-check-httpcode', { min: 100, max: 599 });
    const message = attributes.required('failed-check-error-message').value;
    const ignoreCase = attributes.boolean('ignore-case');
    const fold = (text: string) => (ignoreCase ? text.toLowerCase() : text);
    const expected = childElements(element, ['value']).map((child) => {
      new Attributes(child, []);
      return fold(textContent(child).text);
    });
    const body = apimErrorBody(status, message);
    return {
      origin: originOf(element, context),
      run: (call) => {
        const values = call.headers.get(name);
        const passed = values !== undefined && (expected.length === 0 || values.some((value) => expected.includes(fold(value))));
        call.note(() => (passed ? `'${name}' present and accepted` : `'${name}' ${values === undefined ? 'missing' : 'has no accepted value'}: ${status}`));
        if (passed) return CONTINUE;
        const headers = new MultiMap([['Content-Type', 'application/json'], ['Content-Length', String(body.length)]]);
        return new PolicyResponse(status, '', headers, body);
      },
    };
  },
};
