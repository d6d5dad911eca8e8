// Whether the lab can run here (Linux, root, the Debian packages). No vitest import: lab-cli uses it too.
import { accessSync, constants, existsSync } from 'node:fs';
import { join } from 'node:path';

/** Executables the lab needs, with the Debian package providing each. */
export const REQUIRED_TOOLS: Readonly<Record<string, string>> = {
  ip: 'iproute2',
  nft: 'nftables',
  sysctl: 'procps',
  turnserver: 'coturn',
  turnutils_natdiscovery: 'coturn',
  turnutils_uclient: 'coturn',
  openssl: 'openssl',
  stund: 'stun-server',
  stun: 'stun-client',
  miniupnpd: 'miniupnpd-nftables',
  upnpc: 'miniupnpc',
  natpmpc: 'natpmpc',
  sipp: 'sip-tester',
  tcpdump: 'tcpdump',
  conntrack: 'conntrack',
  python3: 'python3',
  // the interop suite (issue #12): a real PBX, a media relay and a softphone
  kamailio: 'kamailio',
  rtpengine: 'rtpengine-daemon',
  baresip: 'baresip-core',
};

const PATH_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

function which(bin: string): boolean {
  const dirs = [...(process.env.PATH ?? '').split(':'), ...PATH_DIRS];
  for (const d of dirs) {
    if (!d) continue;
    try {
      accessSync(join(d, bin), constants.X_OK);
      return true;
    } catch {
      /* next */
    }
  }
  return false;
}

export interface LabSupport {
  ok: boolean;
  reason: string;
}

export function labSupport(): LabSupport {
  if (process.platform !== 'linux')
    return { ok: false, reason: `network lab needs Linux (this is ${process.platform})` };
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    return { ok: false, reason: 'network lab needs root (network namespaces, nftables)' };
  }
  const missing = Object.entries(REQUIRED_TOOLS).filter(([bin]) => !which(bin));
  if (missing.length > 0) {
    const pkgs = [...new Set(missing.map(([, p]) => p))].join(' ');
    return {
      ok: false,
      reason: `network lab tools missing (${missing.map(([b]) => b).join(', ')}): run test/lab/install-deps.sh (apt-get install ${pkgs})`,
    };
  }
  if (!existsSync('/usr/share/sip-tester/g711a.pcap')) {
    return {
      ok: false,
      reason: 'network lab: /usr/share/sip-tester/g711a.pcap missing (package sip-tester)',
    };
  }
  return { ok: true, reason: '' };
}
