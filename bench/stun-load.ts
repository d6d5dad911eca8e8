// STUN load benchmark (issue #19; prints numbers, not a test): `natscope server` next to coturn
// (`--stun-only`) and Vovida stund, in the same run, on this machine. Needs root, Linux, a C
// compiler, taskset, coturn and stun-server (test/lab/install-deps.sh) and the built CLI
// (npm run build:node).
//
//   node bench/stun-load.ts [--seconds 5] [--reps 3] [--memory-load 180] [--settle 60]
//                           [--only natscope,coturn,stund] [--workers N] [--markdown]
//   node bench/stun-load.ts --quick        # a few seconds: one short round, no memory soak
//
// Everything runs in a network namespace of its own (loopback only). Each server gets its own
// loopback addresses and is pinned to core 0; the load generator (load-gen/stunload.c, compiled
// here with cc -O2: sendmmsg/recvmmsg, 512 source addresses 127.1.x.y, the send time carried in the
// transaction ID) is pinned to core 1. Per repetition, in rotated order, each server gets:
//   saturation   as many requests as answers make room for (20,000 outstanding at most): answers/s
//                and the server's CPU share (utime+stime from /proc)
//   40k/s        a fixed rate: CPU µs per answer; for natscope also its GC pauses (--trace-gc)
//   10k/s        a fixed rate: round-trip time percentiles (p50, p99)
// Then, once per server: RSS idle, RSS at the end of a --memory-load seconds load at 10k/s and
// RSS --settle seconds later. Figures are medians over the repetitions.
//
// natscope runs with its per-source and total STUN limits raised (--stun-rate, --stun-total-rate)
// so the benchmark measures its answer path, not its refusals: with the defaults (50/s per source)
// 512 sources at 40k/s would mostly be refused, which costs less than answering. coturn and stund
// have no such limit.
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  CLI,
  compileLoadGen,
  cpuSeconds,
  inOwnNamespace,
  median,
  rssMiB,
  runOnCore1,
  sleep,
  stopChild,
} from './load-gen/bench-host.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    reps: { type: 'string', default: '3' },
    'memory-load': { type: 'string', default: '180' },
    settle: { type: 'string', default: '60' },
    only: { type: 'string', default: 'natscope,coturn,stund' },
    workers: { type: 'string', default: '1' },
    quick: { type: 'boolean', default: false },
    markdown: { type: 'boolean', default: false },
  },
});
const QUICK = values.quick === true;
const SECONDS = QUICK ? 1 : Math.max(1, Number(values.seconds));
const REPS = QUICK ? 1 : Math.max(1, Number(values.reps));
const MEMORY_LOAD_S = QUICK ? 2 : Math.max(0, Number(values['memory-load']));
const SETTLE_S = QUICK ? 1 : Math.max(0, Number(values.settle));
const WORKERS = Math.max(1, Number(values.workers));
inOwnNamespace(import.meta.filename, 'stun', ['turnserver', 'stund']);
const [LOADGEN, work] = compileLoadGen('stunload');

interface Server {
  name: string;
  ip: string;
  cmd: string[];
}
const SERVERS: Server[] = [
  {
    name: 'natscope',
    ip: '127.0.0.2',
    cmd: [
      process.execPath,
      '--trace-gc',
      CLI,
      'server',
      '--address',
      '127.0.0.2',
      '--alternate-address',
      '127.0.0.3',
      '--no-sip',
      '--stun-rate',
      '1000000',
      '--stun-total-rate',
      '100000000',
      '--workers',
      String(WORKERS),
      '--log-level',
      'warn',
    ],
  },
  {
    name: 'coturn',
    ip: '127.0.0.4',
    cmd: [
      'turnserver',
      '-n',
      '--stun-only',
      '--no-cli',
      '--no-tls',
      '--no-dtls',
      '--no-tcp',
      '-L',
      '127.0.0.4',
      '-L',
      '127.0.0.5',
      '--listening-port',
      '3478',
      '--alt-listening-port',
      '3479',
      '--log-file',
      'stdout',
      '--simple-log',
      '--pidfile',
      join(work, 'turnserver.pid'),
      '--db',
      join(work, 'turndb'),
    ],
  },
  {
    name: 'stund',
    ip: '127.0.0.6',
    cmd: ['stund', '-h', '127.0.0.6', '-a', '127.0.0.7', '-p', '3478', '-o', '3479'],
  },
];
// natscope through node:dgram (`--stun-io dgram`, the fallback where the native addon is not built):
// only with --only …,natscope-dgram
SERVERS.push({
  name: 'natscope-dgram',
  ip: '127.0.0.8',
  cmd: SERVERS[0]!.cmd
    .map((a) => (a === '127.0.0.2' ? '127.0.0.8' : a === '127.0.0.3' ? '127.0.0.9' : a))
    .concat('--stun-io', 'dgram'),
});
let natscopeIo = 'not run';
const CHOSEN = SERVERS.filter((s) => values.only.split(',').includes(s.name));

interface Running {
  server: Server;
  child: ChildProcess;
  output: string[];
}

