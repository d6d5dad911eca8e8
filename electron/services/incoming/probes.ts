/**
 * The inbound-call probes against a companion server, all at once: one registration per idle
 * time, plus one keep-alive run per outcome that could still need one (verdict.ts: "if the longest
 * working idle time is 30 s, keep-alives every 24 s must carry the longest idle time"). As probes
 * resolve, keep-alive runs that no outcome needs any more are stopped; the one matching the
 * verdict is the keep-alive check. So the whole test lasts about the longest idle time.
 */
import type { IncomingEvent, IncomingTest, KeepAliveRun } from '../../../shared/contracts/incoming.ts';
import { formatEndpoint } from '../../../shared/model/endpoint.ts';
import {
  candidateStillNeeded,
  keepAliveCandidates,
  type KeepAliveCandidate,
  type ProbeOutcome,
} from '../../../shared/model/incoming/verdict.ts';
import type { Clock } from '../../engine/clock/clock.ts';
import type { KeepAliveMethod } from '../../engine/sip/keepalive.ts';
import { MessageLog } from '../../engine/sip/message-log.ts';
import { RegisteredFlow, type FlowDeps, type FlowSpec } from './flow.ts';

/** After the expected moment: the companion retransmits its INVITE for 3.5 s over UDP (Timer A). */
export const ARRIVAL_GRACE_MS = 5000;

export interface ProbePlan {
  base: Omit<FlowSpec, 'account' | 'callbackSeconds' | 'keepAlive' | 'expires'>;
  idles: number[];
  keepAlive: { method: KeepAliveMethod; fixedInterval?: number } | null;
  t0: number;
  signal: AbortSignal;
  emit(e: IncomingEvent): void;
}

export interface Unit {
  id: string;
  idleSeconds: number;
  keepAliveSeconds: number | null;
  candidate: KeepAliveCandidate | null;
  abort: AbortController;
  log: MessageLog;
  cancelReason: string | null;
}

export interface UnitResult {
  unit: Unit;
  test: IncomingTest;
  keepAlive: KeepAliveRun | null;
}

/** One registration of the run: a probe (no candidate) or a keep-alive run. */
export function makeUnit(
  idleSeconds: number,
  candidate: KeepAliveCandidate | null,
  now: () => number,
  id = candidate ? `keepalive-${candidate.intervalSeconds}` : `idle-${idleSeconds}`,
): Unit {
  return {
    id,
    idleSeconds,
    keepAliveSeconds: candidate?.intervalSeconds ?? null,
    candidate,
    abort: new AbortController(),
    log: new MessageLog(now),
    cancelReason: null,
  };
}

/** A unit's result before anything happened. */
export function blankTest(idleSeconds: number): IncomingTest {
  return {
    idleSeconds,
    received: null,
    arrivedAfterMs: null,
    from: null,
    localSocket: null,
    mappedAddress: null,
    outcome: 'error',
    detail: null,
  };
}

export type TestState = Extract<IncomingEvent, { kind: 'test' }>['state'];

/** Emits a unit's state changes, timed from the run's start. */
export function stateEmitter(emit: (e: IncomingEvent) => void, u: Unit, clock: Clock, t0: number) {
  return (state: TestState, detail?: string) =>
    emit({
      kind: 'test',
      id: u.id,
      idleSeconds: u.idleSeconds,
      keepAliveSeconds: u.keepAliveSeconds,
      state,
      atMs: Math.round(clock.now() - t0),
      ...(detail ? { detail } : {}),
    });
}

export function planUnits(p: Pick<ProbePlan, 'idles' | 'keepAlive'>, now: () => number): Unit[] {
  const unit = (idleSeconds: number, candidate: KeepAliveCandidate | null) =>
    makeUnit(idleSeconds, candidate, now);
  const candidates = p.keepAlive ? keepAliveCandidates(p.idles, p.keepAlive.fixedInterval) : [];
  return [...p.idles.map((i) => unit(i, null)), ...candidates.map((c) => unit(c.idleSeconds, c))];
}

