// A middlebox that swallows WebSocket upgrades, on the lab's server: it accepts the TCP connection
// (or the TLS one, as a TLS-terminating proxy would) and reads the upgrade request, but never
// answers. What a client sees from an HTTP proxy or firewall that holds Upgrade requests. Not a
// SIP peer: it stands for the network condition, as nftables rules stand for a NAT.
import type { Lab, Peer } from '../lab.ts';

export const BLACKHOLE_PORT = 8090;

const SCRIPT = `
const net = require('node:net');
const held = [];
net.createServer((s) => { held.push(s); s.on('error', () => {}); s.on('data', () => {}); })
  .listen(Number(process.argv[1]), process.argv[2]);
`;

export async function startWebSocketBlackhole(lab: Lab): Promise<{ peer: Peer; url: string }> {
  const ip = lab.addr.serverPrimary;
  const peer = lab.spawn('server', 'ws-blackhole', [
    process.execPath,
    '-e',
    SCRIPT,
    String(BLACKHOLE_PORT),
    ip,
  ]);
  await lab.waitReady(peer, [{ proto: 'tcp', port: BLACKHOLE_PORT, ip }], 10_000);
  return { peer, url: `ws://${ip}:${BLACKHOLE_PORT}/` };
}