async function start(s: Server): Promise<Running> {
  const child = spawn('taskset', ['-c', '0', ...s.cmd], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const keep = (d: Buffer) => {
    output.push(d.toString('latin1'));
    if (output.length > 20_000) output.splice(0, 10_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const sock = dgram.createSocket('udp4');
  const req = Buffer.alloc(20);
  req.writeUInt16BE(1, 0);
  req.writeUInt32BE(0x2112a442, 4);
  let answered = false;
  sock.on('message', () => (answered = true));
  for (let i = 0; i < 100 && !answered; i++) {
    sock.send(req, 3478, s.ip);
    await sleep(100);
  }
  sock.close();
  if (!answered)
    throw new Error(`${s.name} did not answer STUN on ${s.ip}:3478\n${output.join('').slice(-2000)}`);
  if (s.name === 'natscope') {
    // evidence of the socket path measured: the start-up line ends "(recvmmsg)" or "(dgram)"
    natscopeIo = /\((recvmmsg|dgram)\)\. Ctrl-C stops/.exec(output.join(''))?.[1] ?? 'unknown';
    if (natscopeIo !== 'recvmmsg')
      console.error(
        `natscope answers through ${natscopeIo}, not recvmmsg: is dist/native/udp-batch.node built?`,
      );
  }
  return { server: s, child, output };
}

const stop = (r: Running) => stopChild(r.child);

interface LoadResult {
  sent: number;
  answered: number;
  answersPerSec: number;
  rttUs: { p50: number; p99: number; max: number };
}
interface Phase extends LoadResult {
  cpuPercent: number;
  cpuUsPerAnswer: number;
}

async function load(r: Running, rate: number, seconds: number): Promise<Phase> {
  const pid = r.child.pid!;
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  const out = await runOnCore1(LOADGEN, [
    '--server',
    `${r.server.ip}:3478`,
    '--rate',
    String(rate),
    '--seconds',
    String(seconds),
  ]);
  const wall = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(pid) - cpu0;
  const res = JSON.parse(out) as LoadResult;
  return {
    ...res,
    cpuPercent: (100 * cpu) / wall,
    cpuUsPerAnswer: res.answered > 0 ? (cpu * 1e6) / res.answered : NaN,
  };
}

/** natscope's GC pauses (ms) printed by --trace-gc since `from` ("…, pooled: 0 MB, 0.63 / 0.00 ms"). */
function gcPauses(r: Running, from: number): number[] {
  const text = r.output.slice(from).join('');
  const pauses: number[] = [];
  for (const m of text.matchAll(
    / ms: (Scavenge|Mark-Compact|Minor Mark-Sweep)\b[^\n]*?, ([\d.]+) \/ [\d.]+ ms/g,
  ))
    pauses.push(Number(m[2]));
  return pauses;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))]! : NaN;
};

type Row = {
  saturationPerSec: number[];
  saturationCpuPercent: number[];
  cpuUsPerAnswerAt40k: number[];
  answeredShareAt40k: number[];
  p50At10kMs: number[];
  p99At10kMs: number[];
  gcPauseMaxMsAt40k: number[];
  gcPauseP99MsAt40k: number[];
  rss?: { idleMiB: number; afterLoadMiB: number; settledMiB: number };
};
const rows = new Map<string, Row>(
  CHOSEN.map((s) => [
    s.name,
    {
      saturationPerSec: [],
      saturationCpuPercent: [],
      cpuUsPerAnswerAt40k: [],
      answeredShareAt40k: [],
      p50At10kMs: [],
      p99At10kMs: [],
      gcPauseMaxMsAt40k: [],
      gcPauseP99MsAt40k: [],
    },
  ]),
);

