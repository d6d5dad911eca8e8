import type { AlgResult } from '../../../../shared/contracts/alg.ts';
import type { Bridge } from '../../../../shared/contracts/client.ts';
import type { CallResult, RtpStats } from '../../../../shared/contracts/call.ts';
import { NatScopeError } from '../../../../shared/contracts/errors.ts';
import type {
  MethodEvent,
  MethodInput,
  MethodName,
  MethodOutput,
} from '../../../../shared/contracts/index.ts';
import type { IncomingResult } from '../../../../shared/contracts/incoming.ts';
import type { NatReport } from '../../../../shared/contracts/nat.ts';
import type { Hops, NetworkSnapshot } from '../../../../shared/contracts/network.ts';
import type { RouterReport } from '../../../../shared/contracts/router.ts';
import type { Report } from '../../../../shared/model/report/report.ts';
import type { TurnReport } from '../../../../shared/contracts/turn.ts';
import type { WebrtcResult } from '../../../../shared/contracts/webrtc.ts';

/**
 * The session store: everything the user ran in this window, independent of which step is on
 * screen. Steps are views over it, so switching steps never loses a result and a running probe or
 * call keeps running while the user looks elsewhere (only Cancel or Stop ends it).
 *
 * - `results`: the latest result of each kind, whoever produced it (a step's own button or
 *   "Check my connection"); the report is built from them, so every run merges into the report.
 * - `runs`: one entry per run key (usually the step id): status, streamed events, output, error.
 * - `slices`: small named pieces of state a feature wants to outlive its component (form inputs,
 *   the echo call's view); see `slice()`.
 * - `connection`: whether the host (web mode's WebSocket) is still there.
 */
export interface SessionResults {
  network?: NetworkSnapshot;
  nat?: NatReport;
  router?: RouterReport;
  alg?: AlgResult;
  call?: CallResult;
  /** The TURN relay test (the NAT step's Relay card). */
  turn?: TurnReport;
  /** The inbound-call test (features/incoming). */
  incoming?: IncomingResult;
  /** The WebRTC echo, run by this browser (features/webrtc): the host never holds it. */
  webrtc?: WebrtcResult;
  callSamples?: RtpStats[];
  path?: Hops;
  /** Secrets typed in a step (the SIP password): kept only to tell the report builder what to redact. */
  secrets?: string[];
  /** Add the host's monitor history to the report (a time stamp: a new one reads it again). */
  monitorHistory?: number;
}

export type RunState<M extends MethodName = MethodName> =
  | { status: 'idle' }
  | { status: 'running'; events: MethodEvent<M>[]; startedAt: number }
  | { status: 'done'; output: MethodOutput<M>; events: MethodEvent<M>[]; startedAt: number }
  | { status: 'failed'; error: NatScopeError; events: MethodEvent<M>[]; startedAt: number };

export interface SessionSnapshot {
  results: SessionResults;
  runs: Record<string, RunState>;
  slices: Record<string, unknown>;
  /** The report built from `results` (findings, traffic lights), or null before the first result. */
  report: Report | null;
  connection: { lost: boolean; reason: string | null };
}

export interface RunOptions<M extends MethodName> {
  /** Called with the output when the run succeeds: usually records it in `results`. */
  record?: (output: MethodOutput<M>, store: SessionStore) => void;
}

const IDLE: RunState = { status: 'idle' };

export class SessionStore {
  private snap: SessionSnapshot = {
    results: {},
    runs: {},
    slices: {},
    report: null,
    connection: { lost: false, reason: null },
  };
  private readonly listeners = new Set<() => void>();
  private readonly controllers = new Map<string, AbortController>();

  readonly bridge: Bridge;

  constructor(bridge: Bridge) {
    this.bridge = bridge;
  }

  subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  getSnapshot = (): SessionSnapshot => this.snap;

  private update(patch: Partial<SessionSnapshot>): void {
    this.snap = { ...this.snap, ...patch };
    for (const l of [...this.listeners]) l();
  }

  run<M extends MethodName>(key: string): RunState<M> {
    return (this.snap.runs[key] ?? IDLE) as RunState<M>;
  }

  private setRun(key: string, state: RunState): void {
    this.update({ runs: { ...this.snap.runs, [key]: state } });
  }

