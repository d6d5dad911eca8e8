/**
 * The offline demo's router: the unit tests' miniupnpd-like fake router (UPnP IGD v2, NAT-PMP,
 * PCP) on loopback sockets, with a few mappings of other LAN hosts so the mapping table has
 * something to show (and the add dialog something to warn about). Labelled "simulated" everywhere.
 */
import type { ListenTcp } from '../../companion/tcp-listener.ts';
import type { Network } from '../../net/network.ts';
import { FakeRouter } from './fake-router.ts';
import { LoopbackLan } from './loopback-lan.ts';

export interface SimulatedRouter {
  gateway: string;
  igdLocation: string;
  close(): Promise<void>;
}

const IGD_PORT = 5000;

export async function startSimulatedRouter(
  network: Network,
  listenTcp: ListenTcp,
  gateway: string,
): Promise<SimulatedRouter> {
  const lan = new LoopbackLan(network, listenTcp);
  const router = new FakeRouter(lan, {
    gateway,
    friendlyName: 'NatScope simulated router (loopback demo)',
    externalIp: '203.0.113.2',
  });
  // NAT-PMP/PCP epoch (RFC 6886 §3.6) that advances with the wall clock, as a router up since the
  // Unix epoch would: one demo after another never looks like a reboot.
  const wallSeconds = () => Math.floor(Date.now() / 1000) % 2 ** 32;
  router.epoch = wallSeconds();
  const tick = setInterval(() => (router.epoch = wallSeconds()), 1000);
  tick.unref();
  const lease = 3600;
  router.mappings.push(
    {
      protocol: 'udp',
      externalPort: 5060,
      internalClient: '192.168.1.20',
      internalPort: 5060,
      description: 'Desk phone SIP',
      leaseSeconds: 0,
    },
    ...Array.from({ length: 4 }, (_, i) => ({
      protocol: 'udp' as const,
      externalPort: 16384 + i,
      internalClient: '192.168.1.20',
      internalPort: 16384 + i,
      description: 'Desk phone RTP',
      leaseSeconds: lease,
    })),
    {
      protocol: 'tcp',
      externalPort: 443,
      internalClient: '192.168.1.30',
      internalPort: 443,
      description: 'NAS web',
      leaseSeconds: 0,
    },
  );
  try {
    await lan.ready();
  } catch (err) {
    clearInterval(tick);
    await lan.close();
    throw err;
  }
  const port = lan.portOf({ address: gateway, port: IGD_PORT });
  return {
    gateway,
    igdLocation: `http://${gateway}:${port}/rootDesc.xml`,
    close: () => {
      clearInterval(tick);
      return lan.close();
    },
  };
}
