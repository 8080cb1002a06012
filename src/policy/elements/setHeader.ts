import { CONTINUE } from '../step';
import { ALL_SCOPES, onResponse, originOf, type ElementDefinition } from './definition';
import { compileNameValuesEdit } from './nameValues';

/** `<set-header name exists-action><value>...</value></set-header>`: request headers (inbound, backend) or response headers (outbound, on-error). */
export const setHeader: ElementDefinition = {
  name: 'set-header',
  sections: ['inbound', 'backend', 'outbound', 'on-error'],
  scopes: ALL_SCOPES,
  compile(element, context) {
    const edit = compileNameValuesEdit(element, context);
    const toResponse = onResponse(context.section);
    return {
      origin: originOf(element, context),
      run: (call) => {
        edit.apply(call, toResponse ? call.editResponse().headers : call.headers);
        call.note(() => `${edit.action} '${edit.name}'`);
        return CONTINUE;
      },
    };
  },
};
