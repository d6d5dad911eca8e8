/**
 * `natscope server`: the STUN server, the SIP reflector and the echo UAS behind one start/close.
 * Each part can be switched off; every input path is size-capped and rate-limited per source
 * (IPv4 /32, IPv6 /64) and in total, and nothing is ever sent to an address other than the source
 * of the packet being answered. What can be sent more than once, or later — an echo call, a
 * callback — needs a source that proved it receives (return-routability.ts); everything else is a
 * single answer of at most 3× the request (sip-listener.ts, stun-budget.ts).
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import { formatEndpoint } from '../../../shared/model/endpoint.ts';
import { fromLatin1 } from '../../../shared/model/alg-reflect.ts';
import type { Clock } from '../clock/clock.ts';
import type { Network } from '../net/network.ts';
import { CALLBACK_HEADER, CallbackScheduler } from './callback.ts';
import { DEFAULT_ECHO_OPTIONS, EchoUas } from './echo-uas.ts';
import type { CompanionLogger } from './logger.ts';
import { bothLimits, createRateLimiter, createTotalLimiter } from './rate-limiter.ts';
import { ReturnRoutability } from './return-routability.ts';
import {
  DEFAULT_SIP_LIMITS,
  startSipListener,
  type SipListener,
  type SipListenerLimits,
  type SipMessageContext,
} from './sip-listener.ts';
import { isProbeInvite, reflect } from './sip-reflector.ts';
import { buildResponse, header } from './sip-response.ts';
import { startCompanionStun, type CompanionStunServer, type StunIo } from './stun-server.ts';
import type { StunWorkersOptions } from './stun-workers.ts';
import type { ListenTcp } from './tcp-listener.ts';

export interface CompanionLimits {
  sipPerSec: number;
  sipBurst: number;
  /** All sources together (bounds the server's work and what a spoofed flood can reflect). */
  sipTotalPerSec: number;
  stunPerSec: number;
  stunBurst: number;
  stunTotalPerSec: number;
  maxSources: number;
  maxCalls: number;
  maxCallsPerSource: number;
  maxCallMs: number;
  maxCallbacks: number;
  sip: SipListenerLimits;
}

export const DEFAULT_COMPANION_LIMITS: CompanionLimits = {
  sipPerSec: 20,
  sipBurst: 60,
  sipTotalPerSec: 2_000,
  stunPerSec: 50,
  stunBurst: 100,
  stunTotalPerSec: 10_000,
  maxSources: 10_000,
  maxCalls: DEFAULT_ECHO_OPTIONS.maxCalls,
  maxCallsPerSource: DEFAULT_ECHO_OPTIONS.maxCallsPerSource,
  maxCallMs: DEFAULT_ECHO_OPTIONS.maxCallMs,
  maxCallbacks: 100,
  sip: DEFAULT_SIP_LIMITS,
};

export interface CompanionServerOptions {
  address: string;
  alternateAddress?: string;
  stunPort?: number;
  stunAltPort?: number;
  sipPorts?: number[];
  stun?: boolean;
  sip?: boolean;
  /** SIP over TCP as well as UDP (default on). */
  tcp?: boolean;
  echo?: boolean;
  network: Pick<Network, 'bindUdp' | 'udpBatch'>;
  listenTcp: ListenTcp;
  clock: Clock;
  logger: CompanionLogger;
  limits?: Partial<CompanionLimits>;
  /** STUN on this many threads (SO_REUSEPORT, shared limits: stun-workers.ts); 1 = the main thread. */
  stunWorkers?: number;
  /** STUN socket I/O (stun-server.ts): batched recvmmsg/sendmmsg, node:dgram, or the best available. */
  stunIo?: StunIo;
}

export interface CompanionServer {
  readonly stun: Endpoint[];
  readonly sip: { transport: 'UDP' | 'TCP'; endpoint: Endpoint }[];
  /** How the STUN sockets read and send: 'recvmmsg' (batched, native addon) or 'dgram'. */
  readonly stunIo?: StunIo;
  readonly stats: () => {
    stunAnswered: number;
    stunDropped: number;
    sipRefused: number;
    stunRefused: number;
    sources: number;
    calls: number;
    callbacks: number;
    challenges: number;
  };
  close(): Promise<void>;
}

/** Imported for --workers N only: node:worker_threads costs a one-thread server ≈ 0.6 MB of RSS (issue #19). */
async function startStunThreads(o: StunWorkersOptions): Promise<CompanionStunServer> {
  const { startStunWorkers } = await import('./stun-workers.ts');
  return startStunWorkers(o);
}