  /**
   * Starts `method` under `key` (cancelling a previous run with the same key) and resolves with its
   * output, or with null when it failed or was cancelled (the run state holds the error).
   */
  async start<M extends MethodName>(
    key: string,
    method: M,
    input: MethodInput<M>,
    options: RunOptions<M> = {},
  ): Promise<MethodOutput<M> | null> {
    this.controllers.get(key)?.abort();
    const c = new AbortController();
    this.controllers.set(key, c);
    const events: MethodEvent<M>[] = [];
    const startedAt = Date.now();
    this.setRun(key, { status: 'running', events: [], startedAt });
    // Events can come by the hundred (NAT discovery's STUN transactions): the run's state, and with it
    // every view, is refreshed at most every 100 ms.
    let flush: ReturnType<typeof setTimeout> | null = null;
    const publish = () => {
      flush = null;
      if (this.controllers.get(key) === c)
        this.setRun(key, { status: 'running', events: [...events], startedAt });
    };
    try {
      const output = await this.bridge.call(method, input, {
        signal: c.signal,
        onEvent: (e) => {
          events.push(e);
          flush ??= setTimeout(publish, 100);
        },
      });
      if (flush) clearTimeout(flush);
      if (this.controllers.get(key) !== c) return null;
      this.controllers.delete(key);
      this.setRun(key, { status: 'done', output, events, startedAt } as RunState);
      options.record?.(output, this);
      return output;
    } catch (err) {
      if (flush) clearTimeout(flush);
      const error = err instanceof NatScopeError ? err : new NatScopeError('internal', String(err));
      if (this.controllers.get(key) === c) {
        this.controllers.delete(key);
        this.setRun(key, { status: 'failed', error, events, startedAt } as RunState);
      }
      return null;
    }
  }

  cancel(key: string): void {
    this.controllers.get(key)?.abort();
  }

  isRunning(key: string): boolean {
    return this.run(key).status === 'running';
  }

  runningKeys(): string[] {
    return Object.entries(this.snap.runs)
      .filter(([, r]) => r.status === 'running')
      .map(([k]) => k);
  }

  setResult<K extends keyof SessionResults>(key: K, value: SessionResults[K]): void {
    this.update({ results: { ...this.snap.results, [key]: value } });
  }

  setReport(report: Report | null): void {
    this.update({ report });
  }

  /** A named piece of state that outlives the component showing it. */
  slice<T>(key: string, initial: T): T {
    return key in this.snap.slices ? (this.snap.slices[key] as T) : initial;
  }

  setSlice<T>(key: string, value: T | ((prev: T | undefined) => T)): void {
    const prev = this.snap.slices[key] as T | undefined;
    const next = typeof value === 'function' ? (value as (p: T | undefined) => T)(prev) : value;
    if (Object.is(prev, next)) return;
    this.update({ slices: { ...this.snap.slices, [key]: next } });
  }

  /** The host went away: say so, and fail whatever was still running (nothing will answer it). */
  connectionLost(reason: string): void {
    if (this.snap.connection.lost) return;
    const runs = { ...this.snap.runs };
    for (const [key, r] of Object.entries(runs)) {
      if (r.status !== 'running') continue;
      this.controllers.delete(key);
      runs[key] = {
        status: 'failed',
        error: new NatScopeError('unreachable', reason),
        events: r.events,
        startedAt: r.startedAt,
      };
    }
    this.update({ runs, connection: { lost: true, reason } });
    for (const l of this.lostListeners) l(reason);
  }

  private readonly lostListeners = new Set<(reason: string) => void>();

  /** Features with their own long-running work (the echo call) stop it here when the host is gone. */
  onConnectionLost(l: (reason: string) => void): () => void {
    this.lostListeners.add(l);
    return () => this.lostListeners.delete(l);
  }

  /** Forget everything (the demo starts or stops: old results describe another network). */
  reset(): void {
    for (const c of this.controllers.values()) c.abort();
    this.controllers.clear();
    for (const l of this.resetListeners) l();
    this.update({ results: {}, runs: {}, slices: {}, report: null });
  }

  private readonly resetListeners = new Set<() => void>();

  onReset(l: () => void): () => void {
    this.resetListeners.add(l);
    return () => this.resetListeners.delete(l);
  }
}
