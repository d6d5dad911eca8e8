// nftables rulesets for the lab's routers. One table ("nslab", family inet) per router namespace;
// miniupnpd is pointed at the same table and its own chains.

import type { VariantName } from './variants.ts';
import { ADDR } from './topology.ts';

export const NFT_TABLE = 'nslab';
export const UPNP_CHAINS = {
  forward: 'miniupnpd',
  prerouting: 'prerouting_miniupnpd',
  postrouting: 'postrouting_miniupnpd',
} as const;

export interface RouterRulesOptions {
  variant: VariantName;
  lanIf: string;
  wanIf: string;
  lanNet: string;
  wanIp: string;
  hairpin: boolean;
  alg: boolean;
  lossPercent: number;
  upnp: boolean;
}

/** Ruleset of the home router. */
export function homeRouterRules(o: RouterRulesOptions): string {
  const v = o.variant;
  const nat = v !== 'no-nat';
  const fullCone = v === 'full-cone';
  const restricted = v === 'restricted-cone';
  // in double-nat the client's public mapping lives on the CGN, so the CGN hairpins instead
  const hairpin = o.hairpin && nat && v !== 'udp-blocked' && v !== 'double-nat';
  const learn = fullCone || restricted || hairpin;
  const masq = v === 'symmetric' ? 'masquerade fully-random' : v === 'no-nat' ? '' : 'masquerade';
  const L: string[] = [];
  L.push(`table inet ${NFT_TABLE} {`);
  if (learn) {
    // public port -> private endpoint, learnt after SNAT (the emulated cone NAT's mapping table)
    L.push(
      `  map fcmap { type inet_service : ipv4_addr . inet_service; flags dynamic,timeout; timeout 180s; }`,
    );
    // public port . remote address the mapping has sent to (address-dependent filtering)
    L.push(`  set adf { type inet_service . ipv4_addr; flags dynamic,timeout; timeout 180s; }`);
  }
  L.push(`  ct helper sip5060 { type "sip" protocol udp; l3proto ip; }`);
  // SIP ALG switch: a set with the port when on (so it can be toggled without reloading)
  L.push(`  set algports { type inet_service; ${o.alg ? 'elements = { 5060 }; ' : ''}}`);
  L.push(`  chain helpers {`);
  L.push(`    type filter hook prerouting priority filter; policy accept;`);
  L.push(`    iifname "${o.lanIf}" udp dport @algports ct helper set "sip5060"`);
  L.push(`  }`);
  L.push(`  chain wanloss {`);
  L.push(`    type filter hook forward priority -10; policy accept;`);
  if (o.lossPercent > 0) L.push(lossRule(o.wanIf, o.lossPercent));
  L.push(`  }`);
  L.push(`  chain forward {`);
  L.push(`    type filter hook forward priority filter; policy drop;`);
  if (v === 'udp-blocked') L.push(`    meta l4proto udp drop`);
  L.push(`    ct state established,related accept`);
  L.push(`    ct state invalid drop`);
  L.push(`    iifname "${o.lanIf}" accept`);
  L.push(`    ct status dnat accept`);
  if (!nat) L.push(`    iifname "${o.wanIf}" oifname "${o.lanIf}" accept`);
  if (o.upnp) L.push(`    jump ${UPNP_CHAINS.forward}`);
  L.push(`  }`);
  L.push(`  chain ${UPNP_CHAINS.forward} { }`);
  L.push(`  chain prerouting {`);
  L.push(`    type nat hook prerouting priority dstnat; policy accept;`);
  if (o.upnp) L.push(`    jump ${UPNP_CHAINS.prerouting}`);
  if (fullCone)
    L.push(`    iifname "${o.wanIf}" ip daddr ${o.wanIp} udp dport @fcmap dnat ip to udp dport map @fcmap`);
  if (restricted)
    L.push(
      `    iifname "${o.wanIf}" ip daddr ${o.wanIp} udp dport . ip saddr @adf dnat ip to udp dport map @fcmap`,
    );
  if (hairpin)
    L.push(`    iifname "${o.lanIf}" ip daddr ${o.wanIp} udp dport @fcmap dnat ip to udp dport map @fcmap`);
  L.push(`  }`);
  L.push(`  chain ${UPNP_CHAINS.prerouting} { }`);
  L.push(`  chain postrouting {`);
  L.push(`    type nat hook postrouting priority srcnat; policy accept;`);
  if (o.upnp) L.push(`    jump ${UPNP_CHAINS.postrouting}`);
  if (hairpin) L.push(`    iifname "${o.lanIf}" oifname "${o.lanIf}" ct status dnat snat ip to ${o.wanIp}`);
  // only the LAN is translated: the router's own traffic (miniupnpd's STUN) keeps its address
  if (masq) L.push(`    oifname "${o.wanIf}" ip saddr ${o.lanNet} ${masq}`);
  L.push(`  }`);
  L.push(`  chain ${UPNP_CHAINS.postrouting} { }`);
  if (learn) {
    L.push(`  chain learn {`);
    L.push(`    type filter hook postrouting priority srcnat + 10; policy accept;`);
    L.push(
      `    oifname "${o.wanIf}" meta l4proto udp ct direction original ct original ip saddr ${o.lanNet} update @fcmap { ct reply proto-dst : ct original ip saddr . ct original proto-src } update @adf { ct reply proto-dst . ip daddr }`,
    );
    L.push(`  }`);
  }
  L.push(`}`);
  return L.join('\n') + '\n';
}

