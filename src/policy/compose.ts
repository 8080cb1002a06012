/**
 * The effective policy of one operation: the documents of its scopes nested by
 * `<base />`, section by section, once per catalog change (never per request).
 */
import type { PolicyDocument } from './document';
import { defaultPolicyDocument } from './document';
import { SCOPES, type Section, type Step } from './step';

/** The documents that apply to a call; null = none written at that scope. */
export interface ScopeDocuments {
  readonly global: PolicyDocument | null;
  /** Only when the call is authorized by a subscription to that product; null otherwise. */
  readonly product: PolicyDocument | null;
  readonly api: PolicyDocument | null;
  readonly operation: PolicyDocument | null;
}

export interface EffectivePolicy {
  readonly inbound: readonly Step[];
  readonly backend: readonly Step[];
  readonly outbound: readonly Step[];
  readonly onError: readonly Step[];
  /** Exactly APIM's default (one plain `forward-request`): the pipeline may forward without the engine. */
  readonly isDefault: boolean;
}

let defaultGlobal: PolicyDocument | undefined;

/** Nests one section: each scope's `<base />` becomes what the scopes around it made of the section. */
function composeSection(documents: ScopeDocuments, section: Section): Step[] {
  let inherited: Step[] = [];
  for (const scope of SCOPES) {
    const document = scope === 'global' ? (documents.global ?? (defaultGlobal ??= defaultPolicyDocument('global'))) : documents[scope];
    const steps = document?.sections[section];
    if (steps === undefined) continue;
    const outer = inherited;
    inherited = steps.flatMap((step) => (step.marker === 'base' ? outer : [step]));
  }
  return inherited;
}

export function composePolicy(documents: ScopeDocuments): EffectivePolicy {
  const inbound = composeSection(documents, 'inbound');
  const backend = composeSection(documents, 'backend');
  const outbound = composeSection(documents, 'outbound');
  const onError = composeSection(documents, 'on-error');
  const isDefault =
    inbound.length === 0 && outbound.length === 0 && onError.length === 0 && backend.length === 1 && backend[0]!.marker === 'default-forward';
  return { inbound, backend, outbound, onError, isDefault };
}

/** One line per step, for reading an effective policy (the lab's "calculate effective policy"). */
export function describePolicy(policy: EffectivePolicy): string[] {
  const lines: string[] = [];
  const sections: [Section, readonly Step[]][] = [
    ['inbound', policy.inbound],
    ['backend', policy.backend],
    ['outbound', policy.outbound],
    ['on-error', policy.onError],
  ];
  for (const [section, steps] of sections) {
    for (const { origin } of steps) {
      lines.push(`${section}: ${origin.element} (${origin.scope}, line ${origin.position.line}, column ${origin.position.column})`);
    }
  }
  return lines;
}
