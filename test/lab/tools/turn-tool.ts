// TURN data-path driver run inside a lab namespace (node test/lab/tools/turn-tool.ts ...): allocates
// on a TURN server with NatScope's engine, then relays numbered datagrams to a UDP echo peer first
// as Send indications (after CreatePermission) and then as ChannelData (after ChannelBind), counting
// what comes back as Data indications and ChannelData. Prints one JSON line.
//   --server IP:PORT --transport udp|tcp|tls --user U --password P [--ca FILE] --peer IP:PORT [--count N]
//   --tcp-peer IP:PORT (instead of --peer, transport tcp|tls): an RFC 6062 TCP allocation, Connect +
//   ConnectionBind to a TCP echo peer, --count lines echoed back through the relay
//   --allocations N (instead of --peer): N allocations one after the other in this process (a warm
//   engine, for bench/turn-allocate.ts); prints their times
import { readFileSync } from 'node:fs';

import { systemClock } from '../../../electron/engine/clock/clock.ts';
import { nodeNetwork } from '../../../electron/engine/net/node-network.ts';
import { TurnClient } from '../../../electron/engine/turn/client.ts';
import { openTurnControl, openTurnPipe } from '../../../electron/engine/turn/connect.ts';
import { connectPeer } from '../../../electron/engine/turn/tcp-relay.ts';
import type { TurnTransport } from '../../../electron/engine/turn/control.ts';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.slice(2), process.argv[i + 1]!);
const ep = (s: string) => ({
  address: s.slice(0, s.lastIndexOf(':')),
  port: Number(s.slice(s.lastIndexOf(':') + 1)),
});
const server = ep(args.get('server')!);
const count = Number(args.get('count') ?? 20);
const transport = (args.get('transport') ?? 'udp') as TurnTransport;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const options = () => ({
  network: nodeNetwork,
  clock: systemClock,
  transport,
  server,
  serverName: server.address,
  tlsCaPem: args.has('ca') ? readFileSync(args.get('ca')!, 'utf8') : undefined,
  timing: { rtoMs: 250, timeoutMs: 5000 },
});
const open = () => openTurnControl(options());
const newClient = async () =>
  new TurnClient({
    control: await open(),
    clock: systemClock,
    credentials: { kind: 'static', username: args.get('user')!, password: args.get('password')! },
  });

if (args.has('allocations')) {
  const times: number[] = [];
  for (let i = 0; i < Number(args.get('allocations')); i++) {
    const c = await newClient();
    times.push((await c.allocate()).elapsedMs);
    await c.close();
  }
  process.stdout.write(JSON.stringify({ allocateMs: times }) + '\n');
  process.exit(0);
}
if (args.has('tcp-peer')) {
  const tcpPeer = ep(args.get('tcp-peer')!);
  const c = await newClient();
  const a = await c.allocate({ relay: 'tcp' });
  const conn = await connectPeer(c, tcpPeer, () =>
    openTurnPipe({ ...options(), transport: transport as 'tcp' | 'tls' }),
  );
  let echoed = '';
  conn.onData((d) => (echoed += Buffer.from(d).toString()));
  const sent: string[] = [];
  for (let i = 0; i < count; i++) {
    sent.push(`line-${i}\n`);
    await conn.write(Buffer.from(sent[i]!));
    await sleep(5);
  }
  const until = Date.now() + 3000;
  while (echoed.length < sent.join('').length && Date.now() < until) await sleep(20);
  await conn.close();
  await c.close();
  process.stdout.write(
    JSON.stringify({
      relayed: `${a.relayed.address}:${a.relayed.port}`,
      connectionId: conn.connectionId,
      echoedAll: echoed === sent.join(''),
      echoedBytes: echoed.length,
      log: c.log.map((l) => `${l.method} ${l.outcome}`),
    }) + '\n',
  );
  process.exit(0);
}
const peer = ep(args.get('peer')!);
const client = await newClient();
const allocation = await client.allocate();
const got = new Map<string, number>();
const rtts: number[] = [];
const sentAt = new Map<string, number>();
client.onData((data, from) => {
  const text = Buffer.from(data).toString();
  if (from.address !== peer.address || from.port !== peer.port) return;
  got.set(text, (got.get(text) ?? 0) + 1);
  const t = sentAt.get(text);
  if (t !== undefined) rtts.push(performance.now() - t);
});
async function burst(tag: string): Promise<{ sent: number; received: number }> {
  for (let i = 0; i < count; i++) {
    const text = `${tag}-${i}`;
    sentAt.set(text, performance.now());
    await client.send(Buffer.from(text), peer);
    await sleep(5);
  }
  await sleep(500);
  let received = 0;
  for (let i = 0; i < count; i++) if (got.has(`${tag}-${i}`)) received++;
  return { sent: count, received };
}
await client.createPermission([peer]);
const viaIndication = await burst('ind');
const channel = await client.channelBind(peer);
rtts.length = 0;
const viaChannel = await burst('chan');
rtts.sort((a, b) => a - b);
await client.close();
process.stdout.write(
  JSON.stringify({
    relayed: `${allocation.relayed.address}:${allocation.relayed.port}`,
    channel,
    viaIndication,
    viaChannel,
    medianRttMs: rtts[Math.floor(rtts.length / 2)] ?? null,
    log: client.log.map((l) => `${l.method} ${l.outcome}`),
  }) + '\n',
);
