/**
 * The effective policy of one operation: the documents of its scopes nested by
 * `<base />`, section by section, once per catalog change (never per request).
 */
import type { SourcePosition } from './context';
import type { PolicyDocument } from './document';
import { defaultPolicyDocument } from './document';
import { SCOPES, type Scope, type Section, type Step } from './step';

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

/**
 * The scope whose section an effective section starts from: the innermost scope
 * that wrote the section without `<base />`, so that nothing of the outer scopes
 * is inherited there (the global scope when every inner one inherits).
 */
export interface SectionSource {
  readonly scope: Scope;
  /** Where that scope's section starts; null for the default global document, which nobody wrote. */
  readonly position: SourcePosition | null;
}

let defaultGlobal: PolicyDocument | undefined;

/** Nests one section: each scope's `<base />` becomes what the scopes around it made of the section. */
function composeSection(documents: ScopeDocuments, section: Section): { steps: Step[]; source: SectionSource } {
  let inherited: Step[] = [];
  let source: SectionSource = { scope: 'global', position: null };
  for (const scope of SCOPES) {
    const document = scope === 'global' ? (documents.global ?? (defaultGlobal ??= defaultPolicyDocument('global'))) : documents[scope];
    const steps = document?.sections[section];
    if (steps === undefined) continue;
    const outer = inherited;
    if (scope === 'global' || !steps.some((step) => step.marker === 'base')) {
      source = { scope, position: scope === 'global' && documents.global === null ? null : (document!.sectionPositions[section] ?? null) };
    }
    inherited = steps.flatMap((step) => (step.marker === 'base' ? outer : [step]));
  }
  return { steps: inherited, source };
}

export function composePolicy(documents: ScopeDocuments): EffectivePolicy {
  const inbound = composeSection(documents, 'inbound').steps;
  const backendSection = composeSection(documents, 'backend');
  const backend = backendSection.steps;
  const outbound = composeSection(documents, 'outbound').steps;
  const onError = composeSection(documents, 'on-error').steps;
  const isDefault =
    inbound.length === 0 && outbound.length === 0 && onError.length === 0 && backend.length === 1 && backend[0]!.marker === 'default-forward';
  const policy: EffectivePolicy = { inbound, backend, outbound, onError, isDefault };
  backendSources.set(policy, backendSection.source);
  return policy;
}

/** Where each composed policy's backend section comes from (kept beside the policy, which is a plain record of its sections). */
const backendSources = new WeakMap<EffectivePolicy, SectionSource>();

/**
 * Where the effective backend section of a policy made by `composePolicy` comes
 * from, for a trace that says why nothing was forwarded; the global scope for any
 * other policy.
 */
export function backendSourceOf(policy: EffectivePolicy): SectionSource {
  return backendSources.get(policy) ?? { scope: 'global', position: null };
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
