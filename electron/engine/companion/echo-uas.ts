/**
 * The echo UAS: answers INVITE (RFC 3261 §13.3, 200 OK retransmitted until ACK per §13.3.1.4),
 * echoes RTP back to wherever it comes from (rtp-echo.ts: symmetric RTP, RFC 4961, with its own
 * SSRC), and sends RTCP SR every 5 s
 * (RFC 3550 §6.4.1) to the RTCP source, or else to the RTP source's address at port + 1.
 *
 * Safety: only sources that proved they receive get here (return-routability.ts; TCP by its
 * handshake). Media only goes back to the IP address the signalling came from; each call has a
 * packet-rate cap, a size cap, a maximum duration and ends when media stops or its TCP connection
 * closes; the number of calls is bounded in all and per source (source-quota.ts), and only the
 * call's own source may end or re-INVITE it.
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import { formatEndpoint } from '../../../shared/model/endpoint.ts';
import { fromLatin1 } from '../../../shared/model/alg-reflect.ts';
import { uriHostPort } from '../../../shared/model/alg-sip.ts';
import type { Clock, TimerHandle } from '../clock/clock.ts';
import type { Network, UdpSocket } from '../net/network.ts';
import { decodeRtcp, encodeRtcpCompound, ntpFromUnixMs, ntpMiddle32 } from '../rtp/rtcp.ts';
import { buildOffer, parseAnswer } from '../sdp/sdp.ts';
import type { CompanionLogger } from './logger.ts';
import { echoRtp } from './rtp-echo.ts';
import { SourceQuota } from './source-quota.ts';
import type { SipMessageContext } from './sip-listener.ts';
import { buildRequest, buildResponse, header, randomToken } from './sip-response.ts';

export interface EchoUasOptions {
  network: Pick<Network, 'bindUdp'>;
  clock: Clock;
  logger: CompanionLogger;
  maxCalls: number;
  /** Calls one source (IPv4 /32, IPv6 /64) may hold at once. */
  maxCallsPerSource: number;
  maxCallMs: number;
  /** A call with no RTP for this long (from the answer or the last packet) is ended. */
  mediaTimeoutMs: number;
  /** RTP packets per second echoed per call (burst = 2 s worth). */
  maxPps: number;
  maxRtpBytes: number;
  /** Wall clock for RTCP NTP timestamps. */
  wallClock?: () => number;
}

export const DEFAULT_ECHO_OPTIONS = {
  maxCalls: 32,
  maxCallsPerSource: 2,
  maxCallMs: 120_000,
  mediaTimeoutMs: 15_000,
  maxPps: 200,
  maxRtpBytes: 1500,
};

interface Call {
  callId: string;
  toTag: string;
  transport: 'UDP' | 'TCP';
  signalling: Endpoint;
  sourceKey: string;
  lastMediaAt: number;
  unsubscribeClose: (() => void) | null;
  local: Endpoint;
  remoteFrom: string;
  remoteTo: string;
  remoteTarget: string;
  reply: (b: Uint8Array) => Promise<void>;
  rtp: UdpSocket;
  rtcp: UdpSocket;
  ssrc: number;
  ok: Uint8Array;
  acked: boolean;
  timers: TimerHandle[];
  rtpPeer: Endpoint | null;
  rtcpPeer: Endpoint | null;
  echoed: number;
  octets: number;
  highestSeq: number;
  theirSsrc: number | null;
  lastSr: number;
  /** When their last SR arrived (clock ms), for the DLSR of our report (RFC 3550 §6.4.1). */
  lastSrAt: number;
  cseq: number;
  ended: boolean;
}

export class EchoUas {
  private readonly calls = new Map<string, Call>();
  private readonly o: EchoUasOptions;
  private readonly quota: SourceQuota;

  constructor(o: EchoUasOptions) {
    this.o = o;
    this.quota = new SourceQuota({ maxTotal: o.maxCalls, maxPerSource: o.maxCallsPerSource });
  }

  get activeCalls(): number {
    return this.calls.size;
  }

  /** Handles INVITE / ACK / BYE / CANCEL; returns false for anything else. */
  handle(ctx: SipMessageContext): boolean {
    const m = ctx.msg.method;
    const callId = header(ctx.msg, 'Call-ID') ?? '';
    const known = this.calls.get(callId);
    // a dialog belongs to the address that set it up: nobody else may end or re-INVITE it
    const call = known && known.signalling.address === ctx.source.address ? known : undefined;
    if (m === 'INVITE') {
      if (known && !call)
        void ctx.reply(fromLatin1(buildResponse(ctx.msg, 400, 'Call-ID In Use', { toTag: randomToken() })));
      else void this.invite(ctx, callId, call);
      return true;
    }
    if (m === 'ACK') {
      if (call) call.acked = true;
      return true;
    }
    if (m === 'BYE') {
      void ctx.reply(
        fromLatin1(buildResponse(ctx.msg, call ? 200 : 481, call ? 'OK' : 'Call/Transaction Does Not Exist')),
      );
      if (call) void this.end(call, 'bye');
      return true;
    }
    if (m === 'CANCEL') {
      // the 200 OK to the INVITE is sent at once, so there is never a pending INVITE to cancel
      void ctx.reply(
        fromLatin1(buildResponse(ctx.msg, call ? 200 : 481, call ? 'OK' : 'Call/Transaction Does Not Exist')),
      );
      return true;
    }
    return false;
  }

