/**
 * `natscope server`: the STUN server, the SIP reflector and the echo UAS behind one start/close.
 * Each part can be switched off; every input path is size-capped and rate-limited per source, and
 * nothing is ever sent to an address other than the source of the packet being answered.
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import { formatEndpoint } from '../../../shared/model/endpoint.ts';
import { fromLatin1 } from '../../../shared/model/alg-reflect.ts';
import type { Clock } from '../clock/clock.ts';
import type { Network } from '../net/network.ts';
import { CallbackScheduler } from './callback.ts';
import { DEFAULT_ECHO_OPTIONS, EchoUas } from './echo-uas.ts';
import type { CompanionLogger } from './logger.ts';
import { createRateLimiter } from './rate-limiter.ts';
import {
  DEFAULT_SIP_LIMITS,
  startSipListener,
  type SipListener,
  type SipMessageContext,
} from './sip-listener.ts';
import { isProbeInvite, reflect } from './sip-reflector.ts';
import { buildResponse } from './sip-response.ts';
import { startCompanionStun, type CompanionStunServer } from './stun-server.ts';
import type { ListenTcp } from './tcp-listener.ts';

export interface CompanionLimits {
  sipPerSec: number;
  sipBurst: number;
  stunPerSec: number;
  stunBurst: number;
  maxSources: number;
  maxCalls: number;
  maxCallMs: number;
}

export const DEFAULT_COMPANION_LIMITS: CompanionLimits = {
  sipPerSec: 20,
  sipBurst: 60,
  stunPerSec: 50,
  stunBurst: 100,
  maxSources: 10_000,
  maxCalls: DEFAULT_ECHO_OPTIONS.maxCalls,
  maxCallMs: DEFAULT_ECHO_OPTIONS.maxCallMs,
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
  network: Pick<Network, 'bindUdp'>;
  listenTcp: ListenTcp;
  clock: Clock;
  logger: CompanionLogger;
  limits?: Partial<CompanionLimits>;
}

export interface CompanionServer {
  readonly stun: Endpoint[];
  readonly sip: { transport: 'UDP' | 'TCP'; endpoint: Endpoint }[];
  readonly stats: () => {
    stunAnswered: number;
    stunDropped: number;
    sipRefused: number;
    stunRefused: number;
    sources: number;
    calls: number;
  };
  close(): Promise<void>;
}

export async function startCompanionServer(o: CompanionServerOptions): Promise<CompanionServer> {
  const limits = { ...DEFAULT_COMPANION_LIMITS, ...o.limits };
  const sipLimiter = createRateLimiter(o.clock, {
    ratePerSec: limits.sipPerSec,
    burst: limits.sipBurst,
    maxSources: limits.maxSources,
  });
  const stunLimiter = createRateLimiter(o.clock, {
    ratePerSec: limits.stunPerSec,
    burst: limits.stunBurst,
    maxSources: limits.maxSources,
  });
  const echo = new EchoUas({
    network: o.network,
    clock: o.clock,
    logger: o.logger,
    maxCalls: limits.maxCalls,
    maxCallMs: limits.maxCallMs,
    maxPps: DEFAULT_ECHO_OPTIONS.maxPps,
    maxRtpBytes: DEFAULT_ECHO_OPTIONS.maxRtpBytes,
  });
  const callbacks = new CallbackScheduler(o.clock, o.logger);
  const echoOn = o.echo !== false;
  let stun: CompanionStunServer | null = null;
  const listeners: SipListener[] = [];

  const onMessage = (ctx: SipMessageContext) => {
    const m = ctx.msg;
    if (m.kind === 'response') {
      if (!callbacks.handleResponse(m))
        o.logger.log('debug', 'sip.stray-response', { source: formatEndpoint(ctx.source), status: m.status });
      return;
    }
    switch (m.method) {
      case 'OPTIONS':
        reflect(ctx, o.logger);
        return;
      case 'REGISTER':
        if (reflect(ctx, o.logger)) callbacks.maybeSchedule(ctx);
        return;
      case 'INVITE':
        if (echoOn && !isProbeInvite(ctx)) echo.handle(ctx);
        else reflect(ctx, o.logger);
        return;
      case 'ACK':
      case 'BYE':
      case 'CANCEL':
        if (echoOn) echo.handle(ctx);
        return;
      default: {
        const text = buildResponse(m, 405, 'Method Not Allowed', {
          extra: ['Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, REGISTER'],
        });
        const bytes = fromLatin1(text);
        // a 405 echoes little, but keep the UDP amplification rule anyway
        if (ctx.transport === 'TCP' || bytes.length <= 3 * ctx.bytes.length) void ctx.reply(bytes);
      }
    }
  };

  try {
    if (o.stun !== false) {
      const ips = o.alternateAddress ? [o.address, o.alternateAddress] : [o.address];
      stun = await startCompanionStun({
        network: o.network,
        ips,
        ports: [o.stunPort ?? 3478, o.stunAltPort ?? 3479],
        rateLimiter: stunLimiter,
        logger: o.logger,
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
            limits: DEFAULT_SIP_LIMITS,
            rateLimiter: sipLimiter,
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
    sip: sip.map((s) => `${s.transport} ${formatEndpoint(s.endpoint)}`),
    echo: echoOn,
  });
  return {
    stun: stun?.endpoints ?? [],
    sip,
    stats: () => ({
      stunAnswered: stun?.stats.answered ?? 0,
      stunDropped: stun?.stats.dropped ?? 0,
      sipRefused: sipLimiter.refused,
      stunRefused: stunLimiter.refused,
      sources: sipLimiter.size + stunLimiter.size,
      calls: echo.activeCalls,
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
