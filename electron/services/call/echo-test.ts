/**
 * The echo test as a pipeline: set-up (setup.ts: hops, transport, media path, advertise, UA) →
 * register (optional) → INVITE with our offer (session-description.ts) → media (media.ts, with
 * live-stats.ts) → hang up → analysis (analysis.ts). Each stage is a unit; this file only passes
 * one stage's output to the next and emits the call's state changes. Every wait is bounded by the
 * call's budget (budget.ts): the whole test ends within its duration + 40 s.
 */
import {
  presetEchoDelayMs,
  type CallEvent,
  type CallResult,
  type CallState,
} from '../../../shared/contracts/call.ts';
import { QueuedAudioSource, testSignalSource, type AudioSource } from '../../engine/rtp/audio-source.ts';
import type { NegotiatedMedia } from '../../engine/sdp/negotiation.ts';
import type { ByeOutcome, Dialog } from '../../engine/sip/user-agent.ts';
import type { CallContext } from '../call-context.ts';
import {
  callResult,
  inviteFailure,
  registrationFailure,
  type CallEnd,
  type MediaObservations,
} from './analysis.ts';
import { BYE_WAIT_MS, CallBudget, UNREGISTER_WAIT_MS } from './budget.ts';
import { Cleanups } from './cleanups.ts';
import { LiveStats } from './live-stats.ts';
import { CallMedia } from './media.ts';
import { negotiationFor } from './session-description.ts';
import { setUpCall, type CallInput, type CallServiceDeps } from './setup.ts';
import { WebSocketCallFailure, webSocketFailureResult } from './websocket-hop.ts';

