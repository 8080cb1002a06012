import type { CatalogIndex } from '../../catalog/catalogIndex';
import type { Api, Operation, PolicyScopeRef } from '../../catalog/records';
import { parseIpAddress } from '../../policy/ipAddress';
import type { XmlElement } from '../../policy/parse';
import { RESOURCES_API_ID } from '../instance/resources';
import { isState, listed, nthCall, policiesOf, policyEtag, scenarioRecords, titleOf } from './common';
import { attributeOf, children, documentAt, documentName, type PlacedElement } from './effective';
import { editableDocument, putDocument, removeElement } from './policyEdit';
import { statusOf, type Finding, type ScenarioState } from './types';

/**
 * Scenario 5, requests throttled: 403 and 429. An `ip-filter` in an operation's
 * effective inbound section that refuses ordinary callers (in the lab: Standard's,
 * which forbids every IPv4 address for GetPosts), and a rate limit tighter than
 * `MIN_CALLS_PER_MINUTE` (in the lab: the global one call per 10 s per caller IP
 * on GetComments). The fix removes the element, and a `choose` it leaves empty.
 */

/** Callers an ip-filter is tried with: this machine, and an address on the internet (a documentation address). */
export const PROBE_ADDRESSES = ['127.0.0.1', '203.0.113.7'] as const;
/** A rate limit that allows fewer calls a minute than this is reported. */
export const MIN_CALLS_PER_MINUTE = 10;

const WHEN_FIXED = 'GetPosts answers 200 with the posts, and GetComments answers 200 however often you call it.';

export function diagnoseScenario5(index: CatalogIndex): ScenarioState {
  const records = scenarioRecords(index, 5, RESOURCES_API_ID, ['getposts', 'getcomments'], WHEN_FIXED);
  if (isState(records)) return records;
  const { api, operations } = records;
  const findings: Finding[] = [];
  const found = new Map<string, { placed: PlacedElement; kind: 'ipFilter' | 'rateLimit'; effect: string; operations: Operation[] }>();
  for (const operation of operations) {
    for (const policy of policiesOf(index, api, operation, findings)) {
      for (const placed of policy.sections.inbound) {
        const problem = ipFilterProblem(placed.element) ?? rateLimitProblem(placed.element);
        if (!problem) continue;
        const key = `${documentName(placed.ref)}:${placed.element.position.line}:${placed.element.position.column}`;
        const entry = found.get(key) ?? { placed, ...problem, operations: [] };
        if (!entry.operations.includes(operation)) entry.operations.push(operation);
        found.set(key, entry);
      }
    }
  }
  for (const { placed, kind, effect, operations: affected } of found.values()) findings.push(finding(index, api, placed, kind, effect, affected));
  return { number: 5, title: titleOf(5), status: statusOf(['ipFilter', 'rateLimit'], findings), findings, whenFixed: WHEN_FIXED };
}

/** What an ip-filter does to ordinary callers, when it refuses one of them. */
function ipFilterProblem(element: XmlElement): { kind: 'ipFilter'; effect: string } | undefined {
  if (element.name !== 'ip-filter') return undefined;
  const action = attributeOf(element, 'action');
  const entries = children(element).map((child) => {
    if (child.name === 'address') {
      const text = child.children.map((c) => (c.kind === 'text' ? c.text : '')).join('').trim();
      return { text, from: parseIpAddress(text), to: parseIpAddress(text) };
    }
    const from = attributeOf(child, 'from') ?? '';
    const to = attributeOf(child, 'to') ?? '';
    return { text: `${from}-${to}`, from: parseIpAddress(from), to: parseIpAddress(to) };
  });
  const refused = PROBE_ADDRESSES.filter((text) => {
    const caller = parseIpAddress(text)!;
    const listedHere = entries.some((e) => e.from && e.to && e.from.version === caller.version && caller.value >= e.from.value && caller.value <= e.to.value);
    return action === 'allow' ? !listedHere : listedHere;
  });
  if (refused.length === 0) return undefined;
  const addresses = listed(entries.map((e) => e.text));
  const effect =
    action === 'allow'
      ? `allows only ${addresses}, so callers such as ${listed(refused)} are refused`
      : `forbids ${addresses}${refused.length === PROBE_ADDRESSES.length ? ', that is every caller' : `, callers such as ${listed(refused)} among them`}`;
  return { kind: 'ipFilter', effect };
}

/** A rate limit that allows fewer than `MIN_CALLS_PER_MINUTE` calls a minute. */
function rateLimitProblem(element: XmlElement): { kind: 'rateLimit'; effect: string } | undefined {
  if (element.name !== 'rate-limit' && element.name !== 'rate-limit-by-key') return undefined;
  const calls = Number(attributeOf(element, 'calls'));
  const period = Number(attributeOf(element, 'renewal-period'));
  if (!(calls > 0 && period > 0) || (calls * 60) / period >= MIN_CALLS_PER_MINUTE) return undefined;
  const key = element.name === 'rate-limit-by-key' ? ` per counter key ${attributeOf(element, 'counter-key') ?? ''}` : ' per subscription';
  return { kind: 'rateLimit', effect: `allows ${calls} call${calls === 1 ? '' : 's'} per ${period} s${key}, so ${nthCall(calls + 1)} within ${period} s is refused` };
}

function finding(index: CatalogIndex, api: Api, placed: PlacedElement, kind: 'ipFilter' | 'rateLimit', effect: string, affected: Operation[]): Finding {
  const names = listed(affected.map((o) => o.displayName));
  const answers = affected.length > 1 ? 'answer' : 'answers';
  const ref: PolicyScopeRef = placed.ref;
  const element = placed.element;
  const symptom = kind === 'ipFilter' ? `${names} ${answers} 403 "Forbidden"` : `${names} ${answers} 429 "Rate limit is exceeded"`;
  const doc = editableDocument(ref, index.policyDocument(ref));
  removeElement(doc, element.position);
  return {
    code: kind,
    apiId: api.id,
    operationId: affected[0]!.id,
    message: `${symptom}: the ${element.name} (${documentAt(ref, element.position)}) ${effect}.`,
    fix: {
      label: `Remove the ${element.name} from ${documentName(ref)}`,
      done: `Removed the ${element.name} from ${documentName(ref)}: ${names} ${kind === 'ipFilter' ? 'is no longer refused' : 'is no longer limited'}.`,
      requests: [putDocument(doc, policyEtag(index, ref))],
    },
  };
}
