// Things that happen to a home network while nobody watches, done to a running lab: the provider
// hands out a new public address, the router's NAT becomes symmetric, the connection table is
// flushed, the UPnP daemon restarts and forgets its mappings, the line drops packets for a while.
// Used by the monitor's lab tests and bench/monitor-world.ts.

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab } from './lab.ts';
import { NFT_TABLE, UPNP_CHAINS } from './nft.ts';
import { runOk, sleep } from './proc.ts';
import { ADDR, IFACES, PORTS } from './topology.ts';

/** A second public address for the home router (same /24 as the first, so the servers reach it on-link). */
export const NEW_PUBLIC_IP = '203.0.113.5';

/**
 * The provider assigns a new public address: the router's WAN address is replaced. Masquerade
 * drops the connection-tracking entries of the old address, so every mapping is re-made from it.
 */
export async function changePublicAddress(lab: Lab, to = NEW_PUBLIC_IP): Promise<void> {
  const ns = lab.nsOf('router');
  // Add the new address first and let it take over as primary when the old one goes: an interface
  // left without any IPv4 address would lose its routes too, which is not what a new lease does.
  await runOk(
    ['ip', 'netns', 'exec', ns, 'sysctl', '-qw', `net.ipv4.conf.${IFACES.routerWan}.promote_secondaries=1`],
    { timeoutMs: 10_000 },
  );
  await runOk(['ip', '-n', ns, 'addr', 'add', `${to}/24`, 'dev', IFACES.routerWan], { timeoutMs: 10_000 });
  await runOk(['ip', '-n', ns, 'addr', 'del', `${lab.addr.routerWan}/24`, 'dev', IFACES.routerWan], {
    timeoutMs: 10_000,
  });
}

/**
 * The router's NAT switches between Linux masquerade (endpoint-independent, keeps ports when it can)
 * and `masquerade fully-random` (a random port per flow: address-and-port-dependent). Existing flows
 * keep their mappings, as on a real router after a configuration change.
 */
export async function setNatMode(lab: Lab, mode: 'masquerade' | 'fully-random'): Promise<void> {
  const upnp = lab.options.upnp !== undefined && lab.options.upnp !== false;
  const masq = mode === 'fully-random' ? 'masquerade fully-random' : 'masquerade';
  await lab.nft(
    'router',
    [
      `flush chain inet ${NFT_TABLE} postrouting`,
      `table inet ${NFT_TABLE} {`,
      `  chain postrouting {`,
      ...(upnp ? [`    jump ${UPNP_CHAINS.postrouting}`] : []),
      `    oifname "${IFACES.routerWan}" ip saddr ${ADDR.lanNet} ${masq}`,
      `  }`,
      `}`,
      '',
    ].join('\n'),
  );
}

/** Every connection-tracking entry of the router is dropped (a firewall reload, `conntrack -F`). */
export async function flushConntrack(lab: Lab): Promise<void> {
  await runOk(['ip', 'netns', 'exec', lab.nsOf('router'), 'conntrack', '-F'], { timeoutMs: 10_000 });
}

/**
 * miniupnpd restarts as after a router reboot: its lease file and its firewall chains are gone (a
 * router's UPnP table lives in RAM), so every UPnP and NAT-PMP mapping is lost. With the
 * `daemonUptime` lab option its UPnP uptime and NAT-PMP epoch start again from zero too.
 */
export async function restartMiniupnpd(lab: Lab): Promise<void> {
  const old = lab.peers.filter((p) => p.name === 'miniupnpd' && !p.exited);
  for (const p of old) await p.stop(3000, 'SIGTERM');
  rmSync(join(lab.workDir, 'upnp.leases'), { force: true });
  // miniupnpd reads its mappings back from its nftables chains at start: a reboot empties them.
  await lab.nft(
    'router',
    Object.values(UPNP_CHAINS)
      .map((c) => `flush chain inet ${NFT_TABLE} ${c}\n`)
      .join(''),
  );
  const upnp = typeof lab.options.upnp === 'object' ? lab.options.upnp : {};
  await lab.startMiniupnpd(upnp);
}

/** Random loss on the router's WAN for `ms`, then a clean line again. */
export async function lossFor(lab: Lab, percent: number, ms: number): Promise<void> {
  await lab.setLoss(percent);
  try {
    await sleep(ms);
  } finally {
    await lab.setLoss(0);
  }
}

export const MONITOR_PORTS = { stun: PORTS.coturn, registrar: PORTS.registrar, echo: PORTS.sip } as const;
