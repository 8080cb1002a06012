/**
 * The elements this gateway implements. Any other element name is refused when a
 * document is written: a policy is enforced exactly or not accepted.
 */
import { PolicyError } from '../context';
import type { XmlElement } from '../parse';
import type { Step } from '../step';
import { base } from './base';
import { cacheLookup } from './cacheLookup';
import { cacheStore } from './cacheStore';
import { checkHeader } from './checkHeader';
import { choose } from './choose';
import type { CompileContext, ElementDefinition } from './definition';
import { forwardRequest } from './forwardRequest';
import { ipFilter } from './ipFilter';
import { quota } from './quota';
import { quotaByKey } from './quotaByKey';
import { rateLimit } from './rateLimit';
import { rateLimitByKey } from './rateLimitByKey';
import { returnResponse } from './returnResponse';
import { rewriteUri } from './rewriteUri';
import { setBackendService } from './setBackendService';
import { setBody } from './setBody';
import { setHeader } from './setHeader';
import { setQueryParameter } from './setQueryParameter';
import { setStatus } from './setStatus';
import { setVariable } from './setVariable';

export const ELEMENTS: ReadonlyMap<string, ElementDefinition> = new Map(
  [
    base,
    forwardRequest,
    returnResponse,
    setStatus,
    setHeader,
    setQueryParameter,
    setBody,
    rewriteUri,
    setBackendService,
    choose,
    ipFilter,
    checkHeader,
    setVariable,
    rateLimit,
    rateLimitByKey,
    quota,
    quotaByKey,
    cacheLookup,
    cacheStore,
  ].map((definition) => [definition.name, definition]),
);

/** Validates one element where it stands (section, scope) and compiles it. */
export function compileElement(element: XmlElement, context: CompileContext): Step {
  const definition = ELEMENTS.get(element.name);
  if (definition === undefined) {
    throw new PolicyError(`The element '${element.name}' is not supported by this gateway.`, element.name, element.position);
  }
  if (!definition.sections.includes(context.section)) {
    throw new PolicyError(
      `'${element.name}' is not allowed in the '${context.section}' section (allowed in: ${definition.sections.join(', ')}).`,
      element.name,
      element.position,
    );
  }
  if (!definition.scopes.includes(context.scope)) {
    throw new PolicyError(
      `'${element.name}' is not allowed at ${context.scope} scope (allowed at: ${definition.scopes.join(', ')}).`,
      element.name,
      element.position,
    );
  }
  return definition.compile(element, context);
}
