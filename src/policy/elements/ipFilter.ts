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
  /** As written: `10.0.0.1`, or `0.0.0.0-255.255.255.255` for a range. */
  readonly text: string;
}

function address(text: string, element: XmlElement, at: XmlAttribute | XmlElement): IpAddress {
  const parsed = parseIpAddress(text);
  if (parsed === null) throw new PolicyError(`'${text.trim()}' is not an IPv4 or IPv6 address.`, element.name, at.position);
  return parsed;
}

function compileRange(child: XmlElement): AddressRange {
  if (child.name === 'address') {
    new Attributes(child, []);
    const text = textContent(child).text.trim();
    const single = address(text, child, child);
    return { from: single, to: single, text };
  }
  const attributes = new Attributes(child, ['from', 'to']);
  childElements(child, []);
  const fromAttribute = attributes.required('from');
  const toAttribute = attributes.required('to');
  const from = address(fromAttribute.value, child, fromAttribute);
  const to = address(toAttribute.value, child, toAttribute);
  if (from.version !== to.version) throw new PolicyError("'from' and 'to' must be of the same IP version.", child.name, toAttribute.position);
  if (from.value > to.value) throw new PolicyError("'from' must not be above 'to'.", child.name, fromAttribute.position);
  return { from, to, text: `${fromAttribute.value.trim()}-${toAttribute.value.trim()}` };
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
        const range = caller === null ? undefined : ranges.find((r) => r.from.version === caller.version && caller.value >= r.from.value && caller.value <= r.to.value);
        const allowed = action === 'allow' ? range !== undefined : range === undefined;
        call.note(() => filterTrace(call.ipAddress, action, range, allowed));
        return allowed ? CONTINUE : PolicyResponse.from(forbiddenResponse());
      },
    };
  },
};

/**
 * `the caller's address 127.0.0.1 is in the forbidden range 0.0.0.0-255.255.255.255: 403 Forbidden`
 * (troubleshooting scenario 5): the caller's address, the range that decided, the outcome.
 */
function filterTrace(ipAddress: string, action: 'allow' | 'forbid', range: AddressRange | undefined, allowed: boolean): string {
  const caller = ipAddress === '' ? "the caller's address is unknown and" : `the caller's address ${ipAddress}`;
  const kind = action === 'allow' ? 'allowed' : 'forbidden';
  const where =
    range === undefined ? `is in no ${kind} address or range` : range.text.includes('-') ? `is in the ${kind} range ${range.text}` : `is the ${kind} address ${range.text}`;
  return `${caller} ${where}: ${allowed ? 'allowed' : '403 Forbidden'}`;
}
