/**
 * NAT-PMP (RFC 6886) as a PortMapper: external address (§3.2), map and unmap (§3.3, §3.4) over
 * natpmp-client.ts, reboot detection from the epoch (§3.6, one tracker per gateway). NAT-PMP maps
 * only for the computer that asks, identifies a mapping by its internal port, enforces leases
 * itself and cannot list the table.
 */
import { NatScopeError } from '../../../shared/contracts/errors.ts';
import type { NatPmpReport } from '../../../shared/contracts/router.ts';
import { classifyReportedAddress } from '../../../shared/model/address-class.ts';
import { describeCode, isDoubleNatRefusal } from '../../../shared/model/router-errors.ts';
import type { LedgerEntry } from '../mappings/ledger.ts';
import type * as Mapper from '../mappings/port-mapper.ts';
import { EpochTracker } from './epoch.ts';
import {
  natpmpExternalAddress,
  natpmpMap,
  natpmpUnmap,
  NatPmpResultError,
  type GatewayContext,
} from './natpmp-client.ts';
import { NatPmpDecodeError } from './natpmp-codec.ts';

/** What NAT-PMP and PCP share: the gateway maps for the asking computer only, keyed by internal port. */
export const GATEWAY_PROTOCOL = {
  listsTable: false,
  mapsForOtherHosts: false,
  keyedBy: 'internal-port',
  gatewayEnforcesLease: true,
  needsGateway: true,
} as const;

/** Epoch trackers per gateway, so a reboot between two answers is noticed (RFC 6886 §3.6). */
export class GatewayEpochs {
  private readonly byGateway = new Map<string, EpochTracker>();
  of(gateway: string): EpochTracker {
    let t = this.byGateway.get(gateway);
    if (!t) this.byGateway.set(gateway, (t = new EpochTracker()));
    return t;
  }
}

/** The context NAT-PMP and PCP requests run in; refuses plainly without a gateway. */
export function gatewayContext(
  env: Mapper.MapperEnv,
  site: Pick<Mapper.MapperSite, 'gateway' | 'localAddress'>,
  epochs: GatewayEpochs,
  signal?: AbortSignal,
): GatewayContext {
  if (!site.gateway)
    throw new NatScopeError('unreachable', 'no IPv4 default gateway: pass a gateway address');
  return {
    network: env.network,
    clock: env.clock,
    gateway: site.gateway,
    localAddress: site.localAddress ?? undefined,
    retry: env.retry,
    signal,
    epochs: epochs.of(site.gateway),
  };
}

/** NAT-PMP and PCP mappings can only be asked for by the computer they map to (its own address). */
export function ownerSite(e: LedgerEntry): Mapper.MapperSite {
  return { gateway: e.gateway, localAddress: e.internalClient, lanAddresses: [] };
}

export class NatPmpMapper implements Mapper.PortMapper<'natpmp'> {
  readonly via = 'natpmp';
  readonly capabilities = { ...GATEWAY_PROTOCOL, needsLocalAddress: false };
  private readonly env: Mapper.MapperEnv;
  private readonly epochs = new GatewayEpochs();

  constructor(env: Mapper.MapperEnv) {
    this.env = env;
  }

  private ctx(
    site: Pick<Mapper.MapperSite, 'gateway' | 'localAddress'>,
    signal?: AbortSignal,
  ): GatewayContext {
    return gatewayContext(this.env, site, this.epochs, signal);
  }

  notAsked(site: Mapper.MapperSite): NatPmpReport {
    return {
      supported: false,
      gateway: site.gateway,
      externalIp: null,
      externalIpClass: null,
      epoch: null,
      epochReset: false,
      resultCode: null,
      error: 'not asked',
    };
  }

  async probe(site: Mapper.MapperSite, o: Mapper.ProbeOptions): Promise<Mapper.Probed<NatPmpReport>> {
    const r: NatPmpReport = { ...this.notAsked(site), error: null };
    try {
      const a = await natpmpExternalAddress(this.ctx(site, o.signal));
      Object.assign(r, {
        supported: true,
        externalIp: a.externalIp,
        externalIpClass: classifyReportedAddress(a.externalIp),
        epoch: a.epoch,
        epochReset: a.epochReset,
      });
    } catch (err) {
      if (o.signal.aborted) throw err;
      if (err instanceof NatPmpResultError) {
        // The gateway speaks NAT-PMP but has no external address for us (e.g. result 3).
        r.supported = err.code !== 1 && err.code !== 5;
        const info = describeCode('natpmp', err.code);
        r.resultCode = { via: 'natpmp', code: err.code, name: info.name, meaning: info.meaning };
        if (isDoubleNatRefusal('natpmp', err.code)) o.noteRefusal(err.code);
      }
      r.error = (err as Error).message;
    }
    return probedGateway(r);
  }