export async function runProbes(p: ProbePlan, units: Unit[], deps: FlowDeps): Promise<UnitResult[]> {
  const resolved: ProbeOutcome[] = [];
  const onAbort = () => units.forEach((u) => u.abort.abort());
  p.signal.addEventListener('abort', onAbort, { once: true });
  const prune = () => {
    for (const u of units)
      if (u.candidate && !u.abort.signal.aborted && !candidateStillNeeded(u.candidate, resolved)) {
        u.cancelReason = `not needed: the probes ruled out a limit of ${u.candidate.ifLongestWorking} s`;
        u.abort.abort();
      }
  };
  try {
    return await Promise.all(
      units.map(async (u) => {
        const r = await runUnit(p, u, deps);
        if (!u.candidate) {
          resolved.push({ idleSeconds: u.idleSeconds, received: r.test.received });
          prune();
        }
        return r;
      }),
    );
  } finally {
    p.signal.removeEventListener('abort', onAbort);
  }
}

async function runUnit(p: ProbePlan, u: Unit, deps: FlowDeps): Promise<UnitResult> {
  const state = stateEmitter(p.emit, u, deps.clock, p.t0);
  const test = blankTest(u.idleSeconds);
  const method = p.keepAlive?.method ?? 'crlf';
  let flow: RegisteredFlow | null = null;
  const done = (outcome: IncomingTest['outcome'], detail: string | null, received: boolean | null) => {
    Object.assign(test, { outcome, detail, received });
    const stats = flow?.keepAliveStats;
    const keepAlive: KeepAliveRun | null = u.keepAliveSeconds
      ? {
          ...test,
          method,
          intervalSeconds: u.keepAliveSeconds,
          sent: stats?.sent ?? 0,
          pongs: stats?.pongs ?? 0,
          pongsMissed: stats?.pongsMissed ?? null,
        }
      : null;
    return { unit: u, test, keepAlive };
  };
  state('registering');
  try {
    flow = await RegisteredFlow.open(
      {
        ...p.base,
        account: { username: `natscope-${u.id}`, password: 'natscope', domain: p.base.serverName },
        callbackSeconds: u.idleSeconds,
        expires: Math.max(300, u.idleSeconds + 60),
        keepAlive: u.keepAliveSeconds ? { method, intervalSeconds: u.keepAliveSeconds } : null,
      },
      deps,
      u.log,
      u.abort.signal,
    );
    test.localSocket = formatEndpoint(flow.local);
    const reg = await flow.register();
    test.mappedAddress = flow.mappedAddress;
    if (u.abort.signal.aborted) {
      state('cancelled', u.cancelReason ?? undefined);
      return done('cancelled', u.cancelReason, null);
    }
    if (!reg.ok) {
      state('failed', reg.reason);
      return done('register-failed', `REGISTER failed: ${reg.reason}`, null);
    }
    state('idle');
    const deadline = flow.idleSince! + u.idleSeconds * 1000 + ARRIVAL_GRACE_MS;
    const w = await flow.waitForCall(deadline, u.abort.signal);
    switch (w.kind) {
      case 'arrived': {
        const a = w.arrival;
        test.arrivedAfterMs = Math.round(a.at - flow.idleSince!);
        test.from = formatEndpoint(a.from);
        test.localSocket = formatEndpoint(a.local);
        state('arrived', `after ${(test.arrivedAfterMs / 1000).toFixed(1)} s from ${test.from}`);
        return done('arrived', null, true);
      }
      case 'timeout': {
        const why = `no INVITE within ${u.idleSeconds} s + ${ARRIVAL_GRACE_MS / 1000} s`;
        state('missed', why);
        return done('missed', why, false);
      }
      case 'closed': {
        const why = `the connection closed after ${(w.atMs / 1000).toFixed(1)} s of silence (${w.reason})`;
        state('closed', why);
        return done('connection-closed', why, false);
      }
      default:
        state('cancelled', u.cancelReason ?? undefined);
        return done('cancelled', u.cancelReason ?? 'cancelled', null);
    }
  } catch (err) {
    if (u.abort.signal.aborted) {
      state('cancelled', u.cancelReason ?? undefined);
      return done('cancelled', u.cancelReason ?? 'cancelled', null);
    }
    const why = err instanceof Error ? err.message : String(err);
    state('failed', why);
    return done('error', why, null);
  } finally {
    await flow?.close();
  }
}
