/**
 * NAT-PMP client (RFC 6886): external address (§3.2), map and unmap UDP/TCP (§3.3, §3.4: a
 * mapping is deleted with lifetime 0 and external port 0), retransmission (§3.1, see transact.ts),
 * epoch tracking for reboot detection (§3.6).
 */
import type { Clock } from '../clock/clock.ts';
import type { Network, UdpSocket } from '../net/network.ts';
import { describeCode } from '../../../shared/model/router-errors.ts';
import type { EpochTracker } from './epoch.ts';
import {
  decodeExternalAddressResponse,
  decodeMapResponse,
  encodeExternalAddressRequest,
  encodeMapRequest,
  NATPMP_PORT,
} from './natpmp-codec.ts';
import { transact, type RetryPolicy } from './transact.ts';

export interface GatewayContext {
  network: Network;
  clock: Clock;
  gateway: string;
  /** Local address to send from (this computer's address towards the gateway). */
  localAddress?: string;
  retry?: RetryPolicy;
  signal?: AbortSignal;
  epochs?: EpochTracker;
}

/** The gateway answered with a non-zero result code. */
export class NatPmpResultError extends Error {
  readonly code: number;
  readonly codeName: string;
  constructor(what: string, code: number) {
    const info = describeCode('natpmp', code);
    super(`NAT-PMP result ${code} ${info.name} on ${what}`);
    this.name = 'NatPmpResultError';
    this.code = code;
    this.codeName = info.name;
  }
}

export async function withSocket<T>(ctx: GatewayContext, fn: (s: UdpSocket) => Promise<T>): Promise<T> {
  const socket = await ctx.network.bindUdp({ address: ctx.localAddress, family: 4 });
  try {
    return await fn(socket);
  } finally {
    await socket.close();
  }
}

export interface NatPmpEpochInfo {
  epoch: number;
  epochReset: boolean;
}

export async function natpmpExternalAddress(
  ctx: GatewayContext,
): Promise<{ externalIp: string } & NatPmpEpochInfo> {
  const res = await withSocket(ctx, (socket) =>
    transact({
      socket,
      to: { address: ctx.gateway, port: NATPMP_PORT },
      request: encodeExternalAddressRequest(),
      accept: (d) => decodeExternalAddressResponse(d),
      clock: ctx.clock,
      retry: ctx.retry,
      signal: ctx.signal,
      what: 'NAT-PMP external address',
    }),
  );
  const epochReset = ctx.epochs?.observe(res.epoch, ctx.clock.now()) ?? false;
  if (res.resultCode !== 0) throw new NatPmpResultError('external address', res.resultCode);
  return { externalIp: res.externalIp, epoch: res.epoch, epochReset };
}

export interface NatPmpMapping extends NatPmpEpochInfo {
  protocol: 'udp' | 'tcp';
  internalPort: number;
  externalPort: number;
  lifetimeSeconds: number;
}

export async function natpmpMap(
  ctx: GatewayContext,
  r: {
    protocol: 'udp' | 'tcp';
    internalPort: number;
    suggestedExternalPort: number;
    lifetimeSeconds: number;
  },
): Promise<NatPmpMapping> {
  const res = await withSocket(ctx, (socket) =>
    transact({
      socket,
      to: { address: ctx.gateway, port: NATPMP_PORT },
      request: encodeMapRequest(r),
      accept: (d) => {
        const m = decodeMapResponse(d, r.protocol);
        // Another request's answer (different internal port) is ignored, not an error.
        return m.resultCode !== 0 || m.internalPort === r.internalPort ? m : undefined;
      },
      clock: ctx.clock,
      retry: ctx.retry,
      signal: ctx.signal,
      what: `NAT-PMP map ${r.protocol.toUpperCase()} ${r.internalPort}`,
    }),
  );
  const epochReset = ctx.epochs?.observe(res.epoch, ctx.clock.now()) ?? false;
  if (res.resultCode !== 0)
    throw new NatPmpResultError(r.lifetimeSeconds === 0 ? 'unmap' : 'map', res.resultCode);
  return {
    protocol: r.protocol,
    internalPort: res.internalPort,
    externalPort: res.externalPort,
    lifetimeSeconds: res.lifetimeSeconds,
    epoch: res.epoch,
    epochReset,
  };
}

/** Deletes this computer's mapping of `internalPort` (§3.4: lifetime 0, suggested external port 0). */
export async function natpmpUnmap(
  ctx: GatewayContext,
  r: { protocol: 'udp' | 'tcp'; internalPort: number },
): Promise<void> {
  await natpmpMap(ctx, {
    protocol: r.protocol,
    internalPort: r.internalPort,
    suggestedExternalPort: 0,
    lifetimeSeconds: 0,
  });
}
