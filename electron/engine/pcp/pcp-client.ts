/**
 * PCP client (RFC 6887): ANNOUNCE (§14.1) to detect support and read the epoch, MAP (§11) with
 * a 96-bit nonce — refresh and delete (lifetime 0, §15) must reuse the creating nonce — and the
 * external address taken from the MAP answer. A NAT-PMP-only gateway answers with a version-0
 * "unsupported version", reported as `PcpVersionMismatch` so the caller falls back to NAT-PMP (§9).
 */
import { describeCode } from '../../../shared/model/router-errors.ts';
import { NATPMP_PORT } from '../natpmp/natpmp-codec.ts';
import { withSocket, type GatewayContext } from '../natpmp/natpmp-client.ts';
import {
  decodeResponse,
  encodeAnnounce,
  PcpDecodeError,
  encodeMapRequest,
  OP_ANNOUNCE,
  OP_MAP,
  PCP_VERSION,
  type PcpResponse,
} from './pcp-codec.ts';
import { transact } from '../natpmp/transact.ts';

export const PCP_PORT = NATPMP_PORT;

export class PcpResultError extends Error {
  readonly code: number;
  readonly codeName: string;
  constructor(what: string, code: number) {
    const info = describeCode('pcp', code);
    super(`PCP result ${code} ${info.name} on ${what}`);
    this.name = 'PcpResultError';
    this.code = code;
    this.codeName = info.name;
  }
}

/** The server does not speak PCP version 2 (NAT-PMP only, or another PCP version). */
export class PcpVersionMismatch extends Error {
  readonly serverVersion: number;
  constructor(serverVersion: number) {
    super(
      serverVersion === 0
        ? 'the gateway speaks NAT-PMP only (answered PCP with version 0)'
        : `the gateway speaks PCP version ${serverVersion}, not 2`,
    );
    this.name = 'PcpVersionMismatch';
    this.serverVersion = serverVersion;
  }
}

export interface PcpContext extends GatewayContext {
  /** This computer's address as the PCP client address (must be the packet's source, §8.1). */
  localAddress: string;
}

async function request(
  ctx: PcpContext,
  packet: Uint8Array,
  opcode: number,
  what: string,
  nonce?: Uint8Array,
): Promise<PcpResponse & { epochReset: boolean }> {
  const res = await withSocket(ctx, (socket) =>
    transact({
      socket,
      to: { address: ctx.gateway, port: PCP_PORT },
      request: packet,
      accept: (d) => {
        const r = decodeResponse(d);
        if (r.version !== PCP_VERSION) return r;
        if (r.opcode !== opcode) return undefined;
        // A MAP answer for another nonce belongs to another request (§11.4): ignore it.
        if (nonce && r.map && !equalBytes(r.map.nonce, nonce)) return undefined;
        return r;
      },
      clock: ctx.clock,
      retry: ctx.retry,
      signal: ctx.signal,
      what,
    }),
  );
  if (res.version !== PCP_VERSION) throw new PcpVersionMismatch(res.version);
  const epochReset = ctx.epochs?.observe(res.epoch, ctx.clock.now()) ?? false;
  return { ...res, epochReset };
}

export async function pcpAnnounce(
  ctx: PcpContext,
): Promise<{ epoch: number; epochReset: boolean; resultCode: number }> {
  const r = await request(ctx, encodeAnnounce(ctx.localAddress), OP_ANNOUNCE, 'PCP ANNOUNCE');
  // ANNOUNCE answers SUCCESS; UNSUPP_OPCODE still proves a PCP server is there.
  return { epoch: r.epoch, epochReset: r.epochReset, resultCode: r.resultCode };
}

export interface PcpMapping {
  protocol: 'udp' | 'tcp';
  internalPort: number;
  externalPort: number;
  externalIp: string;
  lifetimeSeconds: number;
  epoch: number;
  epochReset: boolean;
  nonce: Uint8Array;
}

export async function pcpMap(
  ctx: PcpContext,
  r: {
    nonce: Uint8Array;
    protocol: 'udp' | 'tcp';
    internalPort: number;
    suggestedExternalPort: number;
    lifetimeSeconds: number;
  },
): Promise<PcpMapping> {
  const what = `PCP MAP ${r.protocol.toUpperCase()} ${r.internalPort}${r.lifetimeSeconds === 0 ? ' (delete)' : ''}`;
  const res = await request(
    ctx,
    encodeMapRequest({ clientIp: ctx.localAddress, ...r }),
    OP_MAP,
    what,
    r.nonce,
  );
  if (res.resultCode !== 0) throw new PcpResultError(what, res.resultCode);
  if (!res.map) throw new PcpDecodeError(`${what}: SUCCESS answer without MAP data`);
  return {
    protocol: r.protocol,
    internalPort: res.map.internalPort,
    externalPort: res.map.externalPort,
    externalIp: res.map.externalIp,
    lifetimeSeconds: res.lifetimeSeconds,
    epoch: res.epoch,
    epochReset: res.epochReset,
    nonce: r.nonce,
  };
}

/** Deletes a mapping: MAP with lifetime 0 and the creating nonce (§15). */
export async function pcpDelete(
  ctx: PcpContext,
  r: { nonce: Uint8Array; protocol: 'udp' | 'tcp'; internalPort: number },
): Promise<void> {
  await pcpMap(ctx, { ...r, suggestedExternalPort: 0, lifetimeSeconds: 0 });
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