  private async invite(ctx: SipMessageContext, callId: string, existing: Call | undefined): Promise<void> {
    const log = this.o.logger;
    if (existing) {
      // retransmitted INVITE (or re-INVITE): repeat the 200 OK
      await ctx.reply(existing.ok);
      return;
    }
    const reject = (code: number, reason: string, warning: string, extra: string[] = []) =>
      ctx.reply(
        fromLatin1(
          buildResponse(ctx.msg, code, reason, {
            toTag: randomToken(),
            extra: [...extra, `Warning: 399 natscope "${warning.replace(/"/g, "'")}"`],
          }),
        ),
      );
    let offer;
    try {
      offer = parseAnswer(ctx.msg.body);
    } catch (err) {
      return void (await reject(488, 'Not Acceptable Here', (err as Error).message));
    }
    if (!offer.codec)
      return void (await reject(488, 'Not Acceptable Here', 'offer has neither PCMU nor PCMA'));
    const refused = this.quota.acquire(ctx.sourceKey);
    if (refused) {
      log.log('warn', 'echo.refused', { reason: refused, source: formatEndpoint(ctx.source) });
      return void (await (refused === 'full'
        ? reject(503, 'Service Unavailable', 'every echo slot is in use', ['Retry-After: 30'])
        : reject(486, 'Busy Here', 'this source already holds its share of echo calls', [
            'Retry-After: 30',
          ])));
    }
    // from here the source holds a slot: end() gives it back, or the catch below if sockets fail
    let slot: string | null = ctx.sourceKey;
    const giveBack = () => {
      if (slot !== null) this.quota.release(slot);
      slot = null;
    };
    await ctx.reply(fromLatin1(buildResponse(ctx.msg, 100, 'Trying')));
    let rtp: UdpSocket;
    let rtcp: UdpSocket;
    try {
      rtp = await this.o.network.bindUdp({ address: ctx.destination.address, port: 0 });
      rtcp = await this.o.network
        .bindUdp({ address: ctx.destination.address, port: 0 })
        .catch(async (e: unknown) => {
          await rtp.close();
          throw e;
        });
    } catch (err) {
      giveBack();
      throw err;
    }
    const toTag = randomToken();
    const sdp = buildOffer({
      sessionId: Math.floor(Math.random() * 1e9),
      version: 1,
      address: ctx.destination.address,
      rtpPort: rtp.local.port,
      rtcpPort: rtcp.local.port,
    });
    const contact = `<sip:echo@${formatEndpoint(ctx.destination)}${ctx.transport === 'TCP' ? ';transport=tcp' : ''}>`;
    const ok = fromLatin1(
      buildResponse(ctx.msg, 200, 'OK', {
        toTag,
        contact,
        body: sdp,
        extra: ['Allow: INVITE, ACK, BYE, CANCEL, OPTIONS'],
      }),
    );
    const ssrc = (Math.random() * 0xffffffff) >>> 0;
    const call: Call = {
      callId,
      toTag,
      transport: ctx.transport,
      signalling: ctx.source,
      sourceKey: ctx.sourceKey,
      lastMediaAt: this.o.clock.now(),
      unsubscribeClose: null,
      local: ctx.destination,
      remoteFrom: header(ctx.msg, 'From') ?? '',
      remoteTo: header(ctx.msg, 'To') ?? '',
      remoteTarget:
        /<([^>]+)>/.exec(header(ctx.msg, 'Contact') ?? '')?.[1] ?? `sip:${formatEndpoint(ctx.source)}`,
      reply: ctx.reply,
      rtp,
      rtcp,
      ssrc,
      ok,
      acked: ctx.transport === 'TCP',
      timers: [],
      rtpPeer: null,
      rtcpPeer: null,
      echoed: 0,
      octets: 0,
      highestSeq: 0,
      theirSsrc: null,
      lastSr: 0,
      lastSrAt: 0,
      cseq: 1,
      ended: false,
    };
    this.calls.set(callId, call);
    slot = null; // the call holds it now; end() gives it back
    // over TCP the dialog lives on its connection: when that goes, nobody can end the call
    call.unsubscribeClose = ctx.tcp?.onClose(() => void this.end(call, 'connection closed')) ?? null;
    echoRtp(rtp, call, this.o);
    rtcp.onMessage((data, from) => {
      if (from.address !== call.signalling.address || data.length > this.o.maxRtpBytes) return;
      const pkts = decodeRtcp(data);
      if (!pkts) return;
      call.rtcpPeer = from;
      for (const p of pkts) {
        if (p.type !== 'sr') continue;
        call.lastSr = ntpMiddle32(p.sender.ntpSec, p.sender.ntpFrac);
        call.lastSrAt = this.o.clock.now();
      }
    });
    await ctx.reply(ok);
    log.log('info', 'echo.call', {
      callId,
      transport: ctx.transport,
      source: formatEndpoint(ctx.source),
      rtp: rtp.local.port,
      codec: offer.codec,
      offerAddress: offer.address,
    });
    if (ctx.transport === 'UDP') this.retransmitOk(call, 500, 0);
    call.timers.push(
      this.o.clock.setTimeout(() => void this.end(call, 'max-duration', true), this.o.maxCallMs),
    );
    const sendRtcp = () => {
      if (call.ended) return;
      if (this.o.clock.now() - call.lastMediaAt > this.o.mediaTimeoutMs)
        return void this.end(call, 'no-media', true);
      this.sendRtcp(call);
      call.timers.push(this.o.clock.setTimeout(sendRtcp, 5000));
    };
    call.timers.push(this.o.clock.setTimeout(sendRtcp, 1000));
  }