export function lossRule(wanIf: string, percent: number): string {
  const p = Math.max(0, Math.min(100, Math.round(percent)));
  return `    meta l4proto udp iifname "${wanIf}" numgen random mod 100 < ${p} drop\n    meta l4proto udp oifname "${wanIf}" numgen random mod 100 < ${p} drop`;
}

/** Ruleset of the carrier-grade NAT (double-nat): masquerade of 100.64.0.0/10, optional hairpinning. */
export function cgnRules(o: { lanIf: string; wanIf: string; wanIp: string; hairpin: boolean }): string {
  const L: string[] = [`table inet ${NFT_TABLE} {`];
  if (o.hairpin)
    L.push(
      `  map fcmap { type inet_service : ipv4_addr . inet_service; flags dynamic,timeout; timeout 180s; }`,
    );
  L.push(`  chain forward {`);
  L.push(`    type filter hook forward priority filter; policy drop;`);
  L.push(`    ct state established,related accept`);
  L.push(`    ct state invalid drop`);
  L.push(`    iifname "${o.lanIf}" accept`);
  L.push(`  }`);
  L.push(`  chain prerouting {`);
  L.push(`    type nat hook prerouting priority dstnat; policy accept;`);
  if (o.hairpin)
    L.push(`    iifname "${o.lanIf}" ip daddr ${o.wanIp} udp dport @fcmap dnat ip to udp dport map @fcmap`);
  L.push(`  }`);
  L.push(`  chain postrouting {`);
  L.push(`    type nat hook postrouting priority srcnat; policy accept;`);
  if (o.hairpin) L.push(`    iifname "${o.lanIf}" oifname "${o.lanIf}" ct status dnat snat ip to ${o.wanIp}`);
  L.push(`    oifname "${o.wanIf}" ip saddr ${ADDR.cgnNet} masquerade`);
  L.push(`  }`);
  if (o.hairpin) {
    L.push(`  chain learn {`);
    L.push(`    type filter hook postrouting priority srcnat + 10; policy accept;`);
    L.push(
      `    oifname "${o.wanIf}" meta l4proto udp ct direction original ct original ip saddr ${ADDR.cgnNet} update @fcmap { ct reply proto-dst : ct original ip saddr . ct original proto-src }`,
    );
    L.push(`  }`);
  }
  L.push(`}`);
  return L.join('\n') + '\n';
}