  async externalAddress(site: Mapper.MapperSite, signal?: AbortSignal): Promise<string | null> {
    return natpmpExternalAddress(this.ctx(site, signal)).then(
      (a) => a.externalIp,
      () => null,
    );
  }

  async add(r: Mapper.AddRequest): Promise<LedgerEntry> {
    const { entry, notes } = r;
    const ctx = this.ctx(r.site, r.signal);
    const m = await natpmpMap(ctx, {
      protocol: entry.protocol,
      internalPort: entry.internalPort,
      suggestedExternalPort: entry.externalPort,
      lifetimeSeconds: r.leaseSeconds,
    });
    if (m.epochReset)
      notes.push('The gateway restarted since NatScope last asked (NAT-PMP epoch went back).');
    const made = await grantedByGateway(r, { ...m, externalIp: entry.externalIp }, this.env.wallNow, () =>
      natpmpUnmap(ctx, { protocol: entry.protocol, internalPort: entry.internalPort }),
    );
    made.externalIp = await this.externalAddress(r.site, r.signal);
    return made;
  }

  async removeOwn(e: LedgerEntry, signal?: AbortSignal): Promise<'removed'> {
    await natpmpUnmap(this.ctx(ownerSite(e), signal), { protocol: e.protocol, internalPort: e.internalPort });
    return 'removed';
  }

  async removeForeign(q: Mapper.PickedMapping, site: Mapper.MapperSite, signal?: AbortSignal): Promise<void> {
    const internalPort = needInternalPort(q, 'natpmp');
    await natpmpUnmap(this.ctx(site, signal), { protocol: q.protocol, internalPort });
  }

  classify(err: unknown): Mapper.MapperFailure | null {
    if (err instanceof NatPmpResultError)
      return { kind: 'refused', code: err.code, notSupported: err.code === 1 || err.code === 5 };
    if (err instanceof NatPmpDecodeError)
      return { kind: 'error', code: 'malformed-response', message: err.message };
    return null;
  }
}

/** A NAT-PMP or PCP report as a probe result. */
export function probedGateway<
  R extends { supported: boolean; externalIp: string | null; epochReset: boolean },
>(r: R): Mapper.Probed<R> {
  return { report: r, supported: r.supported, externalIp: r.externalIp, epochReset: r.epochReset };
}

/**
 * A NAT-PMP or PCP answer as the ledger records it. The gateway may map another external port than
 * asked (RFC 6886 §3.3, RFC 6887 §11.4): that is undone and refused unless any port is fine.
 */
export async function grantedByGateway(
  r: Mapper.AddRequest,
  m: { externalPort: number; externalIp: string | null; lifetimeSeconds: number },
  wallNow: () => number,
  undo: () => Promise<void>,
): Promise<LedgerEntry> {
  const made: LedgerEntry = {
    ...r.entry,
    externalPort: m.externalPort,
    externalIp: m.externalIp,
    leaseSeconds: m.lifetimeSeconds,
    expiresAt: wallNow() + m.lifetimeSeconds * 1000,
    state: 'active',
  };
  if (m.externalPort !== r.externalPort) {
    if (!r.anyExternalPort) {
      await undo().catch(() => {});
      throw new NatScopeError(
        'refused',
        `the gateway offered external port ${m.externalPort} instead of ${r.externalPort} (taken?); removed again — allow any external port to accept it`,
      );
    }
    r.notes.push(`The gateway assigned external port ${m.externalPort} instead of ${r.externalPort}.`);
  }
  return made;
}

/** NAT-PMP and PCP delete by internal port. */
export function needInternalPort(q: { internalPort?: number }, via: string): number {
  if (q.internalPort === undefined)
    throw new NatScopeError('bad-request', `${via} deletes by internal port: give internalPort`);
  return q.internalPort;
}
