/**
 * What UPnP IGD says, as the router report shows it: the device and its WAN services (from
 * discover-igd.ts), the external address (GetExternalIPAddress), the connection type
 * (GetConnectionTypeInfo) and the mapping table rows, each marked when NatScope made it.
 */
import type { RouterMapping, UpnpReport } from '../../../shared/contracts/router.ts';
import { classifyReportedAddress } from '../../../shared/model/address-class.ts';
import { formatEndpoint } from '../../../shared/model/endpoint.ts';
import type { LedgerEntry } from '../mappings/ledger.ts';
import type { IgdDiscovery } from './discover-igd.ts';
import type { PortMappingEntry } from './igd-client.ts';

export function notAskedUpnp(): UpnpReport {
  return {
    found: false,
    location: null,
    igdVersion: null,
    friendlyName: null,
    manufacturer: null,
    model: null,
    modelNumber: null,
    server: null,
    externalIp: null,
    externalIpClass: null,
    connectionStatus: null,
    connectionType: null,
    possibleConnectionTypes: null,
    uptimeSeconds: null,
    lastConnectionError: null,
    services: [],
    mappings: [],
    mappingsError: null,
    mappingsMethod: null,
    mappingsPartial: false,
    mappingsPartialReason: null,
    ssdp: [],
    errors: [],
  };
}

/** The report's discovery part; the external address, type and table are filled in by the probe. */
export function reportOfDiscovery(d: IgdDiscovery): UpnpReport {
  const igd = d.igd;
  return {
    ...notAskedUpnp(),
    found: igd !== null,
    location: igd?.location.href ?? null,
    igdVersion: igd?.description.igdVersion ?? null,
    friendlyName: igd?.description.friendlyName ?? null,
    manufacturer: igd?.description.manufacturer ?? null,
    model: igd?.description.modelName ?? null,
    modelNumber: igd?.description.modelNumber ?? null,
    server: igd?.server ?? null,
    connectionStatus: igd?.chosen.status?.connectionStatus ?? null,
    uptimeSeconds: igd?.chosen.status?.uptimeSeconds ?? null,
    lastConnectionError: igd?.chosen.status?.lastConnectionError ?? null,
    services: (igd?.services ?? []).map((s) => ({
      serviceType: s.service.serviceType,
      controlUrl: s.service.controlUrl.href,
      connectionStatus: s.status?.connectionStatus ?? null,
      chosen: s === igd?.chosen,
      error: s.error,
    })),
    ssdp: d.ssdp.map((a) => ({
      from: formatEndpoint(a.from),
      via: a.via,
      st: a.st,
      usn: a.usn,
      server: a.server,
      location: a.location,
      raw: a.raw,
      rejected: a.rejected,
    })),
    errors: [...d.errors],
  };
}

export function setExternalIp(report: UpnpReport, ip: string | null): void {
  report.externalIp = ip;
  report.externalIpClass = classifyReportedAddress(ip);
}

/**
 * The ledger entry behind a row of the router's UPnP table. miniupnpd also lists NAT-PMP and PCP
 * mappings there ("NAT-PMP <port> <proto>", "PCP MAP <nonce>"), so those match too.
 */
function matchUpnp(
  entries: LedgerEntry[],
  m: PortMappingEntry,
  gatewayHost: string,
): LedgerEntry | undefined {
  return entries.find(
    (e) =>
      e.protocol === m.protocol &&
      e.externalPort === m.externalPort &&
      e.internalPort === m.internalPort &&
      e.internalClient === m.internalClient &&
      e.gateway === gatewayHost &&
      // miniupnpd labels NAT-PMP/PCP rows itself (its PCP label shows the nonce in host byte order).
      (e.via === 'upnp' ? e.description === m.description : true),
  );
}

/** A row of the router's table as the contract shows it, marked when NatScope made it. */
export function tableRow(
  m: PortMappingEntry,
  own: LedgerEntry[],
  gatewayHost: string,
  externalIp: string | null,
): RouterMapping {
  const mine = matchUpnp(own, m, gatewayHost);
  return {
    // A NAT-PMP/PCP mapping of NatScope's shows under the protocol that can delete it.
    via: mine?.via ?? 'upnp',
    protocol: m.protocol,
    externalIp,
    externalPort: m.externalPort,
    internalClient: m.internalClient || null,
    internalPort: m.internalPort,
    remoteHost: m.remoteHost || null,
    description: m.description || null,
    enabled: m.enabled,
    leaseSeconds: mine ? mine.leaseSeconds : m.leaseSeconds,
    leaseRemainingSeconds: m.leaseSeconds === 0 ? null : m.leaseSeconds,
    permanent: m.leaseSeconds === 0,
    createdByNatScope: mine !== undefined,
    kept: mine?.kept ?? false,
    ledgerId: mine?.id ?? null,
  };
}
