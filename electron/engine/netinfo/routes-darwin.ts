import type { Gateway } from '../../../shared/contracts/network.ts';

/** Default gateways from macOS/BSD `netstat -rn` output ("default  192.168.1.1  UGScg  en0"). */
export function parseNetstatRn(text: string): Gateway[] {
  const out: Gateway[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] !== 'default' || f.length < 4) continue;
    const gw = f[1]!;
    if (gw.startsWith('link#') || !/[.:]/.test(gw)) continue;
    const address = gw.split('%')[0]!;
    const iface = f[3] ?? null;
    out.push({ address, family: address.includes(':') ? 6 : 4, interface: iface });
  }
  return out;
}
