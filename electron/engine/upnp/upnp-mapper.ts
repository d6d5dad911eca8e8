/**
 * UPnP IGD as a PortMapper: finds the Internet Gateway Device (SSDP + description, discover-igd.ts;
 * cached for a minute), reads its table (port-listing.ts), adds (upnp-add.ts) and deletes
 * mappings over SOAP (igd-client.ts). The only protocol here that can list the router's whole table
 * and map ports for another LAN host.
 */
import { NatScopeError } from '../../../shared/contracts/errors.ts';
import type { UpnpReport } from '../../../shared/contracts/router.ts';
import type { LedgerEntry } from '../mappings/ledger.ts';
import type * as Mapper from '../mappings/port-mapper.ts';
import { discoverIgd, type IgdDiscovery, type IgdFound } from './discover-igd.ts';
import {
  deletePortMapping,
  getConnectionTypeInfo,
  getExternalIpAddress,
  getSpecificPortMappingEntry,
  UpnpActionError,
  UpnpProtocolError,
  type IgdContext,
  type IgdService,
} from './igd-client.ts';
import { listAllPortMappings } from './port-listing.ts';
import { addUpnpMapping } from './upnp-add.ts';
import { notAskedUpnp, reportOfDiscovery, setExternalIp, tableRow } from './upnp-report.ts';

const IGD_CACHE_MS = 60_000;

export class UpnpMapper implements Mapper.PortMapper<'upnp'> {
  readonly via = 'upnp';
  readonly capabilities = {
    listsTable: true,
    mapsForOtherHosts: true,
    keyedBy: 'external-port',
    gatewayEnforcesLease: false, // some routers make a leased mapping permanent
    needsGateway: false,
    needsLocalAddress: false,
  } as const;
  private readonly env: Mapper.MapperEnv;
  private cache: { key: string; at: number; discovery: IgdDiscovery } | null = null;

  constructor(env: Mapper.MapperEnv) {
    this.env = env;
  }

  private ctx(signal?: AbortSignal): IgdContext {
    return {
      network: this.env.network,
      clock: this.env.clock,
      timeoutMs: this.env.httpTimeoutMs ?? 3000,
      signal,
    };
  }

  private async discover(
    site: Mapper.MapperSite,
    signal?: AbortSignal,
    fresh = false,
  ): Promise<IgdDiscovery> {
    const { clock } = this.env;
    const key = `${site.gateway}|${site.igdLocation ?? ''}`;
    const c = this.cache;
    if (!fresh && c && c.key === key && clock.now() - c.at < IGD_CACHE_MS) return c.discovery;
    const d = await discoverIgd({
      network: this.env.network,
      clock,
      localAddresses: site.lanAddresses,
      gateway: site.gateway,
      location: site.igdLocation ? new URL(site.igdLocation) : undefined,
      ssdpTimeoutMs: this.env.ssdpTimeoutMs,
      httpTimeoutMs: this.env.httpTimeoutMs,
      signal,
    });
    if (d.igd) this.cache = { key, at: clock.now(), discovery: d };
    return d;
  }

  private async requireIgd(site: Mapper.MapperSite, signal?: AbortSignal): Promise<IgdFound> {
    const d = await this.discover(site, signal);
    if (!d.igd) {
      throw new NatScopeError(
        'unreachable',
        'no UPnP Internet Gateway Device answered on the LAN (UPnP off on the router?)',
        { errors: d.errors.slice(0, 20) },
      );
    }
    return d.igd;
  }

  notAsked(): UpnpReport {
    return notAskedUpnp();
  }