export async function startCompanionServer(o: CompanionServerOptions): Promise<CompanionServer> {
  const limits = { ...DEFAULT_COMPANION_LIMITS, ...o.limits };
  const perSource = (ratePerSec: number, burst: number) =>
    createRateLimiter(o.clock, { ratePerSec, burst, maxSources: limits.maxSources });
  const sipLimiter = bothLimits(
    perSource(limits.sipPerSec, limits.sipBurst),
    createTotalLimiter(o.clock, limits.sipTotalPerSec, limits.sipTotalPerSec),
  );
  const stunLimiter = bothLimits(
    perSource(limits.stunPerSec, limits.stunBurst),
    createTotalLimiter(o.clock, limits.stunTotalPerSec, limits.stunTotalPerSec),
  );
  const echo = new EchoUas({
    network: o.network,
    clock: o.clock,
    logger: o.logger,
    maxCalls: limits.maxCalls,
    maxCallsPerSource: limits.maxCallsPerSource,
    maxCallMs: limits.maxCallMs,
    mediaTimeoutMs: DEFAULT_ECHO_OPTIONS.mediaTimeoutMs,
    maxPps: DEFAULT_ECHO_OPTIONS.maxPps,
    maxRtpBytes: DEFAULT_ECHO_OPTIONS.maxRtpBytes,
  });
  const callbacks = new CallbackScheduler(o.clock, o.logger, limits.maxCallbacks);
  const rr = new ReturnRoutability(o.clock);
  let challenges = 0;
  const echoOn = o.echo !== false;
  let stun: CompanionStunServer | null = null;
  const listeners: SipListener[] = [];

  /** One stateless 401 (RFC 3261 §8.2.7): the source answers it only if it receives here. */
  const challenge = (ctx: SipMessageContext) => {
    challenges++;
    void ctx.reply(fromLatin1(rr.challenge(ctx.msg, ctx.source, ctx.transport, ctx.rr === 'stale')));
    o.logger.log('info', 'sip.challenge', {
      method: ctx.msg.method,
      source: formatEndpoint(ctx.source),
      stale: ctx.rr === 'stale',
    });
  };

  const onMessage = (ctx: SipMessageContext) => {
    const m = ctx.msg;
    if (m.kind === 'response') {
      if (!callbacks.handleResponse(m))
        o.logger.log('debug', 'sip.stray-response', { source: formatEndpoint(ctx.source), status: m.status });
      return;
    }
    const verified = ctx.rr === 'verified';
    switch (m.method) {
      case 'OPTIONS':
        reflect(ctx, o.logger);
        return;
      case 'REGISTER':
        // the callback sends INVITEs later: only to a source that proved it receives
        if (header(m, CALLBACK_HEADER) !== null && !verified) return challenge(ctx);
        if (reflect(ctx, o.logger)) callbacks.maybeSchedule(ctx);
        return;
      case 'INVITE':
        if (!echoOn || isProbeInvite(ctx)) reflect(ctx, o.logger);
        else if (!verified) challenge(ctx);
        else echo.handle(ctx);
        return;
      case 'ACK':
      case 'BYE':
      case 'CANCEL':
        if (echoOn) echo.handle(ctx);
        return;
      default: {
        // reply() drops it for an unverified source when it is over 3× the request
        const text = buildResponse(m, 405, 'Method Not Allowed', {
          extra: ['Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, REGISTER'],
          server: verified,
        });
        void ctx.reply(fromLatin1(text));
      }
    }
  };

  try {
    if (o.stun !== false) {
      const ips = o.alternateAddress ? [o.address, o.alternateAddress] : [o.address];
      const ports: [number, number] = [o.stunPort ?? 3478, o.stunAltPort ?? 3479];
      stun =
        (o.stunWorkers ?? 1) > 1
          ? await startStunThreads({
              count: o.stunWorkers!,
              ips,
              ports,
              perSource: {
                ratePerSec: limits.stunPerSec,
                burst: limits.stunBurst,
                maxSources: limits.maxSources,
              },
              total: { ratePerSec: limits.stunTotalPerSec, burst: limits.stunTotalPerSec },
              logger: o.logger,
              io: o.stunIo,
            })
          : await startCompanionStun({
              network: o.network,
              ips,
              ports,
              rateLimiter: stunLimiter,
              logger: o.logger,
              io: o.stunIo,
            });
    }
    if (o.sip !== false) {
      for (const port of o.sipPorts ?? [5060]) {
        listeners.push(
          await startSipListener({
            network: o.network,
            listenTcp: o.listenTcp,
            clock: o.clock,
            address: o.address,
            port,
            udp: true,
            tcp: o.tcp !== false,
            limits: limits.sip,
            rateLimiter: sipLimiter,
            returnRoutability: rr,
            logger: o.logger,
            onMessage,
          }),
        );
      }
    }
  } catch (err) {
    await stun?.close();
    await Promise.all(listeners.map((l) => l.close()));
    throw err;
  }
  const sip = listeners.flatMap((l) => [
    { transport: 'UDP' as const, endpoint: { address: o.address, port: l.port } },
    ...(o.tcp !== false
      ? [{ transport: 'TCP' as const, endpoint: { address: o.address, port: l.port } }]
      : []),
  ]);
  o.logger.log('info', 'server.started', {
    stun: stun?.endpoints.map(formatEndpoint) ?? [],
    ...(stun ? { stunIo: stun.io } : {}),
    sip: sip.map((s) => `${s.transport} ${formatEndpoint(s.endpoint)}`),
    echo: echoOn,
  });
  return {
    stun: stun?.endpoints ?? [],
    stunIo: stun?.io,
    sip,
    stats: () => ({
      stunAnswered: stun?.stats.answered ?? 0,
      stunDropped: stun?.stats.dropped ?? 0,
      sipRefused: sipLimiter.refused,
      stunRefused: stun?.stats.refused ?? stunLimiter.refused,
      sources: sipLimiter.size + (stun?.stats.sources ?? stunLimiter.size),
      calls: echo.activeCalls,
      callbacks: callbacks.size,
      challenges,
    }),
    async close() {
      callbacks.close();
      await echo.close();
      await Promise.all(listeners.map((l) => l.close()));
      await stun?.close();
      o.logger.log('info', 'server.stopped', {});
    },
  };
}
