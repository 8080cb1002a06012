import { randomUUID } from 'node:crypto';
import type {
  CoreInvocationContext,
  CoreLogCategory,
  CoreLogLevel,
  FunctionCallback,
  RpcInvocationResponse,
  RpcTypedData,
} from './coreApi';
import type { CapturedFunction, FunctionsCore } from './functionsCore';
import type { HostLogger } from './log';

/** The trigger's input for one invocation: its binding name and data. */
export interface TriggerInput {
  bindingName: string;
  data: RpcTypedData;
}

/** What an invocation produced, for the caller to turn into an HTTP answer. */
export interface InvocationResult {
  invocationId: string;
  /** The `$return` output, e.g. `{ http: RpcHttp }`; undefined when the function returned nothing. */
  returnValue: RpcTypedData | null | undefined;
  /** Other outputs the function set (bindings the local host does not run). */
  outputNames: string[];
}

/**
 * Runs one invocation exactly as the Node worker does: the library's programming
 * model builds the arguments, `preInvocation` hooks may replace inputs and
 * handler, the handler runs, `postInvocation` hooks may replace result or error,
 * and the model converts the result. Anything thrown (by the handler or a hook)
 * rejects the returned promise; the caller answers 500.
 */
export async function invokeFunction(core: FunctionsCore, fn: CapturedFunction, input: TriggerInput, logger: HostLogger): Promise<InvocationResult> {
  const model = core.programmingModel;
  if (!model) throw new Error('No programming model was registered: the app did not load @azure/functions through the local host.');
  const name = fn.metadata.name;
  const invocationId = randomUUID();
  const hookData: Record<string, unknown> = {};
  let invocationContext: unknown = undefined;

  const coreCtx: CoreInvocationContext = {
    invocationId,
    request: {
      invocationId,
      functionId: fn.metadata.functionId ?? name,
      inputData: [{ name: input.bindingName, data: input.data }],
      // The worker asks the host not to send HTTP trigger metadata.
      triggerMetadata: {},
    },
    metadata: fn.metadata,
    state: undefined,
    log: (level, category, message) => emitLog(core, logger, name, { level, category, message }, hookData, invocationContext),
  };

  const invocation = await model.getInvocationModel(coreCtx);
  const args = await invocation.getArguments();
  invocationContext = args.context;

  // Plain objects: the library wraps them in its hook context classes, which
  // make hookData, appHookData and invocationContext read-only.
  const shared = { hookData, appHookData: core.appHookData, invocationContext: args.context };
  const pre: Record<string, unknown> = { ...shared, inputs: args.inputs, functionCallback: fn.callback };
  await withState(coreCtx, 'preInvocationHooks', () => core.runHooks('preInvocation', pre));

  const inputs = pre.inputs as unknown[];
  const post: Record<string, unknown> = { ...shared, inputs, result: null, error: null };
  await withState(coreCtx, 'invocation', async () => {
    try {
      post.result = await invocation.invokeFunction(args.context, inputs, pre.functionCallback as FunctionCallback);
    } catch (err) {
      post.error = err;
    }
  });
  await withState(coreCtx, 'postInvocationHooks', () => core.runHooks('postInvocation', post));
  // Like the worker: anything thrown counts as an error, whatever its type.
  const { error } = post;
  if (error !== null && error !== undefined) throw error as unknown;

  const response: RpcInvocationResponse = await invocation.getResponse(args.context, post.result);
  return {
    invocationId,
    returnValue: response.returnValue,
    outputNames: (response.outputData ?? []).map((output) => output.name),
  };
}

async function withState(coreCtx: CoreInvocationContext, state: CoreInvocationContext['state'], run: () => Promise<void>): Promise<void> {
  coreCtx.state = state;
  try {
    await run();
  } finally {
    coreCtx.state = undefined;
  }
}

interface LogEntry {
  level: CoreLogLevel;
  category: CoreLogCategory;
  message: string;
}

/**
 * Passes a log through the app's `log` hooks (which may change level and message
 * of user logs, as in the worker; a failing hook is ignored) and prints it.
 */
function emitLog(core: FunctionsCore, logger: HostLogger, name: string, entry: LogEntry, hookData: Record<string, unknown>, invocationContext: unknown): void {
  const context: Record<string, unknown> = { ...entry, hookData, appHookData: core.appHookData, invocationContext };
  try {
    for (const hook of core.hooks('log')) void hook(context);
    if (entry.category === 'user') {
      entry = { ...entry, level: context.level as CoreLogLevel, message: String(context.message) };
    }
  } catch {
    // A hook must not be able to swallow the message.
  }
  logger.log(entry.level, name, entry.message);
}
