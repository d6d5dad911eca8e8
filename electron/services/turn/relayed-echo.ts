/**
 * The relayed echo of `natscope turn --echo-uri`: the same echo call twice, measured the same way
 * (engine/rtp, shared/model/emodel) — first direct, then with its RTP/RTCP through the TURN relay
 * (ChannelData, services/turn/relayed-path.ts) — and the two verdicts side by side:
 * "direct: one-way audio; through relay: MOS 4.3". Signalling goes direct in both (over the SIP
 * transport given, TCP/TLS where UDP is blocked); only the media is relayed.
 */
import type { CallEchoInput, CallEvent, CallResult } from '../../../shared/contracts/call.ts';
import type { RelayConfig } from '../../../shared/contracts/relay-config.ts';
import type { TurnReport } from '../../../shared/contracts/turn.ts';
import type { CallContext } from '../call-context.ts';
import { echoVerdict } from '../../../shared/model/echo-verdict.ts';

export interface EchoCaller {
  echoTest(input: CallEchoInput, ctx: CallContext<CallEvent>): Promise<CallResult>;
}

export interface RelayedEchoInput {
  target: string;
  sipTransport: 'udp' | 'tcp' | 'tls';
  durationSec: number;
  relay: RelayConfig;
  tlsCaPem?: string;
}

/** Answered, but nothing (or only one way) came back. */
const noAudioBack = (c: CallResult | null) =>
  c !== null && c.answered && (c.oneWayAudio || (c.rtp?.received ?? 0) === 0);

const rtpOf = (c: CallResult | null) =>
  c?.rtp
    ? {
        sent: c.rtp.sent,
        received: c.rtp.received,
        lossPercent: c.rtp.lossPercent,
        jitterMs: c.rtp.jitterMs,
        rttMs: c.rtp.rttMs,
        mos: c.rtp.mos,
      }
    : null;

export interface EchoOutcome {
  r: CallResult | null;
  /** Why the call failed to run at all (bad input, cancelled, unreachable). */
  error?: string;
}

/** One echo call, its failure kept as a reason instead of a rejection. */
export function runEcho(call: () => Promise<CallResult>): Promise<EchoOutcome> {
  return call().then(
    (r) => ({ r, error: undefined }),
    (e: unknown) => ({ r: null, error: (e as Error).message }),
  );
}

/** The direct and the relayed call side by side: "direct: one-way audio; through relay: MOS 4.3". */
export function sideBySide(
  target: string,
  direct: EchoOutcome,
  relayed: EchoOutcome,
): NonNullable<TurnReport['echo']> {
  const r = relayed.r;
  const directLine = echoVerdict(direct.r, direct.error);
  const relayLine = echoVerdict(r, relayed.error);
  return {
    target,
    answered: r?.answered ?? false,
    rtp: rtpOf(r),
    oneWayAudio: noAudioBack(r),
    relayedRtp: r?.relay?.relayedRtp ?? null,
    relayedRtcp: r?.relay?.relayedRtcp ?? null,
    direct: {
      answered: direct.r?.answered ?? false,
      oneWayAudio: noAudioBack(direct.r),
      mos: direct.r?.rtp?.mos ?? null,
      rtp: rtpOf(direct.r),
      summary: directLine,
    },
    summary: `direct: ${directLine}; through relay: ${relayLine}`,
  };
}

export async function relayedEcho(
  call: EchoCaller,
  i: RelayedEchoInput,
  ctx: CallContext<never>,
  allocated: boolean,
): Promise<{ echo: NonNullable<TurnReport['echo']>; direct: CallResult | null }> {
  const base: CallEchoInput = {
    target: i.target,
    transport: i.sipTransport,
    durationSec: i.durationSec,
    ...(i.tlsCaPem ? { tlsCaPem: i.tlsCaPem } : {}),
  };
  const quiet = { signal: ctx.signal, emit: () => {} };
  const direct = await runEcho(() => call.echoTest(base, quiet));
  const relayed = allocated
    ? await runEcho(() => call.echoTest({ ...base, relay: i.relay }, quiet))
    : { r: null, error: 'the relay gave no allocation' };
  return { direct: direct.r, echo: sideBySide(i.target, direct, relayed) };
}
