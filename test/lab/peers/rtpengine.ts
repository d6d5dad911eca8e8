// rtpengine (Debian `rtpengine-daemon`) as the lab's media relay: userspace only (no kernel
// module in a namespace: --table=-1), RTP on one interface address, and an ng control socket that
// Kamailio's rtpengine module drives (rtpengine_manage / rtpengine_offer / rtpengine_answer).
import { join } from 'node:path';

import type { HostName, Lab, Peer } from '../lab.ts';

export interface RtpengineOptions {
  /** Address rtpengine relays media on (its `--interface`). */
  address: string;
  /** ng control socket address (default 127.0.0.1 in the same namespace). */
  ngAddress?: string;
  ngPort?: number;
  /** Media port range (small: every test knows where relayed media lives). */
  portMin?: number;
  portMax?: number;
}

export interface RtpenginePeer {
  peer: Peer;
  /** For Kamailio's rtpengine_sock: "udp:IP:PORT". */
  ng: string;
  portMin: number;
  portMax: number;
}

export async function startRtpengine(lab: Lab, host: HostName, o: RtpengineOptions): Promise<RtpenginePeer> {
  const ngAddress = o.ngAddress ?? '127.0.0.1';
  const ngPort = o.ngPort ?? 2223;
  const portMin = o.portMin ?? 30_000;
  const portMax = o.portMax ?? 30_099;
  const peer = lab.spawn(host, 'rtpengine', [
    'rtpengine',
    // not /etc/rtpengine/rtpengine.conf: its fixed CLI/HTTP ports would collide between instances
    '--config-file=none',
    `--listen-cli=${ngAddress}:${ngPort + 1}`,
    '--foreground',
    '--log-stderr',
    '--table=-1',
    `--interface=${o.address}`,
    `--listen-ng=${ngAddress}:${ngPort}`,
    `--port-min=${portMin}`,
    `--port-max=${portMax}`,
    `--pidfile=${join(lab.workDir, `rtpengine-${host}.pid`)}`,
    '--log-level=6',
  ]);
  await lab.waitReady(peer, [{ proto: 'udp', port: ngPort, ip: ngAddress }], 10_000);
  return { peer, ng: `udp:${ngAddress}:${ngPort}`, portMin, portMax };
}
