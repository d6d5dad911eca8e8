/**
 * The STUN side of the inbound-call test's comparison: how long an idle UDP binding lives, from a
 * random local port and from local port 5060, measured while the SIP probes run (RFC 5780 §4.6:
 * a second socket asks the server, with RESPONSE-PORT, to answer to the first socket's mapping).
 *
 * - Random port: one fresh socket per idle time of the SIP test, all in parallel (stun/lifetime.ts),
 *   so the two results are directly comparable.
 * - Port 5060: only one socket can hold it, so one binding is probed with growing silences, each
 *   surviving probe followed by a fresh request from port 5060 (an outgoing packet restarts the
 *   timer on every NAT). Only the silences that fit in the run are tried, so this bracket is
 *   coarser; a busy port 5060 (a softphone running here) is reported, not worked around.
 */
import { NatTimingSchema } from '../../../shared/contracts/nat.ts';
import type { Bracket } from '../../../shared/model/incoming/compare.ts';
import { type Endpoint } from '../../../shared/model/endpoint.ts';
import { sleep, type Clock } from '../../engine/clock/clock.ts';
import type { Network } from '../../engine/net/network.ts';
import { addAttribute } from '../../engine/stun/attribute.ts';
import { ResponsePort } from '../../engine/stun/attr-response-port.ts';
import { measureLifetime } from '../../engine/stun/lifetime.ts';
import { mappedOf, ProbeContext } from '../../engine/stun/probe.ts';
import { RunRecorder } from '../../engine/stun/recorder.ts';

export const SIP_PORT = 5060;

export interface MeasuredBracket extends Bracket {
  note: string | null;
}

export interface StunCompareOptions {
  network: Network;
  clock: Clock;
  target: Endpoint;
  label: string;
  localAddress: string | null;
  idles: readonly number[];
  /** Everything must be done within this (the SIP probes' duration). */
  budgetMs: number;
  signal: AbortSignal;
  onProgress(port: 'random' | 'sip', b: Bracket, done: boolean): void;
}

export interface StunCompareOutcome {
  randomPort: MeasuredBracket | null;
  sipPort: MeasuredBracket | null;
}

function probeContext(o: StunCompareOptions): ProbeContext {
  return new ProbeContext({
    network: o.network,
    clock: o.clock,
    timing: NatTimingSchema.parse({}),
    rec: new RunRecorder({ clock: o.clock, server: o.label, run: 1, emit: () => {} }),
    signal: o.signal,
    localAddress: o.localAddress,
    family: 4,
  });
}

export async function compareStunLifetimes(o: StunCompareOptions): Promise<StunCompareOutcome> {
  const [randomPort, sipPort] = await Promise.all([randomPortLifetime(o), sipPortLifetime(o)]);
  return { randomPort, sipPort };
}

async function randomPortLifetime(o: StunCompareOptions): Promise<MeasuredBracket | null> {
  const ctx = probeContext(o);
  try {
    const sorted = [...o.idles].sort((a, b) => a - b);
    const r = await measureLifetime({
      ctx,
      target: o.target,
      maxSeconds: sorted[sorted.length - 1]!,
      ladder: sorted,
      emit: (e) => {
        if (e.kind === 'lifetime')
          o.onProgress(
            'random',
            { aliveAfterSeconds: e.aliveAfterSeconds, deadAfterSeconds: e.deadAfterSeconds },
            false,
          );
      },
    });
    const b = { aliveAfterSeconds: r.aliveAfterSeconds, deadAfterSeconds: r.deadAfterSeconds, note: r.note };
    o.onProgress('random', b, true);
    return b;
  } catch (err) {
    if (o.signal.aborted) return null;
    return {
      aliveAfterSeconds: null,
      deadAfterSeconds: null,
      note: `STUN lifetime failed: ${(err as Error).message}`,
    };
  } finally {
    await ctx.closeAll();
  }
}

/** Growing silences that fit in the budget together with one probe wait each. */
export function staircase(idles: readonly number[], budgetMs: number, probeWaitMs: number): number[] {
  const out: number[] = [];
  let used = 0;
  for (const s of [...new Set(idles)].sort((a, b) => a - b)) {
    if (used + s * 1000 + probeWaitMs > budgetMs) break;
    used += s * 1000 + probeWaitMs;
    out.push(s);
  }
  return out;
}

async function sipPortLifetime(o: StunCompareOptions): Promise<MeasuredBracket | null> {
  const ctx = probeContext(o);
  const none = (note: string): MeasuredBracket => ({ aliveAfterSeconds: null, deadAfterSeconds: null, note });
  try {
    let x;
    try {
      x = await ctx.bind(SIP_PORT);
    } catch (err) {
      return none(
        `local port ${SIP_PORT} is in use on this computer (a softphone or PBX?), so it was not measured: ${(err as Error).message}`,
      );
    }
    const first = await ctx.probe({
      test: 'lifetime',
      step: `mapping of local port ${SIP_PORT}`,
      from: x,
      to: o.target,
    });
    ctx.observeRtt(first.rttMs);
    let mapped = mappedOf(first);
    if (!mapped) return none('no STUN answer from local port 5060');
    const viaMapping = async (step: string) => {
      const port = mapped!.port;
      const out = await ctx.probe({
        test: 'lifetime',
        step,
        from: await ctx.bind(),
        to: o.target,
        receiveOn: x,
        build: (m) => addAttribute(m, ResponsePort, port),
        negative: true,
      });
      return out.outcome === 'response';
    };
    if (!(await viaMapping(`control: RESPONSE-PORT to port ${SIP_PORT}'s mapping`)))
      return none('the server does not honour RESPONSE-PORT (or its answer does not reach port 5060)');
    const steps = staircase(o.idles, o.budgetMs, ctx.negativeWaitMs + 500);
    if (steps.length === 0) return none('the run is too short for a port-5060 measurement');
    const b: MeasuredBracket = { aliveAfterSeconds: null, deadAfterSeconds: null, note: null };
    for (const gap of steps) {
      await sleep(o.clock, gap * 1000, o.signal);
      if (!(await viaMapping(`port ${SIP_PORT} after ${gap} s idle`))) {
        b.deadAfterSeconds = gap;
        break;
      }
      b.aliveAfterSeconds = gap;
      o.onProgress('sip', b, false);
      // restart the silence with an outgoing packet from port 5060 (refreshes the timer on any NAT)
      mapped =
        mappedOf(await ctx.probe({ test: 'lifetime', step: 'refresh', from: x, to: o.target })) ?? mapped;
    }
    if (b.deadAfterSeconds === null)
      b.note = `one binding probed after ${steps.join(', ')} s of silence (only these fit in the run)`;
    o.onProgress('sip', b, true);
    return b;
  } catch (err) {
    if (o.signal.aborted) return null;
    return none(`port ${SIP_PORT} measurement failed: ${(err as Error).message}`);
  } finally {
    await ctx.closeAll();
  }
}
