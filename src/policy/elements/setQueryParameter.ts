import { CONTINUE } from '../step';
import { ALL_SCOPES, originOf, type ElementDefinition } from './definition';
import { compileNameValuesEdit } from './nameValues';

/** `<set-query-parameter name exists-action><value>...</value></set-query-parameter>`: the backend request's query. */
export const setQueryParameter: ElementDefinition = {
  name: 'set-query-parameter',
  sections: ['inbound', 'backend'],
  scopes: ALL_SCOPES,
  compile(element, context) {
    const edit = compileNameValuesEdit(element, context);
    return {
      origin: originOf(element, context),
      run: (call) => {
        edit.apply(call, call.query);
        call.note(() => `${edit.action} '${edit.name}'`);
        return CONTINUE;
      },
    };
  },
};
