/**
 * The shapes exchanged between `@azure/functions` and the module it calls
 * `@azure/functions-core` (normally provided by the Azure Functions Node worker).
 * Only what the local host reads or writes is typed; everything else passes through.
 */

/** Log levels as the library names them. */
export type CoreLogLevel = 'trace' | 'debug' | 'information' | 'warning' | 'error' | 'critical' | 'none';

/** `user` for context.log, `system` for the library's own messages. */
export type CoreLogCategory = 'user' | 'system' | 'customMetric';

/** One binding of a function, keyed by binding name in {@link FunctionMetadata.bindings}. */
export interface BindingMetadata {
  type: string;
  direction: 'in' | 'out' | 'inout';
  methods?: string[];
  route?: string;
  authLevel?: string;
  [key: string]: unknown;
}

/** What `app.http(...)` and friends register. */
export interface FunctionMetadata {
  name: string;
  functionId?: string;
  bindings: Record<string, BindingMetadata>;
  [key: string]: unknown;
}

export type FunctionCallback = (...args: unknown[]) => unknown;

export interface RpcNullableString {
  value?: string | null;
}

/** The protobuf `TypedData` union, as plain JavaScript. */
export interface RpcTypedData {
  string?: string | null;
  json?: string | null;
  bytes?: Uint8Array | null;
  http?: RpcHttpData | null;
  int?: number | null;
  double?: number | null;
  [key: string]: unknown;
}

/** The protobuf `RpcHttpCookie`, as built by the library's `toRpcHttpCookie`. */
export interface RpcHttpCookie {
  name?: string;
  value?: string;
  domain?: RpcNullableString | null;
  path?: RpcNullableString | null;
  expires?: { value?: { seconds?: number | null } | null } | null;
  secure?: { value?: boolean | null } | null;
  httpOnly?: { value?: boolean | null } | null;
  /** 'none', 'lax', 'strict', 'explicitNone', or whatever the library sends. */
  sameSite?: string | null;
  maxAge?: { value?: number | null } | null;
}

/** The protobuf `RpcHttp`: a request going to the worker, or a response coming back. */
export interface RpcHttpData {
  method?: string;
  url?: string;
  headers?: Record<string, string>;
  nullableHeaders?: Record<string, RpcNullableString>;
  query?: Record<string, string>;
  nullableQuery?: Record<string, RpcNullableString>;
  params?: Record<string, string>;
  nullableParams?: Record<string, RpcNullableString>;
  body?: RpcTypedData | null;
  rawBody?: RpcTypedData | null;
  identities?: unknown[];
  statusCode?: string;
  cookies?: RpcHttpCookie[];
  enableContentNegotiation?: boolean;
}

export interface RpcParameterBinding {
  name: string;
  data: RpcTypedData;
}

/** The protobuf `InvocationRequest` the host sends for each invocation. */
export interface RpcInvocationRequest {
  invocationId: string;
  functionId: string;
  inputData: RpcParameterBinding[];
  triggerMetadata: Record<string, RpcTypedData>;
}

export interface RpcInvocationResponse {
  invocationId?: string;
  outputData?: RpcParameterBinding[];
  returnValue?: RpcTypedData | null;
}

export type InvocationState = 'preInvocationHooks' | 'postInvocationHooks' | 'invocation';

/** What the worker hands to `programmingModel.getInvocationModel`. */
export interface CoreInvocationContext {
  invocationId: string;
  request: RpcInvocationRequest;
  metadata: FunctionMetadata;
  state?: InvocationState;
  log(level: CoreLogLevel, category: CoreLogCategory, message: string): void;
}

export interface InvocationArguments {
  context: unknown;
  inputs: unknown[];
}

/** One invocation as the programming model drives it. */
export interface InvocationModel {
  getArguments(): Promise<InvocationArguments>;
  invokeFunction(context: unknown, inputs: unknown[], handler: FunctionCallback): Promise<unknown>;
  getResponse(context: unknown, result: unknown): Promise<RpcInvocationResponse>;
}

/** What `@azure/functions` passes to `setProgrammingModel`. */
export interface ProgrammingModel {
  name: string;
  version: string;
  getInvocationModel(coreCtx: CoreInvocationContext): InvocationModel | Promise<InvocationModel>;
  getCapabilities?(capabilities: Record<string, string>): Promise<Record<string, string>>;
}

/** Hook callbacks receive a plain object; the library wraps it in its own context classes. */
export type HookCallback = (context: Record<string, unknown>) => unknown;

/** Hook names the library registers. */
export type HookName = 'appStart' | 'appTerminate' | 'preInvocation' | 'postInvocation' | 'log';
