/**
 * The echo test: register (optional), call an echo service, send the marker test signal over RTP,
 * measure what comes back, hang up and explain what failed. Orchestrates electron/engine/sip,
 * rtp and sdp; network, clock and route lookup are injected.
 */
import {
  type CallEchoInput,
  CallEchoInputSchema,
  type CallEvent,
  type CallResult,
  type CallState,
  type Finding,
  type RtpStats,
} from '../../shared/contracts/call.ts';
import { NatScopeError } from '../../shared/contracts/errors.ts';
import { type Endpoint, formatEndpoint, parseHostPort } from '../../shared/model/endpoint.ts';
import { sleep, type Clock } from '../engine/clock/clock.ts';
import type { Network, UdpSocket } from '../engine/net/network.ts';
import { QueuedAudioSource, testSignalSource, type AudioSource } from '../engine/rtp/audio-source.ts';
import { bindRtpPair } from '../engine/rtp/port-pair.ts';
import { toRtpStats } from '../engine/rtp/quality.ts';
import { RtpSession, type RtpSessionStats } from '../engine/rtp/rtp-session.ts';
import { stunMappedAddress } from '../engine/rtp/stun-binding.ts';
import { buildOffer, parseAnswer, SdpError } from '../engine/sdp/sdp.ts';
import { callFindings, isOneWayAudio } from '../engine/sip/call-findings.ts';
import { MessageLog } from '../engine/sip/message-log.ts';
import { parseUri } from '../engine/sip/sip-message.ts';
import { streamSipTransport, tcpPipe, tlsPipe } from '../engine/sip/stream-transport.ts';
import { TransactionLayer, type SipTimers } from '../engine/sip/transactions.ts';
import type { SipTransport } from '../engine/sip/transport.ts';
import { udpSipTransport } from '../engine/sip/udp-transport.ts';
import { UserAgent, type Dialog, type RegisterOutcome } from '../engine/sip/user-agent.ts';
import { APP_VERSION } from '../version.ts';
import type { CallContext } from './call-context.ts';

export interface CallServiceDeps {
  network: Network;
  clock: Clock;
  /** The local address the OS would use towards `target` (no packet sent). */
  routeSource: (target: string) => Promise<string | null>;
  timers?: SipTimers;
}

const STATS_INTERVAL_MS = 1000;
const SETTLE_MS = 1000;
const UNREGISTER_WAIT_MS = 4000; // after the last packet, wait this long for its echo
const DEFAULT_PORT = { udp: 5060, tcp: 5060, tls: 5061, wss: 443 } as const;

export function createCallService(deps: CallServiceDeps) {
  const externalSources = new Map<string, QueuedAudioSource>();
  return {
    echoTest(input: CallEchoInput, ctx: CallContext<CallEvent>): Promise<CallResult> {
      const parsed = CallEchoInputSchema.parse(input);
      return runEchoTest(parsed, ctx, deps, externalSources);
    },
    async pushAudio(input: { callId: string; frames: string[] }): Promise<{ accepted: number }> {
      const src = externalSources.get(input.callId);
      if (!src)
        throw new NatScopeError(
          'bad-request',
          `no running echo test with callId ${input.callId} takes external audio`,
        );
      let n = 0;
      for (const f of input.frames) {
        const bytes = Uint8Array.from(atob(f), (c) => c.charCodeAt(0));
        if (bytes.length !== 160)
          throw new NatScopeError('bad-request', 'each frame must be 160 bytes of G.711 (20 ms)');
        src.push(bytes);
        n++;
      }
      return { accepted: n };
    },
  };
}

type Input = ReturnType<typeof CallEchoInputSchema.parse>;

