import { loadApp } from './appLoader';
import { FunctionsCore, LOCAL_HOST_VERSION } from './functionsCore';
import type { HttpRuntime } from './http/requestHandler';
import { describeFunctions, type HttpTarget, type RegisteredFunction } from './httpFunctions';
import { invokeFunction } from './invoke';
import { describeError, type HostLogger } from './log';
import { isFunctionsLibraryLoaded, provideBuiltinModule } from './moduleShim';

/** The capabilities the Node worker announces; the library may add to them. */
const WORKER_CAPABILITIES: Record<string, string> = {
  RawHttpBodyBytes: 'true',
  RpcHttpTriggerMetadataRemoved: 'true',
  RpcHttpBodyOnly: 'true',
  IgnoreEmptyValuedRpcHttpHeaders: 'true',
  UseNullableValueDictionaryForHttp: 'true',
  WorkerStatus: 'true',
  TypedDataCollection: 'true',
  HandlesWorkerTerminateMessage: 'true',
};

/** A loaded app, ready to serve. */
export interface LoadedApp {
  /** In routing order. */
  functions: RegisteredFunction[];
  runtime: HttpRuntime<HttpTarget>;
  /** Runs the app's `appTerminate` hooks (errors are logged, not thrown). */
  terminate(): Promise<void>;
}

/**
 * Starts the app as the Node worker does: provides `@azure/functions-core`, loads
 * the files of `package.json` `main` (which register functions and hooks), locks
 * registration, asks the programming model for its capabilities, builds the routes
 * and runs the `appStart` hooks. Throws on anything the host would refuse.
 */
export async function loadFunctionsApp(projectRoot: string, routePrefix: string, logger: HostLogger): Promise<LoadedApp> {
  if (isFunctionsLibraryLoaded()) {
    throw new Error('@azure/functions was loaded before the local host: it would stay in test mode and register nothing.');
  }
  const core = new FunctionsCore((level, message) => logger.log(level, 'host', message));
  provideBuiltinModule('@azure/functions-core', core.moduleExports());
  await loadApp(projectRoot);
  core.lock();
  await checkCapabilities(core);

  const app = describeFunctions(core.functions.values(), routePrefix);
  for (const warning of app.warnings) logger.log('warning', 'host', warning);
  await core.runHooks('appStart', { hookData: core.appHookData, appHookData: core.appHookData, functionAppDirectory: projectRoot, hostVersion: LOCAL_HOST_VERSION });

  return {
    functions: app.functions,
    runtime: {
      routes: app.routes,
      invoke: (target, data) => invokeFunction(core, target.fn, { bindingName: target.bindingName, data }, logger),
    },
    terminate: () =>
      core
        .runHooks('appTerminate', { hookData: core.appHookData, appHookData: core.appHookData })
        .catch((err: unknown) => logger.log('error', 'host', `An appTerminate hook failed: ${describeError(err)}`)),
  };
}

/** The worker asks for capabilities at startup, which also locks `app.setup`. */
async function checkCapabilities(core: FunctionsCore): Promise<void> {
  const model = core.programmingModel;
  if (!model?.getCapabilities) return;
  const capabilities = await model.getCapabilities({ ...WORKER_CAPABILITIES });
  if (capabilities.HttpUri) {
    throw new Error('The app enables HTTP streaming (app.setup({ enableHttpStream: true })), which the local host does not support.');
  }
}
