// Benchmark (prints numbers; not a test): how long a TURN allocation takes — NatScope's client vs
// coturn's reference client turnutils_uclient, against the same coturn relay in the same lab run,
// over UDP and TCP. Needs root + Linux + the lab packages (coturn, tshark), and the built CLI.
//
//   node bench/turn-allocate.ts [--runs 15] [--variant masquerade]
//
// "Wire" time is measured on the server's interface, identically for both clients: from the first
// Allocate request of a client 5-tuple to the Allocate success the server sends on it (it includes
// the 401 challenge round trip and the client's own work between the two requests). "Process" is
// the wall time of the whole client process (Node start-up included for NatScope; turnutils_uclient
// also binds a channel and sends one message, and makes a second, peer-side allocation per run).
import { parseArgs } from 'node:util';
import { NATSCOPE_CLI, startLab, type Lab } from '../test/lab/lab.ts';
import { run } from '../test/lab/proc.ts';
import { relayArgs, startCoturnRelay, type CoturnRelay } from '../test/lab/peers/coturn-relay.ts';
import { labSupport } from '../test/lab/support.ts';
import { join } from 'node:path';
import { LAB_DIR } from '../test/lab/lab.ts';

const TURN_TOOL = join(LAB_DIR, 'tools', 'turn-tool.ts');
import { isVariantName } from '../test/lab/variants.ts';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '15' }, variant: { type: 'string', default: 'masquerade' } },
});
const support = labSupport();
if (!support.ok) {
  console.error(`bench: ${support.reason}`);
  process.exit(2);
}
const variant = values.variant!;
if (!isVariantName(variant)) throw new Error(`unknown variant ${variant}`);
const runs = Math.max(1, Number(values.runs));
const USER = 'bench';
const PASS = 'bench-pass';

const pct = (xs: number[], p: number) =>
  xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]! : NaN;

/** Allocate request → Allocate success per client 5-tuple, from a server-side capture (tshark). */
async function wireAllocateMs(pcap: string, port: number, transport: 'udp' | 'tcp'): Promise<number[]> {
  const r = await run(
    [
      'tshark',
      '-r',
      pcap,
      '-d',
      `${transport}.port==${port},stun`,
      '-Y',
      'stun',
      '-T',
      'fields',
      '-E',
      'separator=,',
      '-e',
      'frame.time_epoch',
      '-e',
      'ip.src',
      '-e',
      `${transport}.srcport`,
      '-e',
      'ip.dst',
      '-e',
      `${transport}.dstport`,
      '-e',
      'stun.type',
    ],
    { timeoutMs: 60_000 },
  );
  const firstRequest = new Map<string, number>();
  const out: number[] = [];
  for (const line of r.stdout.split('\n')) {
    const [t, src, sport, dst, dport, type] = line.split(',');
    if (!type) continue;
    for (const [i, ty] of type.split(';').map((x, i) => [i, x] as const)) {
      void i;
      const code = Number(ty);
      const time = Number(t) * 1000;
      if (code === 0x0003) {
        const key = `${src}:${sport}`;
        if (!firstRequest.has(key)) firstRequest.set(key, time);
      } else if (code === 0x0103) {
        const key = `${dst}:${dport}`;
        const start = firstRequest.get(key);
        if (start !== undefined) {
          out.push(time - start);
          firstRequest.delete(key);
        }
      }
    }
  }
  return out;
}

async function timed(lab: Lab, argv: string[]): Promise<number> {
  const t0 = performance.now();
  const r = await lab.exec('client', argv, { timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error(`${argv[0]} failed (${r.code}): ${(r.stderr || r.stdout).slice(-500)}`);
  return performance.now() - t0;
}

interface Row {
  transport: string;
  client: string;
  allocations: number;
  wireMedian: number;
  wireP95: number;
  processMedian: number;
}

async function measure(lab: Lab, relay: CoturnRelay, transport: 'udp' | 'tcp'): Promise<Row[]> {
  const rows: Row[] = [];
  const clients: [string, () => string[]][] = [
    [
      'NatScope (natscope turn)',
      () => [process.execPath, NATSCOPE_CLI, 'turn', ...relayArgs(relay, transport, USER, PASS), '--json'],
    ],
    [
      'turnutils_uclient',
      () => [
        'turnutils_uclient',
        ...(transport === 'tcp' ? ['-t'] : []),
        '-c',
        '-n',
        '1',
        '-u',
        USER,
        '-w',
        PASS,
        '-p',
        String(relay.port),
        '-e',
        lab.addr.server2,
        '-r',
        '4000',
        relay.address,
      ],
    ],
  ];
  for (const [name, argv] of clients) {
    const cap = await lab.capture('server', `${transport} port ${relay.port}`);
    const wall: number[] = [];
    for (let i = 0; i < runs; i++) wall.push(await timed(lab, argv()));
    const { pcapPath } = await cap.stop();
    const wire = await wireAllocateMs(pcapPath, relay.port, transport);
    rows.push({
      transport,
      client: name,
      allocations: wire.length,
      wireMedian: pct(wire, 0.5),
      wireP95: pct(wire, 0.95),
      processMedian: pct(wall, 0.5),
    });
  }
  // The same engine, warm: allocations one after the other in one Node process (wire-timed too).
  const cap = await lab.capture('server', `${transport} port ${relay.port}`);
  const t0 = performance.now();
  await timed(lab, [
    process.execPath,
    TURN_TOOL,
    '--server',
    `${relay.address}:${relay.port}`,
    '--transport',
    transport,
    '--user',
    USER,
    '--password',
    PASS,
    '--allocations',
    String(runs),
  ]);
  const perRun = (performance.now() - t0) / runs;
  const wire = await wireAllocateMs((await cap.stop()).pcapPath, relay.port, transport);
  rows.push({
    transport,
    client: 'NatScope engine, warm (one process)',
    allocations: wire.length,
    wireMedian: pct(wire, 0.5),
    wireP95: pct(wire, 0.95),
    processMedian: perRun,
  });
  return rows;
}

const lab = await startLab(variant);
const rows: Row[] = [];
try {
  const relay = await startCoturnRelay(lab, { users: { [USER]: PASS }, tls: false });
  await lab.startUdpTool('server2', 'echo', ['echo', '--bind', `${lab.addr.server2}:4000`], 4000);
  for (const t of ['udp', 'tcp'] as const) rows.push(...(await measure(lab, relay, t)));
} finally {
  await lab.destroy();
}

const f = (ms: number) => (Number.isFinite(ms) ? `${ms.toFixed(2)} ms` : '—');
const header = ['transport', 'client', 'allocations', 'wire median', 'wire p95', 'process median'];
const body = rows.map((r) => [
  r.transport,
  r.client,
  String(r.allocations),
  f(r.wireMedian),
  f(r.wireP95),
  f(r.processMedian),
]);
const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
console.log(`TURN allocation time against coturn (${variant} lab, ${runs} runs per client and transport)`);
console.log('wire = first Allocate → Allocate success on the server interface (401 round trip included)');
console.log(line(header));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const b of body) console.log(line(b));
