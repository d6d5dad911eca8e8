/**
 * A service built on its first call, from a module imported at that moment. Every method of the
 * stand-in is async (a service's few synchronous helpers become async too), so it can take the call,
 * load the module (`import()`: its own chunk in the CLI bundle), build the service once and pass the
 * call on. `natscope network` then loads the network
 * service alone instead of TLS, HTTP, WebSocket, SIP and every contract schema.
 */
export type Lazy<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};

export function lazyService<M, T extends object>(load: () => Promise<M>, build: (m: M) => T): Lazy<T> {
  let built: Promise<T> | undefined;
  const service = () => (built ??= load().then(build));
  const methods = new Map<PropertyKey, unknown>();
  return new Proxy({} as Lazy<T>, {
    get(_target, name) {
      // Not a thenable (`await services.nat` must give the stand-in), and no symbol-keyed API.
      if (name === 'then' || typeof name === 'symbol') return undefined;
      let method = methods.get(name);
      if (!method) {
        method = async (...args: unknown[]) => {
          const s = (await service()) as Record<string, unknown>;
          const fn = s[name];
          if (typeof fn !== 'function') throw new TypeError(`service has no method "${name}"`);
          return (fn as (...a: unknown[]) => unknown).apply(s, args);
        };
        methods.set(name, method);
      }
      return method;
    },
  });
}