async function runEchoTest(
  input: Input,
  ctx: CallContext<CallEvent>,
  deps: CallServiceDeps,
  externalSources: Map<string, QueuedAudioSource>,
): Promise<CallResult> {
  const { clock, network } = deps;
  const t0 = clock.now();
  const callId = crypto.randomUUID();
  const findings: Finding[] = [];
  const setState = (state: CallState, detail?: string) =>
    ctx.emit({ kind: 'state', state, atMs: Math.round(clock.now() - t0), detail });
  const cleanups: (() => Promise<void> | void)[] = [];
  setState('preparing');

  const targetUri = parseUri(input.target);
  if (!targetUri || !targetUri.host) throw new NatScopeError('bad-request', `not a SIP URI: ${input.target}`);
  const transportName =
    input.target.toLowerCase().startsWith('sips:') && input.transport === 'udp' ? 'tls' : input.transport;
  if (transportName === 'wss')
    throw new NatScopeError(
      'not-implemented',
      'SIP over WebSocket (WSS) is not built yet; use udp, tcp or tls',
    );

  // Next hops (RFC 3261 §8.1.2): the outbound proxy for everything, else INVITE to the target's
  // host and REGISTER to the registrar. (No RFC 3263 NAPTR/SRV: A records and default ports.)
  const targetHost = `${String(targetUri.host)}${targetUri.port ? `:${targetUri.port}` : ''}`;
  const resolveHop = async (text: string) => {
    let hop: { host: string; port: number };
    try {
      hop = parseHostPort(text, DEFAULT_PORT[transportName]);
    } catch (err) {
      throw new NatScopeError('bad-request', `bad server address "${text}": ${(err as Error).message}`);
    }
    const address = (await network.resolve(hop.host, 4).catch(() => [] as string[]))[0];
    if (!address) throw new NatScopeError('unreachable', `cannot resolve ${hop.host}`);
    return { host: hop.host, endpoint: { address, port: hop.port } as Endpoint };
  };
  const callHop = await resolveHop(input.outboundProxy ?? targetHost);
  const regHop = input.account ? await resolveHop(input.outboundProxy ?? input.account.registrar) : callHop;
  const server = callHop.endpoint;
  const hop = callHop;
  if (transportName !== 'udp' && formatEndpoint(regHop.endpoint) !== formatEndpoint(server)) {
    throw new NatScopeError(
      'not-supported',
      `over ${transportName.toUpperCase()} the registrar and the call must use the same server: set the outbound proxy`,
    );
  }
  const localAddress = input.localAddress ?? (await deps.routeSource(server.address)) ?? '0.0.0.0';

  const log = new MessageLog(() => clock.now());
  log.onEntry((e) => ctx.emit({ kind: 'sip', message: e }));

  let transport: SipTransport;
  let sipSocket: UdpSocket | null = null;
  try {
    if (transportName === 'udp') {
      sipSocket = await network.bindUdp({ address: localAddress, port: input.localSipPort });
      transport = udpSipTransport(sipSocket);
    } else {
      const conn = await network.connectTcp({
        remote: server,
        localAddress,
        timeoutMs: 5000,
        signal: ctx.signal,
      });
      const pipe =
        transportName === 'tls'
          ? await tlsPipe(conn, {
              serverName: hop.host,
              ca: input.tlsCaPem,
              timeoutMs: 5000,
              signal: ctx.signal,
            })
          : tcpPipe(conn);
      transport = streamSipTransport(pipe, transportName === 'tls' ? 'TLS' : 'TCP', clock);
    }
  } catch (err) {
    throw new NatScopeError(
      'unreachable',
      `cannot open SIP ${transportName.toUpperCase()} to ${formatEndpoint(server)}: ${(err as Error).message}`,
    );
  }
  cleanups.push(() => transport.close());

  let rtpPair: { rtp: UdpSocket; rtcp: UdpSocket };
  try {
    rtpPair = await bindRtpPair(network, { address: localAddress, range: input.rtpPortRange });
  } catch (err) {
    await runCleanups(cleanups);
    throw new NatScopeError('not-supported', (err as Error).message);
  }
  cleanups.push(
    () => rtpPair.rtp.close(),
    () => rtpPair.rtcp.close(),
  );
  ctx.emit({ kind: 'started', callId, local: formatEndpoint(transport.local), transport: transportName });

  try {
    // What to advertise: local addresses, or what a STUN server sees for the SIP and RTP sockets.
    let contact: Endpoint = transport.local;
    let rtpAdvertised: Endpoint = rtpPair.rtp.local;
    let rtcpAdvertisedPort = rtpPair.rtcp.local.port;
    if (input.advertise === 'stun') {
      const stun = await resolveStun(input.stunServer, network);
      const rtpMapped = stun ? await stunMappedAddress(rtpPair.rtp, stun, clock, ctx.signal) : null;
      const rtcpMapped =
        stun && rtpMapped ? await stunMappedAddress(rtpPair.rtcp, stun, clock, ctx.signal) : null;
      const sipMapped =
        stun && sipSocket ? await stunMappedAddress(sipSocket, stun, clock, ctx.signal) : null;
      if (!rtpMapped) {
        findings.push({
          code: 'stun-failed',
          severity: 'warning',
          message: stun
            ? `No STUN answer from ${formatEndpoint(stun)}; advertising the local address instead.`
            : 'advertise = "stun" needs a STUN server (stunServer); advertising the local address instead.',
        });
      } else {
        rtpAdvertised = rtpMapped;
        rtcpAdvertisedPort = rtcpMapped?.port ?? rtpMapped.port + 1;
      }
      if (sipMapped) contact = sipMapped;
    }

    const layer = new TransactionLayer({
      transport,
      clock,
      log,
      userAgent: `NatScope/${APP_VERSION}`,
      timers: deps.timers,
    });
    cleanups.unshift(() => layer.close());
    const account = input.account
      ? {
          username: input.account.username,
          authUsername: input.account.authUsername,
          password: input.account.password,
          domain: input.account.domain ?? parseHostPort(input.account.registrar, 5060).host,
        }
      : undefined;
    const ua = new UserAgent({
      layer,
      nextHop: server,
      registrarHop: regHop.endpoint,
      resolve: (h) => network.resolve(h, 4),
      viaSentBy: transport.local,
      contact,
      account,
      outboundProxyUri: input.outboundProxy
        ? `sip:${input.outboundProxy}${transportName === 'udp' ? '' : `;transport=${transportName}`}`
        : undefined,
      userAgent: `NatScope/${APP_VERSION}`,
      answerTimeoutMs: input.answerTimeoutSec * 1000,
    });
    cleanups.unshift(() => ua.close());

    const base = {
      target: input.target,
      transport: transportName,
      signaling: () => ({
        local: formatEndpoint(transport.local),
        server: formatEndpoint(server),
        contact: formatEndpoint(contact),
        viaReceived: ua.firstVia?.received
          ? `${ua.firstVia.received}${ua.firstVia.rport ? `:${ua.firstVia.rport}` : ''}`
          : ua.firstVia?.rport
            ? `${transport.local.address}:${ua.firstVia.rport}`
            : null,
        okRetransmissions: dialogRef?.okRetransmissions ?? 0,
      }),
    };
    let dialogRef: Dialog | null = null;
    let registration: CallResult['registration'] = null;
    const finish = (
      o: Partial<CallResult> & Pick<CallResult, 'answered' | 'sipStatus' | 'sipReason' | 'endReason'>,
      media?: MediaInfo,
    ): CallResult => {
      const sig = base.signaling();
      const stats = media?.stats ?? null;
      const obs = callFindings({
        advertise: input.advertise,
        localSip: sig.local,
        localAddress: transport.local.address,
        contactAddress: contact.address,
        viaReceived: ua.firstVia
          ? { address: ua.firstVia.received ?? transport.local.address, port: ua.firstVia.rport }
          : null,
        sdpAdvertisedAddress: rtpAdvertised.address,
        okRetransmissions: sig.okRetransmissions,
        answered: o.answered,
        remoteByeEarly:
          media?.remoteByeAfterSec !== undefined && media.remoteByeAfterSec !== null
            ? { afterSec: media.remoteByeAfterSec }
            : null,
        media: stats,
        mediaSec: media?.durationSec ?? 0,
      });
      return {
        target: base.target,
        transport: base.transport,
        registration,
        signaling: sig,
        media: media
          ? {
              codec: media.codec,
              localRtp: formatEndpoint(rtpPair.rtp.local),
              advertisedRtp: formatEndpoint(rtpAdvertised),
              advertise: input.advertise,
              remoteSdpRtp: media.remoteSdpRtp,
              remoteActualRtp: stats?.sources ?? [],
              sourceMismatch: stats?.sourceMismatch ?? false,
              durationSec: Math.round(media.durationSec * 10) / 10,
            }
          : null,
        rtp: stats && media ? toRtpStats(stats, media.codec) : null,
        oneWayAudio: isOneWayAudio(stats, media?.durationSec ?? 0),
        findings: [...findings, ...obs],
        messages: log.all(),
        ...o,
      };
    };

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
        const authFailed = reg.status === 401 || reg.status === 403 || reg.status === 407;
        findings.push({
          code: authFailed ? 'auth-failed' : 'register-failed',
          severity: 'error',
          message: authFailed
            ? `Registration refused (${reg.reason}): check the user name and password.`
            : `Registration failed: ${reg.reason}.`,
        });
        setState('failed', reg.reason);
        return finish({
          answered: false,
          sipStatus: null,
          sipReason: null,
          endReason: reg.status === null ? 'no-response' : authFailed ? 'auth-failed' : 'register-failed',
        });
      }
      setState('registered', `expires ${reg.expires ?? '?'} s`);
    }
    const unregister = async () => {
      if (registration?.ok) {
        // Bounded: a registrar that ignores the un-REGISTER must not hold the user for Timer F (32 s).
        const un: RegisterOutcome | null = await Promise.race([
          ua.unregister(),
          sleep(clock, UNREGISTER_WAIT_MS).then(() => null),
        ]);
        registration = { ...registration, unregistered: un?.ok ?? false };
      }
    };

    // 2. INVITE.
    setState('calling');
    const sessionId = Math.floor(Date.now() / 1000);
    const offer = buildOffer({
      sessionId,
      version: 1,
      address: rtpAdvertised.address,
      rtpPort: rtpAdvertised.port,
      rtcpPort: rtcpAdvertisedPort,
    });
    const inv = await ua.invite({
      target: input.target,
      sdp: offer,
      signal: ctx.signal,
      onProvisional: (status, reason) => setState('ringing', `${status} ${reason}`),
    });
    if (!inv.answered) {
      await unregister();
      const endReason =
        inv.kind === 'timeout'
          ? 'no-response'
          : inv.kind === 'no-answer'
            ? 'no-answer'
            : inv.kind === 'cancelled'
              ? 'cancelled'
              : inv.kind === 'transport-error'
                ? 'transport-error'
                : inv.kind === 'auth-failed'
                  ? 'auth-failed'
                  : 'rejected';
      if (inv.kind === 'timeout')
        findings.push({
          code: 'no-sip-response',
          severity: 'error',
          message: `No response to the INVITE from ${formatEndpoint(server)} within 32 s (Timer B), despite retransmissions: SIP does not get through (blocked port, wrong address or a SIP ALG dropping it).`,
        });
      else if (inv.kind === 'auth-failed')
        findings.push({
          code: 'auth-failed',
          severity: 'error',
          message: `The call was refused with ${inv.reason}: credentials rejected.`,
        });
      else if (inv.kind === 'rejected')
        findings.push({
          code: 'call-rejected',
          severity: 'error',
          message: `The call was rejected: ${inv.reason}.`,
        });
      setState(endReason === 'cancelled' ? 'ended' : 'failed', inv.reason);
      return finish({ answered: false, sipStatus: inv.status, sipReason: inv.reason, endReason });
    }
    const dialog = inv.dialog;
    dialogRef = dialog;
    setState('answered', `${inv.status} ${inv.reason}`);

    // 3. Media.
    let answer;
    try {
      answer = parseAnswer(inv.sdp);
      if (!answer.codec || answer.payloadType === null)
        throw new SdpError('the answer accepted neither PCMU nor PCMA');
      if (answer.rejected) throw new SdpError('the answer rejected the audio stream (port 0)');
    } catch (err) {
      findings.push({
        code: 'call-rejected',
        severity: 'error',
        message: `Unusable SDP answer: ${(err as Error).message}`,
      });
      setState('hanging-up');
      await dialog.bye();
      await unregister();
      setState('failed', 'bad SDP answer');
      return finish({ answered: true, sipStatus: inv.status, sipReason: inv.reason, endReason: 'error' });
    }
    const remoteAddress = await resolveMediaAddress(answer.address, network);
    const remoteRtp = { address: remoteAddress, port: answer.rtpPort };
    const remoteRtcp = {
      address:
        answer.rtcpAddress === answer.address
          ? remoteAddress
          : await resolveMediaAddress(answer.rtcpAddress, network),
      port: answer.rtcpPort,
    };
    const codec = answer.codec;
    let source: AudioSource = testSignalSource;
    if (input.audio === 'external') {
      const q = new QueuedAudioSource();
      externalSources.set(callId, q);
      cleanups.push(() => void externalSources.delete(callId));
      source = q;
    }
    const session = new RtpSession({
      rtp: rtpPair.rtp,
      rtcp: rtpPair.rtcp,
      clock,
      law: codec,
      payloadType: answer.payloadType!,
      remoteRtp,
      remoteRtcp,
      source,
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
    // A re-INVITE / UPDATE offer: answer with our same media (new version), follow the new address.
    let sdpVersion = 1;
    dialog.onOffer = () =>
      buildOffer({
        sessionId,
        version: ++sdpVersion,
        address: rtpAdvertised.address,
        rtpPort: rtpAdvertised.port,
        rtcpPort: rtcpAdvertisedPort,
      });
    let remoteByeAt: number | null = null;
    const mediaEnded = new AbortController();
    dialog.onRemoteBye = () => {
      remoteByeAt = clock.now();
      mediaEnded.abort();
    };
    const onUserAbort = () => mediaEnded.abort();
    ctx.signal.addEventListener('abort', onUserAbort, { once: true });

    const mediaStart = clock.now();
    session.start();
    let oneWayReported = false;
    const emitStats = (): RtpStats => {
      const s = session.snapshot(SETTLE_MS);
      const dto = toRtpStats(s, codec);
      if (!oneWayReported && isOneWayAudio(s, (clock.now() - mediaStart) / 1000)) {
        oneWayReported = true;
        ctx.emit({
          kind: 'finding',
          finding: {
            code: 'one-way-audio',
            severity: 'error',
            message: `Nothing came back after ${Math.round((clock.now() - mediaStart) / 1000)} s of sending: one-way audio.`,
          },
        });
      }
      ctx.emit({ kind: 'stats', stats: dto });
      return dto;
    };
    const end = mediaStart + input.durationSec * 1000;
    while (!mediaEnded.signal.aborted && clock.now() < end) {
      await sleep(clock, Math.min(STATS_INTERVAL_MS, end - clock.now()), mediaEnded.signal).catch(() => {});
      if (!mediaEnded.signal.aborted) emitStats();
    }
    ctx.signal.removeEventListener('abort', onUserAbort);
    await session.stop();
    const mediaSec = (clock.now() - mediaStart) / 1000;
    // Let the last echoes arrive, unless the user is waiting on a cancel.
    if (!ctx.signal.aborted && remoteByeAt === null) await sleep(clock, SETTLE_MS).catch(() => {});
    session.detach();
    const finalStats: RtpSessionStats = session.snapshot(0);
    setState('hanging-up');
    if (remoteByeAt === null) await dialog.bye();
    await unregister();
    const remoteByeAfterSec = remoteByeAt !== null ? ((remoteByeAt as number) - mediaStart) / 1000 : null;
    setState('ended');
    return finish(
      {
        answered: true,
        sipStatus: inv.status,
        sipReason: inv.reason,
        endReason: ctx.signal.aborted ? 'cancelled' : remoteByeAt !== null ? 'remote-bye' : 'completed',
      },
      {
        stats: finalStats,
        codec,
        remoteSdpRtp: formatEndpoint(remoteRtp),
        durationSec: mediaSec,
        remoteByeAfterSec,
      },
    );
  } finally {
    await runCleanups(cleanups);
  }
}

interface MediaInfo {
  stats: RtpSessionStats;
  codec: 'pcmu' | 'pcma';
  remoteSdpRtp: string;
  durationSec: number;
  remoteByeAfterSec: number | null;
}

async function runCleanups(cleanups: (() => Promise<void> | void)[]): Promise<void> {
  for (const c of cleanups) {
    try {
      await c();
    } catch {
      // closing is best effort
    }
  }
}

async function resolveStun(server: string | undefined, network: Network): Promise<Endpoint | null> {
  if (!server) return null;
  const { host, port } = parseHostPort(server, 3478);
  const address = (await network.resolve(host, 4).catch(() => [] as string[]))[0];
  return address ? { address, port } : null;
}

async function resolveMediaAddress(address: string, network: Network): Promise<string> {
  if (/^[\d.]+$/.test(address) || address.includes(':')) return address;
  return (await network.resolve(address, 4).catch(() => [] as string[]))[0] ?? address;
}

function toBase64(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  return btoa(s);
}
