/**
 * The honest manual mode, against the user's own PBX (no companion server can call back): register
 * the account on its own flow, stay silent for the idle time, then ask the user to call the
 * extension from another phone, and report whether (and where from, and on which socket) the
 * INVITE arrived. The registration is removed afterwards.
 */
import type { IncomingEvent, IncomingInputSchema, IncomingTest } from '../../../shared/contracts/incoming.ts';
import { formatEndpoint } from '../../../shared/model/endpoint.ts';
import type { z } from 'zod';
import { sleep } from '../../engine/clock/clock.ts';
import { RegisteredFlow, type FlowDeps, type FlowSpec } from './flow.ts';
import { blankTest, makeUnit, stateEmitter, type UnitResult } from './probes.ts';

/** The phone rings this long before declining, so the person calling hears that it arrived. */
export const PBX_RING_MS = 4000;
const UNREGISTER_WAIT_MS = 4000;

export interface PbxRun {
  base: Omit<FlowSpec, 'account' | 'callbackSeconds' | 'keepAlive' | 'expires'>;
  account: NonNullable<z.output<typeof IncomingInputSchema>['account']>;
  idleSeconds: number;
  waitSeconds: number;
  t0: number;
  signal: AbortSignal;
  emit(e: IncomingEvent): void;
  warn(w: string): void;
}

export async function runPbxTest(p: PbxRun, deps: FlowDeps): Promise<UnitResult> {
  const unit = makeUnit(p.idleSeconds, null, () => deps.clock.now(), `pbx-${p.idleSeconds}`);
  const test = blankTest(p.idleSeconds);
  const state = stateEmitter(p.emit, unit, deps.clock, p.t0);
  const end = (outcome: IncomingTest['outcome'], received: boolean | null, detail: string | null) => {
    Object.assign(test, { outcome, received, detail });
    return { unit, test, keepAlive: null };
  };
  const extension = p.account.username;
  const wanted = p.idleSeconds + p.waitSeconds + 60;
  p.emit({
    kind: 'plan',
    tests: [{ id: unit.id, idleSeconds: p.idleSeconds, keepAliveSeconds: null }],
    expectedDurationMs: (p.idleSeconds + p.waitSeconds) * 1000,
  });
  state('registering');
  let flow: RegisteredFlow | null = null;
  try {
    flow = await RegisteredFlow.open(
      {
        ...p.base,
        account: { ...p.account, domain: p.account.domain ?? p.base.serverName },
        callbackSeconds: null,
        expires: Math.max(300, wanted),
        keepAlive: null,
      },
      deps,
      unit.log,
      p.signal,
    );
    test.localSocket = formatEndpoint(flow.local);
    const reg = await flow.register();
    test.mappedAddress = flow.mappedAddress;
    if (!reg.ok) {
      state('failed', reg.reason);
      return end('register-failed', null, `REGISTER failed: ${reg.reason}`);
    }
    if (reg.expires !== null && reg.expires < p.idleSeconds + p.waitSeconds)
      p.warn(
        `the PBX granted the registration for only ${reg.expires} s, less than the test's ${p.idleSeconds + p.waitSeconds} s: it may stop routing calls here before you call (the test does not re-register, that would end the silence)`,
      );
    state('idle');
    if (p.idleSeconds > 0) await sleep(deps.clock, p.idleSeconds * 1000, p.signal);
    const callAt = deps.clock.now();
    p.emit({
      kind: 'prompt',
      extension,
      waitSeconds: p.waitSeconds,
      message: `Call ${extension} now from another phone${p.idleSeconds > 0 ? ` (this registration has been silent for ${p.idleSeconds} s)` : ''}: waiting ${p.waitSeconds} s for the call.`,
    });
    const w = await flow.waitForCall(callAt + p.waitSeconds * 1000, p.signal);
    switch (w.kind) {
      case 'arrived': {
        test.arrivedAfterMs = Math.round(w.arrival.at - flow.idleSince!);
        test.from = formatEndpoint(w.arrival.from);
        test.localSocket = formatEndpoint(w.arrival.local);
        state('arrived', `from ${test.from}`);
        return end(
          'arrived',
          true,
          `arrived ${((w.arrival.at - callAt) / 1000).toFixed(1)} s after the prompt`,
        );
      }
      case 'timeout':
        state('missed', `no call within ${p.waitSeconds} s`);
        return end(
          'missed',
          false,
          `no INVITE reached this registration within ${p.waitSeconds} s of asking for the call (if you did not call, this says nothing)`,
        );
      case 'closed':
        state('closed', w.reason);
        return end('connection-closed', false, `the connection closed: ${w.reason}`);
      default:
        state('cancelled');
        return end('cancelled', null, 'cancelled');
    }
  } catch (err) {
    if (p.signal.aborted) {
      state('cancelled');
      return end('cancelled', null, 'cancelled');
    }
    const why = err instanceof Error ? err.message : String(err);
    state('failed', why);
    return end('error', null, why);
  } finally {
    if (flow) {
      await flow.unregister(UNREGISTER_WAIT_MS);
      await flow.close();
    }
  }
}
