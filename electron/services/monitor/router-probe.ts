/**
 * The router part of an interval, through the router service's public `probe`: external IP, UPnP
 * uptime, NAT-PMP/PCP epoch, and whether NatScope's own mappings (the ledger) are still in the
 * router's table. After the first discovery the IGD's description URL is reused, so later
 * intervals skip SSDP; if the IGD stops answering there, the next interval searches again.
 */
import type { ProgressEvent } from '../../../shared/contracts/common.ts';
import type { MonitorSample } from '../../../shared/contracts/monitor.ts';
import type { RouterReport } from '../../../shared/contracts/router.ts';
import type { CallContext } from '../call-context.ts';

type RouterSample = NonNullable<MonitorSample['router']>;

export interface RouterProber {
  probe(
    input: { igdLocation?: string; listMappings?: boolean },
    ctx: CallContext<ProgressEvent>,
  ): Promise<RouterReport>;
}

export class RouterProbe {
  private igdLocation: string | undefined;
  /** List the UPnP table only while NatScope has UPnP mappings to look for (first interval: yes). */
  private listTable = true;
  private readonly router: RouterProber;

  constructor(router: RouterProber) {
    this.router = router;
  }

  async run(signal: AbortSignal): Promise<RouterSample> {
    let r: RouterReport;
    try {
      r = await this.router.probe(
        { igdLocation: this.igdLocation, listMappings: this.listTable },
        { signal, emit: () => {} },
      );
    } catch (err) {
      if (signal.aborted) throw err;
      this.igdLocation = undefined;
      return {
        externalIp: null,
        upnp: false,
        natpmp: false,
        uptimeSeconds: null,
        epochSeconds: null,
        ownMappings: [],
        error: (err as Error).message,
      };
    }
    this.igdLocation = r.upnp.found ? (r.upnp.location ?? undefined) : undefined;
    const listed = this.listTable && r.upnp.found && r.upnp.mappingsError === null;
    const inTable = new Set(r.upnp.mappings.map((m) => m.ledgerId).filter((id) => id !== null));
    const own = r.ownMappings.filter((m) => m.ledgerId !== null);
    this.listTable = own.some((m) => m.via === 'upnp');
    return {
      externalIp: r.upnp.externalIp ?? r.natpmp.externalIp ?? r.pcp.externalIp,
      upnp: r.upnp.found,
      natpmp: r.natpmp.supported,
      uptimeSeconds: r.upnp.uptimeSeconds,
      epochSeconds: r.natpmp.epoch ?? r.pcp.epoch,
      ownMappings: own.map((m) => ({
        id: m.ledgerId!,
        via: m.via,
        protocol: m.protocol,
        externalPort: m.externalPort,
        internalPort: m.internalPort,
        present: m.via === 'upnp' && listed ? inTable.has(m.ledgerId!) : null,
      })),
      error:
        r.upnp.found || r.natpmp.supported || r.pcp.supported ? null : 'no UPnP IGD, NAT-PMP or PCP answered',
    };
  }
}
