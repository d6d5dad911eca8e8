import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  useSyncExternalStore,
  type ReactNode,
} from 'react';
import type { MethodInput, MethodName } from '../../../../shared/contracts/index.ts';
import { useBridge } from '../bridge-context.tsx';
import { reportInput } from './report-input.ts';
import { SessionStore, type RunOptions, type RunState, type SessionSnapshot } from './store.ts';

/** Session slice holding the running offline demo (DemoServer) or null: reports from it say so. */
export const DEMO_SLICE = 'demo';

const SessionContext = createContext<SessionStore | null>(null);

/**
 * Holds the session store for the whole window, keeps its report in step with its results, and
 * turns a lost host connection into the store's "lost" state (banner, in-flight runs failed).
 */
export function SessionProvider({ store: given, children }: { store?: SessionStore; children: ReactNode }) {
  const { bridge, onConnectionLost } = useBridge();
  const [store] = useState(() => given ?? new SessionStore(bridge));
  useEffect(() => onConnectionLost?.((reason) => store.connectionLost(reason)), [store, onConnectionLost]);
  const results = useSyncExternalStore(store.subscribe, () => store.getSnapshot().results);
  useEffect(() => {
    if (Object.keys(results).length === 0) return store.setReport(null);
    let current = true;
    const t = setTimeout(() => {
      const demo = store.slice<unknown>(DEMO_SLICE, null) !== null;
      bridge.call('report.build', reportInput(results, demo)).then(
        (r) => current && store.setReport(r),
        () => undefined, // the Report step shows build errors; the header just keeps the last verdict
      );
    }, 50);
    return () => {
      current = false;
      clearTimeout(t);
    };
  }, [bridge, store, results]);
  return <SessionContext.Provider value={store}>{children}</SessionContext.Provider>;
}

export function useStore(): SessionStore {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useStore outside SessionProvider');
  return s;
}

/** The session snapshot (re-renders on every change; select what you need from it). */
export function useSession(): SessionSnapshot {
  const store = useStore();
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}

/**
 * Runs one contract method under a session key: the state outlives the component, so a step left
 * mid-run shows the same run (still going, or finished) when the user comes back.
 */
export function useRun<M extends MethodName>(key: string, method: M, options: RunOptions<M> = {}) {
  const store = useStore();
  const state = useSyncExternalStore(store.subscribe, () => store.run<M>(key)) as RunState<M>;
  const { record } = options;
  const run = useCallback(
    (input: MethodInput<M>) => store.start(key, method, input, { record }),
    [store, key, method, record],
  );
  const cancel = useCallback(() => store.cancel(key), [store, key]);
  return { state, run, cancel };
}

/** Like useState, but kept in the session: form inputs survive switching steps. */
export function useSessionState<T>(key: string, initial: T | (() => T)) {
  const store = useStore();
  const [init] = useState(initial);
  const value = useSyncExternalStore(store.subscribe, () => store.slice<T>(key, init));
  const set = useCallback(
    (v: T | ((prev: T) => T)) =>
      store.setSlice<T>(key, (prev) => (typeof v === 'function' ? (v as (p: T) => T)(prev ?? init) : v)),
    [store, key, init],
  );
  return [value, set] as const;
}

/** The inputs an extension may add to: the echo call's and the NAT discovery's. */
export interface PatchTargets {
  echo: Partial<MethodInput<'call.echoTest'>>;
  nat: Partial<MethodInput<'nat.discover'>>;
}

const EMPTY = {};

/**
 * For slot components: contribute fields to a step's input (e.g. a "through relay" toggle adds the
 * relay to the echo call). `null` withdraws the contribution. Withdrawn on unmount.
 */
export function useInputPatch<T extends keyof PatchTargets>(target: T, owner: string) {
  const store = useStore();
  const set = useCallback(
    (patch: PatchTargets[T] | null) =>
      store.setSlice<Record<string, PatchTargets[T]>>(`patch:${target}`, (prev) => {
        const next = { ...prev };
        if (patch) next[owner] = patch;
        else delete next[owner];
        return next;
      }),
    [store, target, owner],
  );
  useEffect(() => () => set(null), [set]);
  return set;
}

/** For steps: every extension's contribution to this step's input, merged. */
export function useInputPatches<T extends keyof PatchTargets>(target: T): PatchTargets[T] {
  const store = useStore();
  const all = useSyncExternalStore(store.subscribe, () =>
    store.slice<Record<string, PatchTargets[T]>>(`patch:${target}`, EMPTY),
  );
  return useMemo(() => Object.assign({}, ...Object.values(all)) as PatchTargets[T], [all]);
}
