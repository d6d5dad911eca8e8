/**
 * PCP (RFC 6887) as a PortMapper: ANNOUNCE to find the server (§14.1), MAP with a 96-bit nonce that
 * renewal and delete must reuse (§11, §15), the external address learnt from a MAP answer (PCP has
 * no "get external address"). A NAT-PMP-only gateway answers version 0: the add falls back to
 * NAT-PMP (§9) and the ledger entry becomes a NAT-PMP one.
 */
import { randomBytes } from 'node:crypto';
import { NatScopeError } from '../../../shared/contracts/errors.ts';
import type { PcpReport } from '../../../shared/contracts/router.ts';
import { describeCode } from '../../../shared/model/router-errors.ts';
import type { LedgerEntry } from '../mappings/ledger.ts';
import type * as Mapper from '../mappings/port-mapper.ts';
import {
  GATEWAY_PROTOCOL,
  gatewayContext,
  GatewayEpochs,
  needInternalPort,
  grantedByGateway,
  ownerSite,
  probedGateway,
  type NatPmpMapper,
} from '../natpmp/natpmp-mapper.ts';
import {
  pcpAnnounce,
  pcpDelete,
  pcpMap,
  PcpResultError,
  PcpVersionMismatch,
  type PcpContext,
} from './pcp-client.ts';
import { PcpDecodeError } from './pcp-codec.ts';

export class PcpMapper implements Mapper.PortMapper<'pcp'> {
  readonly via = 'pcp';
  readonly capabilities = { ...GATEWAY_PROTOCOL, needsLocalAddress: true };
  private readonly env: Mapper.MapperEnv;
  private readonly natpmp: NatPmpMapper;
  private readonly epochs = new GatewayEpochs();
  /** Learnt from the last MAP answer. */
  private externalIp: string | null = null;

  /** `natpmp` takes over on a NAT-PMP-only gateway. */
  constructor(env: Mapper.MapperEnv, natpmp: NatPmpMapper) {
    this.env = env;
    this.natpmp = natpmp;
  }

  private ctx(site: Pick<Mapper.MapperSite, 'gateway' | 'localAddress'>, signal?: AbortSignal): PcpContext {
    const g = gatewayContext(this.env, site, this.epochs, signal);
    if (!site.localAddress)
      throw new NatScopeError('unreachable', 'cannot tell this computer’s address towards the gateway');
    return { ...g, localAddress: site.localAddress };
  }

  notAsked(site: Mapper.MapperSite): PcpReport {
    return {
      supported: false,
      gateway: site.gateway,
      externalIp: null,
      epoch: null,
      epochReset: false,
      natPmpOnly: false,
      resultCode: null,
      error: 'not asked',
    };
  }

  async probe(site: Mapper.MapperSite, o: Mapper.ProbeOptions): Promise<Mapper.Probed<PcpReport>> {
    const r: PcpReport = { ...this.notAsked(site), externalIp: this.externalIp, error: null };
    try {
      const a = await pcpAnnounce(this.ctx(site, o.signal));
      r.supported = true;
      r.epoch = a.epoch;
      r.epochReset = a.epochReset;
      if (a.resultCode !== 0) {
        const info = describeCode('pcp', a.resultCode);
        r.resultCode = { via: 'pcp', code: a.resultCode, name: info.name, meaning: info.meaning };
      }
    } catch (err) {
      if (o.signal.aborted) throw err;
      if (err instanceof PcpVersionMismatch) r.natPmpOnly = err.serverVersion === 0;
      r.error = (err as Error).message;
    }
    return probedGateway(r);
  }

  async externalAddress(): Promise<string | null> {
    return this.externalIp;
  }

  /** A new mapping gets its nonce here, so the ledger holds it before the gateway is asked. */
  async prepare(entry: LedgerEntry): Promise<void> {
    entry.pcpNonce ??= randomBytes(12).toString('hex');
  }

  async add(r: Mapper.AddRequest): Promise<LedgerEntry> {
    const { entry, notes } = r;
    const nonce = Buffer.from(entry.pcpNonce!, 'hex');
    const ctx = this.ctx(r.site, r.signal);
    let m;
    try {
      m = await pcpMap(ctx, {
        nonce,
        protocol: entry.protocol,
        internalPort: entry.internalPort,
        suggestedExternalPort: entry.externalPort,
        lifetimeSeconds: r.leaseSeconds,
      });
    } catch (err) {
      if (err instanceof PcpVersionMismatch && err.serverVersion === 0) {
        // RFC 6887 §9: a NAT-PMP-only gateway — fall back to NAT-PMP.
        notes.push(
          'The gateway speaks NAT-PMP only (answered PCP with version 0); NAT-PMP was used instead.',
        );
        await r.patch({ via: 'natpmp', pcpNonce: undefined });
        return this.natpmp.add({ ...r, entry: { ...entry, via: 'natpmp', pcpNonce: undefined } });
      }
      throw err;
    }
    if (m.epochReset) notes.push('The gateway restarted since NatScope last asked (PCP epoch went back).');
    this.externalIp = m.externalIp;
    return grantedByGateway(r, m, this.env.wallNow, () =>
      pcpDelete(ctx, { nonce, protocol: entry.protocol, internalPort: entry.internalPort }),
    );
  }

  async removeOwn(e: LedgerEntry, signal?: AbortSignal): Promise<'removed' | 'absent'> {
    if (!e.pcpNonce) return 'absent';
    await pcpDelete(this.ctx(ownerSite(e), signal), {
      nonce: Buffer.from(e.pcpNonce, 'hex'),
      protocol: e.protocol,
      internalPort: e.internalPort,
    });
    return 'removed';
  }

  async removeForeign(q: Mapper.PickedMapping, site: Mapper.MapperSite, signal?: AbortSignal): Promise<void> {
    const internalPort = needInternalPort(q, 'pcp');
    // Without the creating nonce the server will normally refuse (NOT_AUTHORIZED), which is reported.
    await pcpDelete(this.ctx(site, signal), { nonce: randomBytes(12), protocol: q.protocol, internalPort });
  }

  classify(err: unknown): Mapper.MapperFailure | null {
    if (err instanceof PcpResultError)
      return { kind: 'refused', code: err.code, notSupported: err.code === 1 || err.code === 4 };
    if (err instanceof PcpVersionMismatch)
      return { kind: 'error', code: 'not-supported', message: err.message };
    if (err instanceof PcpDecodeError)
      return { kind: 'error', code: 'malformed-response', message: err.message };
    return null;
  }
}
