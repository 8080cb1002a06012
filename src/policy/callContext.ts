/**
 * A PolicyCall seen as APIM's `context`. Members are getters over the call's live
 * state, so a value changed by one policy is what the next expression reads, and
 * nothing is copied for calls whose policies run no expression.
 */
import type { PolicyCall } from './call';
import type { BodyView, ExpressionContext, ReadOnlyDictionary, ResponseView, UrlView } from './context';
import { MultiMap } from './multiMap';

function dictionaryOf(map: MultiMap): ReadOnlyDictionary<readonly string[]> {
  return {
    get Keys() {
      return map.names;
    },
    get: (key) => map.get(key),
  };
}

function recordDictionary<V>(record: Readonly<Record<string, V>> | ReadonlyMap<string, V>): ReadOnlyDictionary<V> {
  if (record instanceof Map) {
    return {
      get Keys() {
        return [...(record as Map<string, V>).keys()];
      },
      get: (key) => (record as Map<string, V>).get(key),
    };
  }
  const plain = record as Readonly<Record<string, V>>;
  return { Keys: Object.keys(plain), get: (key) => (Object.hasOwn(plain, key) ? plain[key] : undefined) };
}

function bodyOf(read: () => Uint8Array | null): BodyView | null {
  return read() === null ? null : { As: () => Buffer.from(read()!).toString('utf8') };
}

function urlOf(scheme: string, host: string, port: number, path: string, query: MultiMap): UrlView {
  return {
    Scheme: scheme,
    Host: host,
    Port: port,
    Path: path,
    Query: dictionaryOf(query),
    get QueryString() {
      const pairs = query.toList();
      return pairs.length === 0 ? '' : `?${pairs.map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`).join('&')}`;
    },
  };
}

const defaultPort = (scheme: string) => (scheme === 'https' ? 443 : 80);

/** The URL the backend will be called with (APIM's `context.Request.Url`). */
function backendUrlOf(call: PolicyCall): UrlView {
  let scheme = call.originalUrl.scheme;
  let host = call.originalUrl.host;
  let port = call.originalUrl.port;
  let basePath = '';
  if (call.backendUrl !== null) {
    try {
      const url = new URL(call.backendUrl);
      scheme = url.protocol.replace(/:$/, '');
      host = url.hostname;
      port = url.port === '' ? defaultPort(scheme) : Number(url.port);
      basePath = url.pathname.replace(/\/+$/, '');
    } catch {
      // An unusable backend URL fails at forwarding; expressions still see the caller's URL.
    }
  }
  const path = call.path === '' || call.path.startsWith('/') ? call.path : `/${call.path}`;
  return urlOf(scheme, host, port, `${basePath}${path}` || '/', call.query);
}

/** APIM's `context` for `call`, built on first use; its members read the live state. */
export function contextOf(call: PolicyCall): ExpressionContext {
  return (call.expressionView ??= expressionContextOf(call));
}

function expressionContextOf(call: PolicyCall): ExpressionContext {
  const original = call.originalUrl;
  let originalView: UrlView | null = null;
  let responseView: ResponseView | null = null;
  let responseOf: unknown = null;
  const api = call.api;
  let serviceUrl: UrlView | null | undefined;
  return {
    Api: {
      Id: api.id,
      Name: api.name,
      Path: api.path,
      Protocols: api.protocols,
      get ServiceUrl() {
        if (serviceUrl === undefined) {
          serviceUrl = null;
          if (api.serviceUrl !== null) {
            try {
              const url = new URL(api.serviceUrl);
              const scheme = url.protocol.replace(/:$/, '');
              serviceUrl = urlOf(scheme, url.hostname, url.port === '' ? defaultPort(scheme) : Number(url.port), url.pathname, new MultiMap());
            } catch {
              serviceUrl = null;
            }
          }
        }
        return serviceUrl;
      },
      SubscriptionKeyParameterNames: { Header: api.subscriptionKeyHeaderName, Query: api.subscriptionKeyQueryName },
    },
    Operation: {
      Id: call.operation.id,
      Name: call.operation.name,
      Method: call.operation.method,
      UrlTemplate: call.operation.urlTemplate,
    },
    Product: call.product && {
      Id: call.product.id,
      Name: call.product.name,
      State: call.product.state,
      ApprovalRequired: call.product.approvalRequired,
      SubscriptionRequired: call.product.subscriptionRequired,
      SubscriptionLimit: call.product.subscriptionsLimit,
    },
    Subscription: call.subscription && {
      Id: call.subscription.id,
      Name: call.subscription.name,
      CreatedDate: call.subscription.createdDate,
      StartDate: call.subscription.startDate,
      EndDate: call.subscription.endDate,
    },
    Request: {
      get Method() {
        return call.method;
      },
      get Url() {
        return backendUrlOf(call);
      },
      get OriginalUrl() {
        if (originalView === null) {
          const query = new MultiMap(original.query);
          originalView = urlOf(original.scheme, original.host, original.port, original.path, query);
        }
        return originalView;
      },
      Headers: dictionaryOf(call.headers),
      IpAddress: call.ipAddress,
      MatchedParameters: recordDictionary(call.matchedParameters),
      get Body() {
        return bodyOf(() => call.body);
      },
    },
    get Response() {
      const response = call.response;
      if (response === null) return null;
      if (responseOf !== response) {
        responseOf = response;
        responseView = {
          get StatusCode() {
            return response.status;
          },
          get StatusReason() {
            return response.reason;
          },
          Headers: dictionaryOf(response.headers),
          get Body() {
            return bodyOf(() => response.body);
          },
        };
      }
      return responseView;
    },
    Variables: recordDictionary(call.variables),
    Deployment: { ServiceName: call.deployment.serviceName, Region: call.deployment.region },
    RequestId: call.requestId,
    Timestamp: new Date(call.receivedAt),
    get Elapsed() {
      return call.now() - call.receivedAt;
    },
    get LastError() {
      return call.lastError;
    },
  };
}
