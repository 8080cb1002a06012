import { forbiddenResponse } from '../../apim/gatewayResponses';
import { PolicyResponse } from '../call';
import { PolicyError } from '../context';
import { parseIpAddress, type IpAddress } from '../ipAddress';
import type { XmlAttribute, XmlElement } from '../parse';
import { CONTINUE } from '../step';
import { Attributes, childElements, textContent } from './attributes';
import { ALL_SCOPES, originOf, type ElementDefinition } from './definition';

interface AddressRange {
  readonly from: IpAddress;
  readonly to: IpAddress;
}

function address(text: string, element: XmlElement, at: XmlAttribute | XmlElement): IpAddress {
  const parsed = parseIpAddress(text);
  if (parsed === null) throw new PolicyError(`'${text.trim()}' is not an IPv4 or IPv6 address.`, element.name, at.position);
  return parsed;
}

function compileRange(child: XmlElement): AddressRange {
  if (child.name === 'address') {
    new Attributes(child, []);
    const single = address(textContent(child).text, child, child);
    return { from: single, to: single };
  }
  const attributes = new Attributes(child, ['from', 'to']);
  childElements(child, []);
  const fromAttribute = attributes.required('from');
  const toAttribute = attributes.required('to');
  const from = address(fromAttribute.value, child, fromAttribute);
  const to = address(toAttribute.value, child, toAttribute);
  if (from.version !== to.version) throw new PolicyError("'from' and 'to' must be of the same IP version.", child.name, toAttribute.position);
  if (from.value > to.value) throw new PolicyError("'from' must not be above 'to'.", child.name, fromAttribute.position);
  return { from, to };
}

/** `<ip-filter action="allow|forbid">` with `<address>` and `<address-range from to>`: 403 for refused callers. */
export const ipFilter: ElementDefinition = {
  name: 'ip-filter',
  sections: ['inbound'],
  scopes: ALL_SCOPES,
  compile(element, context) {
    const attributes = new Attributes(element, ['action']);
    const action = attributes.choice('action', ['allow', 'forbid'] as const);
    const ranges = childElements(element, ['address', 'address-range']).map(compileRange);
    if (ranges.length === 0) throw attributes.error("'ip-filter' needs at least one <address> or <address-range>.");
    return {
      origin: originOf(element, context),
      run: (call) => {
        const caller = parseIpAddress(call.ipAddress);
        const listed = caller !== null && ranges.some((r) => r.from.version === caller.version && caller.value >= r.from.value && caller.value <= r.to.value);
        const allowed = action === 'allow' ? listed : !listed;
        call.note(() => `caller ${call.ipAddress} ${listed ? 'is' : 'is not'} listed (${action}): ${allowed ? 'allowed' : '403'}`);
        return allowed ? CONTINUE : PolicyResponse.from(forbiddenResponse());
      },
    };
  },
};
