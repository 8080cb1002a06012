import Module from 'node:module';

/** Node's internal loader entry point; not in the public typings. */
interface ModuleLoader {
  _load: (this: unknown, request: string, parent: unknown, isMain: boolean) => unknown;
}

/**
 * Makes `require(name)` return `exports` in this process, the way the Functions
 * Node worker provides `@azure/functions-core` (a module that exists on no registry).
 * Matches the exact request string only. Returns a function that removes the hook.
 */
export function provideBuiltinModule(name: string, exports: unknown): () => void {
  const loader = Module as unknown as ModuleLoader;
  const original = loader._load;
  loader._load = function load(this: unknown, request: string, parent: unknown, isMain: boolean): unknown {
    return request === name ? exports : original.call(this, request, parent, isMain);
  };
  return () => {
    loader._load = original;
  };
}

/**
 * True when some copy of `@azure/functions` is already loaded: it looks for
 * `@azure/functions-core` lazily and caches a miss forever ("test mode"), so the
 * shim must be in place before the library first runs.
 */
export function isFunctionsLibraryLoaded(): boolean {
  return Object.keys(require.cache).some((file) => /[\\/]@azure[\\/]functions[\\/]dist[\\/]/.test(file));
}
