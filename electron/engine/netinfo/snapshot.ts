import type { Gateway, NetworkInterface, NetworkSnapshot } from '../../../shared/contracts/network.ts';
import { classifyAddress } from '../../../shared/model/address-class.ts';
import { parseProcNetIpv6Route, parseProcNetRoute } from './routes-linux.ts';
import { parseNetstatRn } from './routes-darwin.ts';
import { parseRoutePrint } from './routes-windows.ts';
import type { SystemSource } from './system-source.ts';

/** RFC 5737 TEST-NET-1: used only as a routing-table lookup key for the primary address. */
const ROUTE_PROBE_V4 = '192.0.2.1';
const ROUTE_PROBE_V6 = '2001:db8::1';
const COMMAND_TIMEOUT_MS = 3000;

export async function takeNetworkSnapshot(src: SystemSource): Promise<NetworkSnapshot> {
  const warnings: string[] = [];
  const interfaces = listInterfaces(src);
  const gateways = await readGateways(src).catch((err: unknown) => {
    warnings.push(`could not read the routing table: ${err instanceof Error ? err.message : String(err)}`);
    return [] as Gateway[];
  });
  const primaryAddress = (await src.routeSource(ROUTE_PROBE_V4)) ?? (await src.routeSource(ROUTE_PROBE_V6));
  let primary: NetworkSnapshot['primary'] = null;
  if (primaryAddress) {
    const iface = interfaces.find((i) => i.addresses.some((a) => a.address === primaryAddress));
    primary = {
      address: primaryAddress,
      interface: iface?.name ?? null,
      class: classifyAddress(primaryAddress),
    };
  } else {
    warnings.push('no route to the internet: the system has no default route');
  }
  return { platform: src.platform, interfaces, gateways, primary, warnings };
}

function listInterfaces(src: SystemSource): NetworkInterface[] {
  const out: NetworkInterface[] = [];
  for (const [name, infos] of Object.entries(src.networkInterfaces())) {
    if (!infos) continue;
    const mac = infos.find((i) => i.mac && i.mac !== '00:00:00:00:00:00')?.mac ?? null;
    out.push({
      name,
      mac,
      addresses: infos.map((i) => ({
        address: i.address.split('%')[0]!,
        family: i.family === 'IPv6' ? 6 : 4,
        prefixLength: prefixFromCidr(i.cidr, i.netmask),
        class: classifyAddress(i.address),
        internal: i.internal,
      })),
    });
  }
  return out;
}

function prefixFromCidr(cidr: string | null, netmask: string): number {
  const fromCidr = cidr ? Number(cidr.split('/')[1]) : NaN;
  if (Number.isInteger(fromCidr)) return fromCidr;
  // Count set bits of a dotted or colon-hex mask.
  if (netmask.includes('.')) return netmask.split('.').reduce((n, o) => n + popcount(Number(o)), 0);
  return netmask.split(':').reduce((n, g) => n + (g ? popcount(parseInt(g, 16)) : 0), 0);
}

function popcount(n: number): number {
  let c = 0;
  for (let v = n; v; v &= v - 1) c++;
  return c;
}

async function readGateways(src: SystemSource): Promise<Gateway[]> {
  switch (src.platform) {
    case 'linux': {
      const v4 = parseProcNetRoute(await src.readFile('/proc/net/route'));
      const v6 = await src.readFile('/proc/net/ipv6_route').then(parseProcNetIpv6Route, () => []);
      return [...v4, ...v6];
    }
    case 'darwin':
    case 'freebsd':
    case 'openbsd':
      return parseNetstatRn(await src.run('netstat', ['-rn'], COMMAND_TIMEOUT_MS));
    case 'win32':
      return parseRoutePrint(await src.run('route', ['print'], COMMAND_TIMEOUT_MS));
    default:
      throw new Error(`reading gateways is not supported on ${src.platform}`);
  }
}