  async probe(site: Mapper.MapperSite, o: Mapper.ProbeOptions): Promise<Mapper.Probed<UpnpReport>> {
    const { signal } = o;
    const d = await this.discover(site, signal, true);
    const report = reportOfDiscovery(d);
    const done = (): Mapper.Probed<UpnpReport> => ({
      report,
      supported: report.found,
      externalIp: report.externalIp,
      epochReset: false,
    });
    if (!d.igd) return done();
    const svc = d.igd.chosen.service;
    const ctx = this.ctx(signal);
    try {
      setExternalIp(report, (await getExternalIpAddress(ctx, svc)) || null);
    } catch (err) {
      if (signal.aborted) throw err;
      report.errors.push(`GetExternalIPAddress: ${(err as Error).message}`);
    }
    try {
      const t = await getConnectionTypeInfo(ctx, svc);
      report.connectionType = t.connectionType;
      report.possibleConnectionTypes = t.possibleConnectionTypes;
    } catch (err) {
      if (signal.aborted) throw err;
      report.errors.push(`GetConnectionTypeInfo: ${(err as Error).message}`);
    }
    if (o.listMappings) {
      const l = await listAllPortMappings(ctx, svc, { budgetMs: o.listBudgetMs });
      const host = d.igd.location.hostname;
      report.mappings = l.entries.map((m) => tableRow(m, o.own, host, report.externalIp));
      report.mappingsError = l.error?.message ?? null;
      report.mappingsMethod = l.method;
      report.mappingsPartial = l.partial !== null;
      report.mappingsPartialReason = l.partial;
    }
    return done();
  }

  async externalAddress(site: Mapper.MapperSite, signal?: AbortSignal): Promise<string | null> {
    const igd = await this.requireIgd(site, signal);
    return (await getExternalIpAddress(this.ctx(signal), igd.chosen.service).catch(() => null)) || null;
  }

  async list(
    site: Mapper.MapperSite,
    own: LedgerEntry[],
    { budgetMs, signal }: { budgetMs: number; signal?: AbortSignal },
  ): Promise<Mapper.MapperListing> {
    const igd = await this.requireIgd(site, signal);
    const ctx = this.ctx(signal);
    const externalIp = await this.externalAddress(site, signal);
    const l = await listAllPortMappings(ctx, igd.chosen.service, { budgetMs });
    return {
      mappings: l.entries.map((m) => tableRow(m, own, igd.location.hostname, externalIp)),
      error: l.error?.message ?? null,
      method: l.method,
      partial: l.partial,
    };
  }

  /** Records which IGD and service the mapping is made on (cleanup after a crash goes there). */
  async prepare(entry: LedgerEntry, site: Mapper.MapperSite, signal: AbortSignal): Promise<void> {
    const igd = await this.requireIgd(site, signal);
    entry.gateway = igd.location.hostname;
    entry.upnp = {
      controlUrl: igd.chosen.service.controlUrl.href,
      serviceType: igd.chosen.service.serviceType,
    };
  }

  async add(r: Parameters<Mapper.PortMapper['add']>[0]): Promise<LedgerEntry> {
    const igd = await this.requireIgd(r.site, r.signal);
    return addUpnpMapping(this.ctx(r.signal), igd, r, this.env.wallNow);
  }

  async removeOwn(e: LedgerEntry, signal?: AbortSignal): Promise<'removed' | 'absent' | 'not-ours'> {
    if (!e.upnp) return 'absent';
    const s: IgdService = { serviceType: e.upnp.serviceType, controlUrl: new URL(e.upnp.controlUrl) };
    const q = { protocol: e.protocol, externalPort: e.externalPort };
    const cur = await getSpecificPortMappingEntry(this.ctx(signal), s, q);
    if (!cur) return 'absent';
    if (
      cur.internalClient !== e.internalClient ||
      cur.internalPort !== e.internalPort ||
      cur.description !== e.description
    )
      return 'not-ours';
    await deletePortMapping(this.ctx(signal), s, q);
    return 'removed';
  }

  async removeForeign(q: Mapper.PickedMapping, site: Mapper.MapperSite, signal?: AbortSignal): Promise<void> {
    const igd = await this.requireIgd(site, signal);
    await deletePortMapping(this.ctx(signal), igd.chosen.service, {
      protocol: q.protocol,
      externalPort: q.externalPort,
    });
  }

  classify(err: unknown): Mapper.MapperFailure | null {
    if (err instanceof UpnpActionError) return { kind: 'refused', code: err.code, notSupported: false };
    if (err instanceof UpnpProtocolError)
      return {
        kind: 'error',
        code: err.kind === 'malformed' ? 'malformed-response' : err.kind,
        message: err.message,
      };
    return null;
  }
}