try {
  for (let rep = 0; rep < REPS; rep++) {
    const order = CHOSEN.map((_, i) => CHOSEN[(i + rep) % CHOSEN.length]!);
    for (const s of order) {
      const r = await start(s);
      const row = rows.get(s.name)!;
      try {
        await load(r, 2000, 1); // warm-up (JIT, caches)
        const sat = await load(r, 0, SECONDS);
        await sleep(1000);
        row.saturationPerSec.push(sat.answersPerSec);
        row.saturationCpuPercent.push(sat.cpuPercent);
        const gcFrom = r.output.length;
        const at40 = await load(r, 40_000, SECONDS);
        row.cpuUsPerAnswerAt40k.push(at40.cpuUsPerAnswer);
        row.answeredShareAt40k.push(at40.answered / Math.max(1, at40.sent));
        if (s.name === 'natscope') {
          const p = gcPauses(r, gcFrom);
          row.gcPauseMaxMsAt40k.push(p.length ? Math.max(...p) : 0);
          row.gcPauseP99MsAt40k.push(p.length ? pct(p, 0.99) : 0);
        }
        await sleep(1000); // what the 40k/s phase left queued must not count against the 10k/s one
        const at10 = await load(r, 10_000, SECONDS);
        row.p50At10kMs.push(at10.rttUs.p50 / 1000);
        row.p99At10kMs.push(at10.rttUs.p99 / 1000);
        console.error(
          `[rep ${rep + 1}/${REPS}] ${s.name}: ${Math.round(sat.answersPerSec)}/s at ${sat.cpuPercent.toFixed(0)} % CPU; ` +
            `${at40.cpuUsPerAnswer.toFixed(1)} µs/answer at 40k/s; p99 ${(at10.rttUs.p99 / 1000).toFixed(2)} ms at 10k/s`,
        );
      } finally {
        await stop(r);
      }
    }
  }
  if (MEMORY_LOAD_S > 0) {
    for (const s of CHOSEN) {
      const r = await start(s);
      try {
        await sleep(1000);
        const idleMiB = rssMiB(r.child.pid!);
        await load(r, 10_000, MEMORY_LOAD_S);
        const afterLoadMiB = rssMiB(r.child.pid!);
        await sleep(SETTLE_S * 1000);
        const settledMiB = rssMiB(r.child.pid!);
        rows.get(s.name)!.rss = { idleMiB, afterLoadMiB, settledMiB };
        console.error(
          `[memory] ${s.name}: RSS ${idleMiB.toFixed(1)} → ${afterLoadMiB.toFixed(1)} MiB after ${MEMORY_LOAD_S} s at 10k/s → ${settledMiB.toFixed(1)} MiB ${SETTLE_S} s later`,
        );
      } finally {
        await stop(r);
      }
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const summary = Object.fromEntries(
  [...rows].map(([name, r]) => [
    name,
    {
      saturationPerSec: Math.round(median(r.saturationPerSec)),
      saturationCpuPercent: Math.round(median(r.saturationCpuPercent)),
      cpuUsPerAnswerAt40k: +median(r.cpuUsPerAnswerAt40k).toFixed(2),
      answeredShareAt40k: +median(r.answeredShareAt40k).toFixed(4),
      p50At10kMs: +median(r.p50At10kMs).toFixed(3),
      p99At10kMs: +median(r.p99At10kMs).toFixed(3),
      ...(name === 'natscope'
        ? {
            gcPauseMaxMsAt40k: +median(r.gcPauseMaxMsAt40k).toFixed(2),
            gcPauseP99MsAt40k: +median(r.gcPauseP99MsAt40k).toFixed(2),
          }
        : {}),
      ...(r.rss
        ? {
            rssIdleMiB: +r.rss.idleMiB.toFixed(1),
            rssAfterLoadMiB: +r.rss.afterLoadMiB.toFixed(1),
            rssSettledMiB: +r.rss.settledMiB.toFixed(1),
          }
        : {}),
    },
  ]),
) as Record<string, Record<string, number>>;

const ns = summary.natscope;
const ratios = ns
  ? {
      saturationVsCoturn: summary.coturn
        ? +(ns.saturationPerSec! / summary.coturn.saturationPerSec!).toFixed(2)
        : null,
      cpuPerAnswerVsStund: summary.stund
        ? +(ns.cpuUsPerAnswerAt40k! / summary.stund.cpuUsPerAnswerAt40k!).toFixed(2)
        : null,
      rssSettledVsIdle: ns.rssIdleMiB ? +(ns.rssSettledMiB! / ns.rssIdleMiB).toFixed(2) : null,
    }
  : {};
console.log(
  JSON.stringify(
    {
      seconds: SECONDS,
      reps: REPS,
      memoryLoadSeconds: MEMORY_LOAD_S,
      settleSeconds: SETTLE_S,
      natscopeWorkers: WORKERS,
      natscopeIo,
      servers: summary,
      ratios,
    },
    null,
    2,
  ),
);
if (values.markdown) {
  const cell = (name: string, k: string, unit = '') => {
    const v = summary[name]?.[k];
    return v === undefined || Number.isNaN(v) ? '' : `${v.toLocaleString('en')}${unit}`;
  };
  const names = CHOSEN.map((s) => s.name);
  console.log(`\n| STUN (one core) | ${names.join(' | ')} |\n| --- |${names.map(() => ' --- |').join('')}`);
  const line = (label: string, k: string, unit = '') =>
    console.log(`| ${label} | ${names.map((n) => cell(n, k, unit)).join(' | ')} |`);
  line('answers/s at saturation', 'saturationPerSec');
  line('CPU at saturation', 'saturationCpuPercent', ' %');
  line('CPU µs per answer at 40k/s', 'cpuUsPerAnswerAt40k');
  line('RTT p50 at 10k/s', 'p50At10kMs', ' ms');
  line('RTT p99 at 10k/s', 'p99At10kMs', ' ms');
  line('GC pause max at 40k/s', 'gcPauseMaxMsAt40k', ' ms');
  line('RSS idle', 'rssIdleMiB', ' MiB');
  line(`RSS after ${MEMORY_LOAD_S} s at 10k/s`, 'rssAfterLoadMiB', ' MiB');
  line(`RSS ${SETTLE_S} s later`, 'rssSettledMiB', ' MiB');
}
