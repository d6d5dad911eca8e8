// A slow HTTP front for a UPnP device, run inside a lab namespace
// (node test/lab/tools/slow-http-proxy.ts LISTEN_IP:PORT UPSTREAM_IP:PORT DELAY_MS): each connection's
// request goes straight to the upstream; its answer is held DELAY_MS before it is passed back. In
// front of miniupnpd it makes the real router's table slow, like the router that answered one entry a
// second.
import { connect, createServer } from 'node:net';

const [listen, upstream, delay] = process.argv.slice(2) as [string, string, string];
const split = (s: string) => ({
  host: s.slice(0, s.lastIndexOf(':')),
  port: Number(s.slice(s.lastIndexOf(':') + 1)),
});
const up = split(upstream);
const delayMs = Number(delay);

createServer((client) => {
  const server = connect(up.port, up.host);
  const held: Buffer[] = [];
  client.pipe(server);
  server.on('data', (d: Buffer) => held.push(d));
  server.on('end', () =>
    setTimeout(() => {
      client.end(Buffer.concat(held));
    }, delayMs),
  );
  const drop = () => {
    client.destroy();
    server.destroy();
  };
  client.on('error', drop);
  server.on('error', drop);
}).listen(split(listen).port, split(listen).host, () =>
  console.log(`slow proxy ${listen} → ${upstream}, ${delayMs} ms`),
);
