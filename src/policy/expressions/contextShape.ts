/**
 * The static description of `context` (src/policy/context.ts) that the checker
 * resolves every member access against. Each shape is typed against its view
 * interface, so a member added to or removed from context.ts without a matching
 * entry here fails the build.
 */

import type {
  ApiView,
  DeploymentView,
  ExpressionContext,
  LastErrorView,
  OperationView,
  ProductView,
  RequestView,
  ResponseView,
  SubscriptionView,
  UrlView,
} from '../context';
import { type ExprType, STRING_ARRAY, T } from './types';

/** Exactly the members of `View`: a missing one is a type error, an extra one too. */
type Members<View> = { readonly [K in keyof View]-?: ExprType };

function shape<View>(name: string, members: Members<View>): ExprType {
  return { kind: 'shape', shape: { name, members: new Map<string, ExprType>(Object.entries(members)) } };
}

const headers: ExprType = { kind: 'dictionary', values: STRING_ARRAY, joined: true };

const url = shape<UrlView>('IUrl', {
  Scheme: T.string,
  Host: T.string,
  Port: T.int,
  Path: T.string,
  Query: headers,
  QueryString: T.string,
});

const request = shape<RequestView>('IRequest', {
  Method: T.string,
  Url: url,
  OriginalUrl: url,
  Headers: headers,
  IpAddress: T.string,
  MatchedParameters: { kind: 'dictionary', values: T.string, joined: false },
  Body: T.body,
});

const response = shape<ResponseView>('IResponse', {
  StatusCode: T.int,
  StatusReason: T.string,
  Headers: headers,
  Body: T.body,
});

const api = shape<ApiView>('IApi', {
  Id: T.string,
  Name: T.string,
  Path: T.string,
  Protocols: STRING_ARRAY,
  ServiceUrl: url,
  SubscriptionKeyParameterNames: shape<ApiView['SubscriptionKeyParameterNames']>('ISubscriptionKeyParameterNames', {
    Header: T.string,
    Query: T.string,
  }),
});

const operation = shape<OperationView>('IOperation', {
  Id: T.string,
  Name: T.string,
  Method: T.string,
  UrlTemplate: T.string,
});

const product = shape<ProductView>('IProduct', {
  Id: T.string,
  Name: T.string,
  State: T.string,
  ApprovalRequired: T.bool,
  SubscriptionRequired: T.bool,
  SubscriptionLimit: T.int,
});

const subscription = shape<SubscriptionView>('ISubscription', {
  Id: T.string,
  Name: T.string,
  CreatedDate: T.DateTime,
  StartDate: T.DateTime,
  EndDate: T.DateTime,
});

const deployment = shape<DeploymentView>('IDeployment', {
  ServiceName: T.string,
  Region: T.string,
});

const lastError = shape<LastErrorView>('ILastError', {
  Source: T.string,
  Reason: T.string,
  Message: T.string,
  Scope: T.string,
  Section: T.string,
  PolicyId: T.string,
});

/** The type of the identifier `context`. */
export const CONTEXT_TYPE = shape<ExpressionContext>('IContext', {
  Api: api,
  Operation: operation,
  Product: product,
  Subscription: subscription,
  Request: request,
  Response: response,
  Variables: { kind: 'dictionary', values: T.object, joined: false },
  Deployment: deployment,
  RequestId: T.string,
  Timestamp: T.DateTime,
  Elapsed: T.TimeSpan,
  LastError: lastError,
});