  private retransmitOk(call: Call, interval: number, elapsed: number): void {
    call.timers.push(
      this.o.clock.setTimeout(() => {
        if (call.acked || call.ended) return;
        if (elapsed + interval >= 32_000) return void this.end(call, 'no-ack', true);
        void call.reply(call.ok);
        this.retransmitOk(call, Math.min(interval * 2, 4000), elapsed + interval);
      }, interval),
    );
  }

  private sendRtcp(call: Call): void {
    const to =
      call.rtcpPeer ?? (call.rtpPeer ? { address: call.rtpPeer.address, port: call.rtpPeer.port + 1 } : null);
    if (!to) return;
    const ntp = ntpFromUnixMs((this.o.wallClock ?? Date.now)());
    const data = encodeRtcpCompound({
      ssrc: call.ssrc,
      sender: {
        ntpSec: ntp.sec,
        ntpFrac: ntp.frac,
        rtpTimestamp: 0,
        packetCount: call.echoed,
        octetCount: call.octets,
      },
      reports:
        call.theirSsrc === null
          ? []
          : [
              {
                ssrc: call.theirSsrc,
                fractionLost: 0,
                cumulativeLost: 0,
                highestSeq: call.highestSeq,
                jitter: 0,
                lsr: call.lastSr,
                // How long we held their SR: without it their RTT would include up to our 5 s
                // report interval (issue #12: a clean loopback call read RTT ≈ 2 s).
                dlsr:
                  call.lastSr === 0
                    ? 0
                    : Math.round(((this.o.clock.now() - call.lastSrAt) / 1000) * 65536) >>> 0,
              },
            ],
      cname: `natscope-echo@${call.local.address}`,
    });
    void call.rtcp.send(data, to).catch(() => {});
  }

  /** Ends a call; `sendBye` when the server hangs up (max duration, no ACK). BYE goes to the signalling source. */
  private async end(call: Call, reason: string, sendBye = false): Promise<void> {
    if (call.ended) return;
    call.ended = true;
    for (const t of call.timers) t.cancel();
    call.unsubscribeClose?.();
    this.calls.delete(call.callId);
    this.quota.release(call.sourceKey);
    if (sendBye && call.acked) {
      const target = uriHostPort(call.remoteTarget)
        ? call.remoteTarget
        : `sip:${formatEndpoint(call.signalling)}`;
      const bye = buildRequest({
        method: 'BYE',
        target,
        transport: call.transport,
        local: call.local,
        branch: `z9hG4bK${randomToken()}`,
        from: call.remoteTo.includes('tag=') ? call.remoteTo : `${call.remoteTo};tag=${call.toTag}`,
        to: call.remoteFrom,
        callId: call.callId,
        cseq: ++call.cseq,
      });
      await call.reply(fromLatin1(bye)).catch(() => {});
    }
    this.sendRtcp(call);
    await Promise.all([call.rtp.close(), call.rtcp.close()]);
    this.o.logger.log('info', 'echo.end', {
      callId: call.callId,
      reason,
      echoed: call.echoed,
      source: formatEndpoint(call.signalling),
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.calls.values()].map((c) => this.end(c, 'shutdown')));
  }
}
