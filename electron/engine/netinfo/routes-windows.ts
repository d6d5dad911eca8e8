import type { Gateway } from '../../../shared/contracts/network.ts';

/**
 * Default gateways from Windows `route print -4` / `route print -6` output. IPv4 rows:
 * "0.0.0.0  0.0.0.0  192.168.1.1  192.168.1.20  25" (gateway, then the interface address).
 * IPv6 rows: "11  281 ::/0  fe80::1" (interface index, metric, destination, gateway).
 */
export function parseRoutePrint(text: string): Gateway[] {
  const out: Gateway[] = [];
  for (const line of text.split(/\r?\n/)) {
    const f = line.trim().split(/\s+/);
    if (f[0] === '0.0.0.0' && f[1] === '0.0.0.0' && f.length >= 4 && /^\d+\.\d+\.\d+\.\d+$/.test(f[2]!)) {
      out.push({ address: f[2]!, family: 4, interface: f[3] ?? null });
    } else if (f.length >= 4 && f[2] === '::/0' && f[3] !== 'On-link') {
      out.push({ address: f[3]!.split('%')[0]!, family: 6, interface: `if${f[0]}` });
    }
  }
  return out;
}
