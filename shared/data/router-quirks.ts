/**
 * Known router quirks, keyed by the UPnP device description's manufacturer/model. Seeded from the
 * FreeSWITCH wiki's list of routers tested with auto-nat ("Devices known to work with FS UPNP") and
 * its NAT traversal notes. Matching is case-insensitive on "manufacturer model".
 */
export interface RouterQuirk {
  match: string; // regular expression source
  router: string;
  notes: string[];
  algHint?: string;
  source: string;
}

const FS_AUTONAT = 'FreeSWITCH wiki: Auto NAT — devices known to work with FS UPnP';

export const ROUTER_QUIRKS: RouterQuirk[] = [
  {
    match: 'd-?link.*dir[- ]?655',
    router: 'D-Link DIR-655',
    notes: [
      'UPnP is unstable on firmware 1.2.1 and 1.3.2NA (stops working after a few hours); not recommended for production.',
    ],
    algHint:
      'Disable the SIP ALG: Advanced → Firewall Settings → Application Level Gateway (ALG) Configuration → untick SIP. With it on, SIP registrations are unstable.',
    source: FS_AUTONAT,
  },
  {
    match: 'netgear.*wgt ?624',
    router: 'Netgear WGT624',
    notes: ['Reported as a very poor router for VoIP by FreeSWITCH users; consider replacing it.'],
    source: FS_AUTONAT,
  },
  {
    match: 'netgear.*fvs ?318',
    router: 'Netgear FVS318',
    notes: ['Supports UPnP and shows a table of port mappings; worked with FreeSWITCH auto-nat.'],
    source: FS_AUTONAT,
  },
  {
    match: 'linksys.*wrt ?54g ?l|dd-?wrt',
    router: 'Linksys WRT54GL / DD-WRT',
    notes: [
      'DD-WRT v24-sp2 drops 5060 and 5080 TCP/UDP UPnP mappings after about a minute; Tomato 1.28 works well.',
      "DD-WRT v24sp1's UPnP page is always empty even when mappings exist.",
    ],
    source: FS_AUTONAT,
  },
  {
    match: 'linksys.*wrt ?54g ?2',
    router: 'Linksys WRT54G2',
    notes: ['Works with FreeSWITCH but unreliably: opening ports sometimes fails.'],
    source: FS_AUTONAT,
  },
  {
    match: '2wire|u-?verse',
    router: 'AT&T U-verse residential gateway (2Wire)',
    notes: ['Supports NAT-PMP; there is no status page showing current mappings.'],
    source: FS_AUTONAT,
  },
  {
    match: 'mikrotik|routeros',
    router: 'MikroTik RouterOS',
    notes: ['UPnP works with FreeSWITCH auto-nat (tested on RouterOS 3.25).'],
    algHint: 'Disable the SIP helper: IP → Firewall → Service Ports → sip → disable.',
    source: FS_AUTONAT,
  },
  {
    match: 'apple.*airport',
    router: 'Apple AirPort Extreme',
    notes: ['NAT-PMP works with FreeSWITCH auto-nat (firmware 7.4.2).'],
    source: FS_AUTONAT,
  },
];

export function findRouterQuirk(manufacturer: string | null, model: string | null): RouterQuirk | null {
  const key = `${manufacturer ?? ''} ${model ?? ''}`.trim();
  if (!key) return null;
  return ROUTER_QUIRKS.find((q) => new RegExp(q.match, 'i').test(key)) ?? null;
}
