import { policyScopeKey, type Operation, type PolicyRecord, type PolicyScopeRef } from '../catalog/records';
import { safeError } from '../logging/sanitizer';
import { composePolicy, type EffectivePolicy } from '../policy/compose';
import { parsePolicyDocument, type PolicyDocument } from '../policy/document';
import type { Scope } from '../policy/step';
import type { Access } from './authorize';

export type { PolicyRecord, PolicyScopeRef };

/**
 * Where the gateway reads policy documents (the catalog's view satisfies it). The
 * version changes whenever any document may have changed.
 */
export interface PolicyDocuments {
  readonly version: number;
  policyDocument(ref: PolicyScopeRef): PolicyRecord | undefined;
}

/** A scope whose stored document does not compile: the operation is answered 500 rather than run without it. */
export interface PolicyUnusable {
  readonly unusable: true;
}

/**
 * Every scope at its default: the global `<forward-request />` and nothing else.
 * The pipeline recognises it by `isDefault` and forwards as it always did.
 */
export const DEFAULT_EFFECTIVE_POLICY: EffectivePolicy = Object.freeze(
  composePolicy({ global: null, product: null, api: null, operation: null }),
);

const UNUSABLE: PolicyUnusable = Object.freeze({ unusable: true });

const isUnusableDocument = (document: PolicyDocument | null | PolicyUnusable): document is PolicyUnusable => document === UNUSABLE;

export const isUnusable = (policy: EffectivePolicy | PolicyUnusable): policy is PolicyUnusable => 'unusable' in policy;

/** The product whose document applies to a call: only a subscription scoped to that product brings one. */
export function policyProductOf(access: Access): string | null {
  return access.via === 'subscription' && access.product !== null ? access.product.id : null;
}

/** The effective policies of one operation: without a product, and per product. */
interface OperationPolicies {
  none?: EffectivePolicy | PolicyUnusable;
  readonly byProduct: Map<string, EffectivePolicy | PolicyUnusable>;
}

interface CompiledRecord {
  readonly format: string;
  readonly value: string;
  readonly document: PolicyDocument | null;
}

/**
 * The `policies` stage: the effective policy of (API, operation, product), the
 * stored documents of its four scopes composed with `<base />`. Computed on the
 * first call after a catalog change and kept until the next one: a request only
 * reads the documents' version and does a map lookup. Memory is bounded by the
 * catalog: one entry per operation (held weakly by its record) and per product
 * used with it; documents compiled once per text, and the compilations of a
 * version only kept while it is current.
 */
export class EffectivePolicies {
  private version = Number.NaN;
  private perOperation = new WeakMap<Operation, OperationPolicies>();
  /** Compiled documents by scope key, for the current version. */
  private compiled = new Map<string, CompiledRecord>();
  /** The previous version's compilations: a document whose text did not change is not compiled again. */
  private previous = new Map<string, CompiledRecord>();

  constructor(
    private readonly documents: PolicyDocuments | undefined,
    private readonly log: (message: string) => void = safeError,
  ) {}

  /** The effective policy of a call to `operation` of `apiId`, in the context of `productId` (null: no product scope). */
  of(apiId: string, operation: Operation, productId: string | null): EffectivePolicy | PolicyUnusable {
    const documents = this.documents;
    if (documents === undefined) return DEFAULT_EFFECTIVE_POLICY;
    if (documents.version !== this.version) this.reset(documents.version);
    let policies = this.perOperation.get(operation);
    if (policies === undefined) this.perOperation.set(operation, (policies = { byProduct: new Map() }));
    if (productId === null) return (policies.none ??= this.compose(documents, apiId, operation.id, null));
    let policy = policies.byProduct.get(productId);
    if (policy === undefined) policies.byProduct.set(productId, (policy = this.compose(documents, apiId, operation.id, productId)));
    return policy;
  }

  private reset(version: number): void {
    this.version = version;
    this.perOperation = new WeakMap();
    this.previous = this.compiled;
    this.compiled = new Map();
  }

  private compose(documents: PolicyDocuments, apiId: string, operationId: string, productId: string | null): EffectivePolicy | PolicyUnusable {
    const global = this.document(documents, { scope: 'global' });
    const product = productId === null ? null : this.document(documents, { scope: 'product', productId });
    const api = this.document(documents, { scope: 'api', apiId });
    const operation = this.document(documents, { scope: 'operation', apiId, operationId });
    if (isUnusableDocument(global) || isUnusableDocument(product) || isUnusableDocument(api) || isUnusableDocument(operation)) return UNUSABLE;
    if (global === null && product === null && api === null && operation === null) return DEFAULT_EFFECTIVE_POLICY;
    return composePolicy({ global, product, api, operation });
  }

  /** The compiled document of a scope; null when none is stored. */
  private document(documents: PolicyDocuments, ref: PolicyScopeRef): PolicyDocument | null | PolicyUnusable {
    const key = policyScopeKey(ref);
    let entry = this.compiled.get(key);
    if (entry === undefined) {
      const record = documents.policyDocument(ref);
      if (record === undefined) return null;
      const before = this.previous.get(key);
      entry = before !== undefined && before.format === record.format && before.value === record.value ? before : this.compile(record, ref.scope);
      this.compiled.set(key, entry);
    }
    return entry.document ?? UNUSABLE;
  }

  private compile(record: PolicyRecord, scope: Scope): CompiledRecord {
    try {
      return { format: record.format, value: record.value, document: parsePolicyDocument(record.value, record.format, scope) };
    } catch (error) {
      // Documents are validated when written; one that no longer compiles must not be skipped silently.
      const detail = error instanceof Error && 'detail' in error ? String((error as { detail: unknown }).detail) : String(error);
      this.log(`The ${describeScope(record)} policy does not compile; its calls are answered 500: ${detail}`);
      return { format: record.format, value: record.value, document: null };
    }
  }
}

function describeScope(ref: PolicyScopeRef): string {
  switch (ref.scope) {
    case 'global':
      return 'global';
    case 'product':
      return `product '${ref.productId}'`;
    case 'api':
      return `API '${ref.apiId}'`;
    case 'operation':
      return `operation '${ref.apiId}/${ref.operationId}'`;
  }
}
