/**
 * The contract between the parts of the policy engine: where a document's text
 * sits (positions), what a write-time refusal says, and the `context` that policy
 * expressions read (APIM's `context` variable, with APIM's member names).
 *
 * Expressions see this read-only view of a call. The pipeline builds it from the
 * call's live state; the expression compiler checks member names against it at
 * write time, so an expression can reach nothing but what is declared here.
 * See docs/policies.md.
 */

/** A place in a policy document: 1-based line and column, as editors count. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/**
 * A document refused at write time: which element, where, and why. The
 * management API turns it into APIM's `400 ValidationError` whose detail reads
 * "Error in element 'NAME' on line L, column C: MESSAGE".
 */
export class PolicyError extends Error {
  constructor(
    message: string,
    readonly element: string,
    readonly position: SourcePosition,
  ) {
    super(message);
    this.name = 'PolicyError';
  }

  /** APIM's wording for the validation detail. */
  get detail(): string {
    return `Error in element '${this.element}' on line ${this.position.line}, column ${this.position.column}: ${this.message}`;
  }
}

/**
 * A read-only dictionary as C#'s `IReadOnlyDictionary<string, V>`; header and
 * query dictionaries compare keys without case, as APIM's do.
 */
export interface ReadOnlyDictionary<V> {
  readonly Keys: readonly string[];
  /** The value for `key`, or undefined when absent (C#'s indexer throws; the compiler maps that). */
  get(key: string): V | undefined;
}

/** A URL as APIM's `IUrl`. */
export interface UrlView {
  readonly Scheme: string;
  readonly Host: string;
  readonly Port: number;
  /** The path, starting with `/`. */
  readonly Path: string;
  /** Query parameters by name, each with all its values. */
  readonly Query: ReadOnlyDictionary<readonly string[]>;
  /** The query string with its leading `?`, or empty. */
  readonly QueryString: string;
}

/** A message body: read as text (C#'s `Body.As<string>()`). */
export interface BodyView {
  As(type: 'string'): string;
}

export interface RequestView {
  readonly Method: string;
  readonly Url: UrlView;
  readonly OriginalUrl: UrlView;
  /** Headers by name, each with all its values (APIM's `IReadOnlyDictionary<string, string[]>`). */
  readonly Headers: ReadOnlyDictionary<readonly string[]>;
  readonly IpAddress: string;
  /** Template parameters matched from the operation's URL template. */
  readonly MatchedParameters: ReadOnlyDictionary<string>;
  readonly Body: BodyView | null;
}

export interface ResponseView {
  readonly StatusCode: number;
  readonly StatusReason: string;
  readonly Headers: ReadOnlyDictionary<readonly string[]>;
  readonly Body: BodyView | null;
}

export interface ApiView {
  readonly Id: string;
  readonly Name: string;
  readonly Path: string;
  readonly Protocols: readonly string[];
  readonly ServiceUrl: UrlView | null;
  readonly SubscriptionKeyParameterNames: { readonly Header: string; readonly Query: string };
}

export interface OperationView {
  readonly Id: string;
  readonly Name: string;
  readonly Method: string;
  readonly UrlTemplate: string;
}

export interface ProductView {
  readonly Id: string;
  readonly Name: string;
  readonly State: string;
  readonly ApprovalRequired: boolean;
  readonly SubscriptionRequired: boolean;
  readonly SubscriptionLimit: number | null;
}

/** The subscription that authorized the call. Never its keys: no expression can read a key. */
export interface SubscriptionView {
  readonly Id: string;
  readonly Name: string;
  readonly CreatedDate: Date;
  readonly StartDate: Date | null;
  readonly EndDate: Date | null;
}

export interface DeploymentView {
  readonly ServiceName: string;
  readonly Region: string;
}

/** The failure `<on-error>` handles (APIM's `context.LastError`). */
export interface LastErrorView {
  readonly Source: string;
  readonly Reason: string;
  readonly Message: string;
  readonly Scope: string;
  readonly Section: string;
  readonly PolicyId: string;
}

/** APIM's `context`: what a policy expression can read. */
export interface ExpressionContext {
  readonly Api: ApiView;
  readonly Operation: OperationView;
  /** Null unless the call was authorized by a subscription to a product. */
  readonly Product: ProductView | null;
  /** Null for calls that needed no key. */
  readonly Subscription: SubscriptionView | null;
  readonly Request: RequestView;
  /** Null before the backend answered (inbound, backend). */
  readonly Response: ResponseView | null;
  /** Values set by `set-variable` and by policies that publish variables (e.g. remaining calls). */
  readonly Variables: ReadOnlyDictionary<unknown>;
  readonly Deployment: DeploymentView;
  /** This call's id (a GUID). */
  readonly RequestId: string;
  /** When the gateway received the call. */
  readonly Timestamp: Date;
  /** Time since then, in milliseconds (C#'s `TimeSpan`). */
  readonly Elapsed: number;
  readonly LastError: LastErrorView | null;
}
