import type { CatalogIndex } from '../../catalog/catalogIndex';
import type { Api, Operation, PolicyScopeRef, Product } from '../../catalog/records';
import { composeEffectivePolicy, elementOfStep, type ComposedPolicy, type ScopeSource } from '../../management/effectivePolicy';
import type { ExpressionContext, SourcePosition } from '../../policy/context';
import { compileExpression, isExpression } from '../../policy/expressions';
import type { XmlElement } from '../../policy/parse';
import type { Section, Step } from '../../policy/step';

/**
 * What a call of an operation runs, read from the catalog: the operation's
 * effective policy as the gateway composes it (`composeEffectivePolicy`), each
 * step with the element it was written as, and the elements nested in a `choose`
 * whose branch applies to the operation. A `when` condition is evaluated with
 * what is known before any call (the API, the operation, the product); one that
 * reads the request, the response or anything else of a call counts as maybe
 * true: its branch is taken into account, and so are the ones after it.
 */

/** An element that takes part in calls of the operation, and the document it was written in. */
export interface PlacedElement {
  readonly element: XmlElement;
  readonly section: Section;
  /** The document's scope and stored record (none: the global default). */
  readonly source: ScopeSource;
  /** The scope's document reference. */
  readonly ref: PolicyScopeRef;
}

export interface OperationPolicy {
  /** The product whose document takes part; null for none. */
  readonly productId: string | null;
  readonly composed: ComposedPolicy;
  readonly sections: Readonly<Record<Section, readonly PlacedElement[]>>;
}

const SECTION_STEPS: readonly [Section, (composed: ComposedPolicy) => readonly Step[]][] = [
  ['inbound', (c) => c.policy.inbound],
  ['backend', (c) => c.policy.backend],
  ['outbound', (c) => c.policy.outbound],
  ['on-error', (c) => c.policy.onError],
];

/**
 * The products whose subscriptions call an API: every product that contains it;
 * none (null, as with the all-access subscription) when no product does.
 */
export function callProducts(index: CatalogIndex, apiId: string): (string | null)[] {
  const products = index.productsOfApi(apiId).map((p) => p.id);
  return products.length > 0 ? products : [null];
}

/** The operation's policy for calls through `productId`; throws the management API's errors (e.g. a document that no longer compiles). */
export function operationPolicy(index: CatalogIndex, api: Api, operation: Operation, productId: string | null): OperationPolicy {
  const composed = composeEffectivePolicy(index, api.id, operation.id, productId);
  const context = staticContext(api, operation, productId === null ? undefined : index.getProduct(productId));
  const sections = {} as Record<Section, PlacedElement[]>;
  for (const [section, stepsOf] of SECTION_STEPS) {
    const placed: PlacedElement[] = [];
    for (const step of stepsOf(composed)) {
      const element = elementOfStep(composed, step);
      const source = composed.sources[step.origin.scope];
      if (element === undefined || source.ref === null) continue;
      visit(element, (found) => placed.push({ element: found, section, source, ref: source.ref! }), context);
    }
    sections[section] = placed;
  }
  return { productId, composed, sections };
}

/** The element, then the elements of each branch of a `choose` that may apply, depth first. */
function visit(element: XmlElement, found: (element: XmlElement) => void, context: ExpressionContext): void {
  found(element);
  if (element.name !== 'choose') return;
  for (const branch of children(element)) {
    const truth = branch.name === 'otherwise' ? true : conditionOf(branch, context);
    if (truth === false) continue;
    for (const child of children(branch)) visit(child, found, context);
    if (truth === true) return;
  }
}

export function children(element: XmlElement): XmlElement[] {
  return element.children.filter((c): c is XmlElement => c.kind === 'element');
}

export function attributeOf(element: XmlElement, name: string): string | undefined {
  return element.attributes.find((a) => a.name === name)?.value;
}

type Truth = boolean | 'unknown';

/** A `when` condition before any call: true, false, or unknown when it reads anything of a call. */
function conditionOf(when: XmlElement, context: ExpressionContext): Truth {
  const attribute = when.attributes.find((a) => a.name === 'condition');
  if (attribute === undefined) return 'unknown';
  const text = attribute.value.trim();
  if (/^(true|false)$/i.test(text)) return text.toLowerCase() === 'true';
  if (!isExpression(text)) return 'unknown';
  try {
    const value = compileExpression(text, { element: 'when', position: attribute.valuePosition })(context);
    return typeof value === 'boolean' ? value : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Thrown by a member of `context` that only a call has. */
class KnownOnlyDuringACall extends Error {}

const duringACall = (): never => {
  throw new KnownOnlyDuringACall('known only during a call');
};

/** APIM's `context` as far as it is known before a call: the API, the operation and the product. */
function staticContext(api: Api, operation: Operation, product: Product | undefined): ExpressionContext {
  return {
    Api: {
      Id: api.id,
      Name: api.displayName,
      Path: api.path,
      Protocols: api.protocols,
      get ServiceUrl() {
        return duringACall();
      },
      SubscriptionKeyParameterNames: { Header: api.subscriptionKeyParameterNames.header, Query: api.subscriptionKeyParameterNames.query },
    },
    Operation: { Id: operation.id, Name: operation.displayName, Method: operation.method, UrlTemplate: operation.urlTemplate },
    Product:
      product === undefined
        ? null
        : {
            Id: product.id,
            Name: product.displayName,
            State: product.state,
            ApprovalRequired: product.approvalRequired,
            SubscriptionRequired: product.subscriptionRequired,
            SubscriptionLimit: product.subscriptionsLimit ?? null,
          },
    get Subscription() {
      return duringACall();
    },
    get Request() {
      return duringACall();
    },
    get Response() {
      return duringACall();
    },
    get Variables() {
      return duringACall();
    },
    get Deployment() {
      return duringACall();
    },
    get RequestId() {
      return duringACall();
    },
    get Timestamp() {
      return duringACall();
    },
    get Elapsed() {
      return duringACall();
    },
    get LastError() {
      return duringACall();
    },
  };
}

/** Where in which document, in the words the findings use: `API productstore, line 13`. */
export function documentAt(ref: PolicyScopeRef, position: SourcePosition): string {
  return `${documentName(ref)}, line ${position.line}`;
}

/** `the global policy`, `product standard`, `API productstore`, `operation getheaders of API blank-api`. */
export function documentName(ref: PolicyScopeRef): string {
  switch (ref.scope) {
    case 'global':
      return 'the global policy';
    case 'product':
      return `product ${ref.productId}`;
    case 'api':
      return `API ${ref.apiId}`;
    case 'operation':
      return `operation ${ref.operationId} of API ${ref.apiId}`;
  }
}
