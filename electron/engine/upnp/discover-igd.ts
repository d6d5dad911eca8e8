/**
 * Finds the Internet Gateway Device: SSDP answers (or a given LOCATION) → device description →
 * every WAN*Connection service → GetStatusInfo on each; the first "Connected" one is chosen
 * (IGD:2 WANIPConnection:2 preferred when several are connected). Malformed or hostile answers
 * are reported in `errors`, never thrown.
 */
import type { Clock } from '../clock/clock.ts';
import type { Network } from '../net/network.ts';
import {
  parseDeviceDescription,
  isWanConnectionService,
  serviceVersion,
  type DeviceDescription,
} from './device-description.ts';
import { httpRequest } from './http.ts';
import { getStatusInfo, type IgdService, type StatusInfo } from './igd-client.ts';
import { isIgdAnswer, ssdpSearch, type SsdpAnswerRecord } from './ssdp.ts';

export interface WanServiceProbe {
  service: IgdService;
  status: StatusInfo | null;
  error: string | null;
}

export interface IgdFound {
  location: URL;
  description: DeviceDescription;
  /** SERVER header of the SSDP answer that led here. */
  server: string | null;
  services: WanServiceProbe[];
  chosen: WanServiceProbe;
}

export interface IgdDiscovery {
  igd: IgdFound | null;
  ssdp: SsdpAnswerRecord[];
  errors: string[];
}

export interface DiscoverOptions {
  network: Network;
  clock: Clock;
  localAddresses: string[];
  gateway?: string | null;
  /** Skip SSDP: use this description URL. */
  location?: URL;
  ssdpTimeoutMs?: number;
  httpTimeoutMs?: number;
  signal?: AbortSignal;
}

const MAX_DESCRIPTION_BYTES = 256 * 1024;
const MAX_LOCATIONS = 8;

export async function discoverIgd(opts: DiscoverOptions): Promise<IgdDiscovery> {
  const errors: string[] = [];
  let ssdp: SsdpAnswerRecord[] = [];
  const candidates: { url: URL; server: string | null }[] = [];
  if (opts.location) {
    candidates.push({ url: opts.location, server: null });
  } else {
    const found = await ssdpSearch({
      network: opts.network,
      clock: opts.clock,
      localAddresses: opts.localAddresses,
      unicastTo: opts.gateway ?? undefined,
      timeoutMs: opts.ssdpTimeoutMs,
      signal: opts.signal,
    });
    ssdp = found.answers;
    errors.push(...found.errors);
    for (const a of ssdp)
      if (a.rejected) errors.push(`SSDP answer from ${a.from.address} ignored: ${a.rejected}`);
    // IGD answers first, then other root devices; the gateway's own answers before other hosts'.
    const usable = ssdp.filter((a) => a.url).sort((x, y) => rank(y, opts.gateway) - rank(x, opts.gateway));
    for (const a of usable) {
      if (!candidates.some((c) => c.url.href === a.url!.href))
        candidates.push({ url: a.url!, server: a.server });
    }
  }
  const ctx = {
    network: opts.network,
    clock: opts.clock,
    timeoutMs: opts.httpTimeoutMs ?? 3000,
    signal: opts.signal,
  };
  for (const cand of candidates.slice(0, MAX_LOCATIONS)) {
    opts.signal?.throwIfAborted();
    let description: DeviceDescription;
    try {
      const res = await httpRequest(opts.network, opts.clock, {
        method: 'GET',
        url: cand.url,
        timeoutMs: ctx.timeoutMs,
        maxBodyBytes: MAX_DESCRIPTION_BYTES,
        signal: opts.signal,
      });
      if (res.status !== 200) throw new Error(`HTTP ${res.status} ${res.reason}`);
      description = parseDeviceDescription(res.body, cand.url);
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      errors.push(`device description ${cand.url.href}: ${err instanceof Error ? err.message : String(err)}`);
      continue;
    }
    errors.push(...description.warnings.map((w) => `${cand.url.href}: ${w}`));
    const wan = description.services.filter((s) => isWanConnectionService(s.serviceType));
    if (wan.length === 0) continue;
    const services: WanServiceProbe[] = [];
    for (const s of wan) {
      const service = { serviceType: s.serviceType, controlUrl: s.controlUrl };
      try {
        services.push({ service, status: await getStatusInfo(ctx, service), error: null });
      } catch (err) {
        if (opts.signal?.aborted) throw err;
        services.push({ service, status: null, error: err instanceof Error ? err.message : String(err) });
      }
    }
    const connected = services
      .filter((s) => s.status?.connectionStatus === 'Connected')
      .sort((a, b) => serviceVersion(b.service.serviceType) - serviceVersion(a.service.serviceType));
    const chosen = connected[0] ?? services.find((s) => s.status !== null) ?? services[0]!;
    return { igd: { location: cand.url, description, server: cand.server, services, chosen }, ssdp, errors };
  }
  return { igd: null, ssdp, errors };
}

function rank(a: SsdpAnswerRecord, gateway: string | null | undefined): number {
  return (isIgdAnswer(a) ? 2 : 0) + (gateway && a.from.address === gateway ? 1 : 0);
}