export async function runEchoTest(
  input: CallInput,
  ctx: CallContext<CallEvent>,
  deps: CallServiceDeps,
  externalSources: Map<string, QueuedAudioSource>,
): Promise<CallResult> {
  const { clock } = deps;
  const t0 = clock.now();
  const budget = new CallBudget(clock, input.durationSec);
  const callId = crypto.randomUUID();
  const setState = (state: CallState, detail?: string) =>
    ctx.emit({ kind: 'state', state, atMs: Math.round(clock.now() - t0), detail });
  const cleanups = new Cleanups();
  setState('preparing');
  try {
    const call = await setUpCall(input, ctx, deps, cleanups, callId).catch((err: unknown) => {
      if (!(err instanceof WebSocketCallFailure)) throw err;
      setState('failed', err.summary.message);
      return webSocketFailureResult(input, err);
    });
    if ('answered' in call) return call;
    const { ua, findings } = call;
    let dialog: Dialog | null = null;
    let registration: CallResult['registration'] = null;
    let bye: ByeOutcome | null = null;
    const finish = (end: CallEnd, media?: MediaObservations): CallResult => ({
      ...callResult(
        {
          input,
          transportName: call.transportName,
          sipLocal: call.signaling.transport.local,
          server: call.server,
          contact: call.contact,
          contactHost: call.contactHost,
          websocket: call.signaling.websocket?.summary(),
          firstVia: ua.firstVia,
          okRetransmissions: dialog?.okRetransmissions ?? 0,
          localRtp: call.path.localRtp,
          advertisedRtp: call.path.advertisedRtp,
          registration,
          bye,
          findings,
          messages: call.log.all(),
        },
        end,
        media,
      ),
      ...(call.relay ? { relay: call.relay } : {}),
    });

    // 1. REGISTER (with an account).
    if (input.account && input.account.register) {
      setState('registering');
      const reg = await ua.register(300);
      registration = {
        ok: reg.ok,
        status: reg.status,
        reason: reg.reason,
        expires: reg.expires,
        authAlgorithm: reg.authAlgorithm,
        unregistered: false,
      };
      if (!reg.ok) {
        const failure = registrationFailure(reg, call.registrar);
        findings.push(failure.finding);
        setState('failed', reg.reason);
        return finish({ answered: false, sipStatus: null, sipReason: null, endReason: failure.endReason });
      }
      setState('registered', `expires ${reg.expires ?? '?'} s`);
    }
    const unregister = async () => {
      if (!registration?.ok) return;
      // A registrar that ignores the un-REGISTER must not hold the user for Timer F (32 s).
      const un = await budget.bounded(ua.unregister(), UNREGISTER_WAIT_MS);
      registration = { ...registration, unregistered: un?.ok ?? false };
    };

    // 2. INVITE.
    setState('calling');
    const negotiation = negotiationFor(call.path);
    let ringing = false;
    const inv = await ua.invite({
      target: input.target,
      sdp: negotiation.offer(),
      signal: ctx.signal,
      giveUpAt: budget.setupGiveUpAt,
      onProvisional: (status, reason) => {
        // 100 Trying only says the next hop has the INVITE (RFC 3261 §21.1.1): not ringing.
        if (status === 100 || ringing) return;
        ringing = true;
        setState('ringing', `${status} ${reason}`);
      },
    });
    if (!inv.answered) {
      await unregister();
      const failure = inviteFailure(inv, call.server);
      if (failure.finding) findings.push(failure.finding);
      setState(failure.endReason === 'cancelled' ? 'ended' : 'failed', inv.reason);
      return finish({
        answered: false,
        sipStatus: inv.status,
        sipReason: inv.reason,
        endReason: failure.endReason,
      });
    }
    dialog = inv.dialog;
    setState('answered', `${inv.status} ${inv.reason}${inv.earlyAnswer ? ' (SDP answer from the 18x)' : ''}`);
    const answered = { answered: true, sipStatus: inv.status, sipReason: inv.reason } as const;
    const hangUp = async () => {
      bye = await dialog!.bye(Math.min(BYE_WAIT_MS, budget.left(UNREGISTER_WAIT_MS)));
    };

    // 3. Media.
    let answer: NegotiatedMedia;
    try {
      answer = negotiation.takeAnswer(inv.sdp);
    } catch (err) {
      findings.push({
        code: 'call-rejected',
        severity: 'error',
        message: `Unusable SDP answer: ${(err as Error).message}`,
      });
      setState('hanging-up');
      await hangUp();
      await unregister();
      setState('failed', 'bad SDP answer');
      return finish({ ...answered, endReason: 'error' });
    }
    let source: AudioSource = testSignalSource;
    if (input.audio === 'external') {
      const q = new QueuedAudioSource();
      externalSources.set(callId, q);
      cleanups.push(() => void externalSources.delete(callId));
      source = q;
    }
    const media = await CallMedia.open({
      path: call.path,
      negotiation,
      answer,
      network: deps.network,
      clock,
      source,
      expectedEchoDelayMs: input.expectedEchoDelayMs ?? presetEchoDelayMs(input.target),
      onFirstRtp: (ms) => setState('media', `first RTP back after ${Math.round(ms)} ms`),
      onAudio: input.echoAudio
        ? (payload, pt, seq) =>
            ctx.emit({
              kind: 'audio',
              payload: toBase64(payload),
              codec: pt === 8 ? 'pcma' : 'pcmu',
              sequence: seq,
            })
        : undefined,
    });
    dialog.media = media;
    let remoteByeAt: number | null = null;
    const hangup = new AbortController();
    dialog.onRemoteBye = () => {
      remoteByeAt = clock.now();
      hangup.abort();
    };
    const live = new LiveStats((e) => ctx.emit(e), media.codec);
    const outcome = await media.run({
      durationSec: input.durationSec,
      signal: ctx.signal,
      hangup: hangup.signal,
      onTick: (s, sec) => live.tick(s, sec),
    });

    // 4. Hang up.
    setState('hanging-up');
    if (remoteByeAt === null) await hangUp();
    await unregister();
    const remoteByeAfterSec =
      remoteByeAt !== null ? ((remoteByeAt as number) - outcome.startedAt) / 1000 : null;
    setState('ended');
    const endReason = ctx.signal.aborted ? 'cancelled' : remoteByeAt !== null ? 'remote-bye' : 'completed';
    return finish({ ...answered, endReason }, { ...outcome, remoteByeAfterSec });
  } finally {
    await cleanups.run();
  }
}

function toBase64(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  return btoa(s);
}
