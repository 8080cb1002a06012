import type {
  CoreLogCategory,
  CoreLogLevel,
  FunctionCallback,
  FunctionMetadata,
  HookCallback,
  ProgrammingModel,
} from './coreApi';

/** Reported as `hostVersion` to the library and to app-start hooks. */
export const LOCAL_HOST_VERSION = '4.0.0-local';

/** Same contract as the worker's and the library's `Disposable`. */
export class Disposable {
  #onDispose: (() => unknown) | undefined;

  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => {
      for (const item of items) item.dispose();
    });
  }

  constructor(onDispose: () => unknown) {
    this.#onDispose = onDispose;
  }

  dispose(): void {
    const onDispose = this.#onDispose;
    this.#onDispose = undefined;
    onDispose?.();
  }
}

/** A function as the app registered it. */
export interface CapturedFunction {
  readonly metadata: FunctionMetadata;
  readonly callback: FunctionCallback;
}

/** Where the library's own (system) messages go when no invocation is running. */
export type SystemLogSink = (level: CoreLogLevel, message: string) => void;

/**
 * The state behind `@azure/functions-core`: captured registrations, hooks and the
 * programming model. One per process, because the app's modules register once.
 */
export class FunctionsCore {
  readonly functions = new Map<string, CapturedFunction>();
  /** Shared by app-level hooks, and exposed to invocation hooks as `appHookData`. */
  appHookData: Record<string, unknown> = {};
  #hooks = new Map<string, HookCallback[]>();
  #programmingModel: ProgrammingModel | undefined;
  #locked = false;

  constructor(private readonly systemLog: SystemLogSink) {}

  get programmingModel(): ProgrammingModel | undefined {
    return this.#programmingModel;
  }

  /** After startup, like the worker: registrations made later (e.g. from a handler) are errors. */
  lock(): void {
    this.#locked = true;
  }

  registerFunction(metadata: FunctionMetadata, callback: FunctionCallback): Disposable {
    if (this.#locked) throw new Error('A function can only be registered during app startup.');
    const id = metadata.functionId || metadata.name;
    if (this.functions.has(id)) throw new Error(`A function with id "${id}" has already been registered.`);
    this.functions.set(id, { metadata: { ...metadata, functionId: id }, callback });
    return new Disposable(() => {
      if (this.#locked) throw new Error('A function can only be disposed during app startup.');
      this.functions.delete(id);
    });
  }

  registerHook(name: string, callback: HookCallback): Disposable {
    const list = this.#hooks.get(name) ?? [];
    this.#hooks.set(name, list);
    list.push(callback);
    return new Disposable(() => {
      const index = list.indexOf(callback);
      if (index >= 0) list.splice(index, 1);
    });
  }

  /** A snapshot, so a hook disposing itself does not skip the next one. */
  hooks(name: string): HookCallback[] {
    return [...(this.#hooks.get(name) ?? [])];
  }

  /** Runs the hooks of one kind in registration order, awaiting each (as the worker does). */
  async runHooks(name: string, context: Record<string, unknown>): Promise<void> {
    for (const hook of this.hooks(name)) await hook(context);
  }

  /** The object `require('@azure/functions-core')` returns. */
  moduleExports(): Record<string, unknown> {
    return {
      version: LOCAL_HOST_VERSION,
      hostVersion: LOCAL_HOST_VERSION,
      registerFunction: (metadata: FunctionMetadata, callback: FunctionCallback) => this.registerFunction(metadata, callback),
      registerHook: (name: string, callback: HookCallback) => this.registerHook(name, callback),
      setProgrammingModel: (model: ProgrammingModel) => {
        this.#programmingModel = model;
      },
      getProgrammingModel: () => this.#programmingModel,
      // Its presence also tells the library the host supports HTTP streaming (host >= 4.28).
      log: (level: CoreLogLevel, _category: CoreLogCategory, message: string) => this.systemLog(level, message),
      Disposable,
    };
  }
}
