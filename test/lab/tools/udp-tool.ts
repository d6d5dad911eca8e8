// Small UDP tool run inside lab namespaces (node test/lab/tools/udp-tool.ts <cmd> ...).
//   listen --bind IP:PORT [--count N] [--timeout MS]        print one JSON line per datagram
//   send   --to IP:PORT [--bind IP:PORT] [--data TEXT] [--count N] [--interval MS]
//   echo   --bind IP:PORT                                   echo every datagram to its sender
//   responder --bind IP:PORT --replies TEXT@MS,...          answer the first sender after each delay
//   (listen --hello IP:PORT sends one datagram from the listening socket first)
//   ping   --to IP:PORT [--bind IP:PORT] [--count N] [--interval MS] [--timeout MS]
//          send N numbered datagrams to an echo server, print {sent, received, rttMs[]}
//   relay  --listen IP:PORT --to IP:PORT [--delay MS] [--jitter MS] [--loss PCT]
//          userspace UDP relay adding delay/jitter/loss in both directions (one upstream
//          socket per client endpoint)
// Every mode is bounded by --timeout (default 10 s) except echo and relay, which run until killed.
import dgram from 'node:dgram';
import type { RemoteInfo } from 'node:dgram';

const [, , cmd, ...rest] = process.argv;
const args = new Map<string, string>();
for (let i = 0; i < rest.length; i += 2) {
  const k = rest[i];
  const v = rest[i + 1];
  if (k?.startsWith('--') === true && v !== undefined) args.set(k.slice(2), v);
}
const num = (k: string, d: number): number => (args.has(k) ? Number(args.get(k)) : d);
function endpoint(k: string): { host: string; port: number } | undefined {
  const v = args.get(k);
  if (v === undefined) return undefined;
  const i = v.lastIndexOf(':');
  return { host: v.slice(0, i), port: Number(v.slice(i + 1)) };
}
const out = (o: unknown): void => void process.stdout.write(JSON.stringify(o) + '\n');

function socket(bind: { host: string; port: number } | undefined): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    s.once('error', reject);
    s.bind(bind?.port ?? 0, bind?.host ?? '0.0.0.0', () => {
      const a = s.address();
      process.stderr.write(`READY ${a.address}:${a.port}\n`);
      resolve(s);
    });
  });
}

const timeoutMs = num('timeout', 10_000);

async function main(): Promise<void> {
  switch (cmd) {
    case 'listen': {
      const s = await socket(endpoint('bind'));
      // optional: open a NAT mapping first by sending from the listening socket
      const hello = endpoint('hello');
      if (hello) s.send(args.get('data') ?? 'hello', hello.port, hello.host);
      const count = num('count', 1);
      let n = 0;
      const t = setTimeout(() => {
        out({ done: true, received: n, timedOut: true });
        process.exit(n >= count ? 0 : 2);
      }, timeoutMs);
      s.on('message', (msg: Buffer, r: RemoteInfo) => {
        n++;
        out({ from: `${r.address}:${r.port}`, data: msg.toString('utf8') });
        if (n >= count) {
          clearTimeout(t);
          out({ done: true, received: n, timedOut: false });
          process.exit(0);
        }
      });
      return;
    }
    case 'send': {
      const s = await socket(endpoint('bind'));
      const to = endpoint('to');
      if (!to) throw new Error('--to required');
      const count = num('count', 1);
      const interval = num('interval', 20);
      for (let i = 0; i < count; i++) {
        const data = `${args.get('data') ?? 'natscope-lab'}${count > 1 ? ` #${i}` : ''}`;
        await new Promise<void>((res, rej) => s.send(data, to.port, to.host, (e) => (e ? rej(e) : res())));
        if (i + 1 < count) await new Promise((r) => setTimeout(r, interval));
      }
      const a = s.address();
      out({ sent: count, from: `${a.address}:${a.port}` });
      s.close();
      return;
    }
    case 'responder': {
      // on the first datagram, answer its sender with each "--replies text@delayMs,..." in turn
      const s = await socket(endpoint('bind'));
      const replies = (args.get('replies') ?? 'reply@0').split(',').map((r) => {
        const [text, delay] = r.split('@');
        return { text: text ?? 'reply', delay: Number(delay ?? 0) };
      });
      s.once('message', (_msg: Buffer, r: RemoteInfo) => {
        out({ from: `${r.address}:${r.port}` });
        for (const rep of replies) setTimeout(() => s.send(rep.text, r.port, r.address), rep.delay);
        const last = Math.max(...replies.map((x) => x.delay));
        setTimeout(() => process.exit(0), last + 200);
      });
      setTimeout(() => process.exit(2), timeoutMs);
      return;
    }
    case 'echo': {
      const s = await socket(endpoint('bind'));
      s.on('message', (msg: Buffer, r: RemoteInfo) => s.send(msg, r.port, r.address));
      return;
    }
    case 'ping': {
      const s = await socket(endpoint('bind'));
      const to = endpoint('to');
      if (!to) throw new Error('--to required');
      const count = num('count', 10);
      const interval = num('interval', 20);
      const sentAt = new Map<number, number>();
      const rtt: number[] = [];
      const finish = (): void => {
        out({ sent: count, received: rtt.length, rttMs: rtt });
        process.exit(0);
      };
      s.on('message', (msg: Buffer) => {
        const seq = Number(msg.toString('utf8').split(' ')[1]);
        const t0 = sentAt.get(seq);
        if (t0 !== undefined) {
          rtt.push(Number((performance.now() - t0).toFixed(2)));
          sentAt.delete(seq);
        }
        if (rtt.length === count) finish();
      });
      const guard = setTimeout(finish, timeoutMs);
      guard.unref();
      for (let i = 0; i < count; i++) {
        sentAt.set(i, performance.now());
        s.send(`ping ${i}`, to.port, to.host);
        await new Promise((r) => setTimeout(r, interval));
      }
      // wait for stragglers (bounded)
      await new Promise((r) => setTimeout(r, Math.min(timeoutMs, num('linger', 1500))));
      finish();
      return;
    }
    case 'relay': {
      const listen = await socket(endpoint('listen'));
      const to = endpoint('to');
      if (!to) throw new Error('--to required');
      const delay = num('delay', 0);
      const jitter = num('jitter', 0);
      const loss = num('loss', 0);
      const later = (fn: () => void): void => {
        if (loss > 0 && Math.random() * 100 < loss) return;
        const d = Math.max(0, delay + (jitter > 0 ? (Math.random() * 2 - 1) * jitter : 0));
        if (d === 0) fn();
        else setTimeout(fn, d);
      };
      const upstream = new Map<string, dgram.Socket>();
      listen.on('message', (msg: Buffer, r: RemoteInfo) => {
        const key = `${r.address}:${r.port}`;
        let up = upstream.get(key);
        if (!up) {
          const u = dgram.createSocket('udp4');
          u.bind(0);
          u.on('message', (back: Buffer) => later(() => listen.send(back, r.port, r.address)));
          upstream.set(key, u);
          up = u;
        }
        const sock = up;
        later(() => sock.send(msg, to.port, to.host));
      });
      return;
    }
    default:
      process.stderr.write(`unknown command ${String(cmd)}\n`);
      process.exit(64);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${String(e)}\n`);
  process.exit(1);
});
