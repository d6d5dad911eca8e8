/**
 * The echo call of every Nth interval, through the call service's public `echoTest`: a short call
 * with the usual RTP stats. With an account the call answers digest challenges but does not
 * register again (the monitor's own registration already holds the account).
 */
import type { CallEchoInput, CallEvent, CallResult } from '../../../shared/contracts/call.ts';
import type { MonitorOptions, MonitorSample } from '../../../shared/contracts/monitor.ts';
import { factsFromResults } from '../../../shared/model/diagnosis/from-results.ts';
import type { CallContext } from '../call-context.ts';

type EchoSample = NonNullable<MonitorSample['echo']>;

export interface EchoCaller {
  echoTest(input: CallEchoInput, ctx: CallContext<CallEvent>): Promise<CallResult>;
}

export async function echoProbe(
  call: EchoCaller,
  o: MonitorOptions,
  signal: AbortSignal,
): Promise<EchoSample> {
  const target = o.echoUri!;
  try {
    const r = await call.echoTest(
      {
        target,
        durationSec: o.echoSeconds,
        answerTimeoutSec: 15,
        ...(o.account ? { account: { ...o.account, register: false } } : {}),
      },
      { signal, emit: () => {} },
    );
    // The same reading of a call result as the diagnosis uses.
    const c = factsFromResults({ call: r }).call!;
    return {
      target,
      answered: c.answered,
      sipStatus: c.sipStatus,
      endReason: r.endReason,
      sent: c.rtpSent,
      received: c.rtpReceived,
      lossPercent: c.lossPercent,
      jitterMs: c.jitterMs,
      rttMs: c.rttMs,
      mos: c.mos,
      oneWayAudio: c.oneWayAudio,
      error: null,
    };
  } catch (err) {
    if (signal.aborted) throw err;
    return {
      target,
      answered: false,
      sipStatus: null,
      endReason: 'error',
      sent: 0,
      received: 0,
      lossPercent: null,
      jitterMs: null,
      rttMs: null,
      mos: null,
      oneWayAudio: false,
      error: (err as Error).message,
    };
  }
}
