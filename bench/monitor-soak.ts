// Soak (prints numbers; the 2-minute version also runs in CI, in the serial lab-quiet phase:
// test/lab/monitor-soak.quiet.lab.test.ts):
// `natscope monitor` at a 1 s interval in the lab for 30 minutes with every probe on — STUN from the
// SIP port and a fresh port with 20 pings (coturn), the router (miniupnpd: UPnP listing with
// NatScope's own mapping, NAT-PMP, PCP), a registration refresh (SIPp), an echo call every 30
// intervals (SIPp) — and whether its memory and file descriptors stay flat.
//
//   node bench/monitor-soak.ts [--minutes 30] [--interval 1] [--check]
//
// The monitor runs in-process in the lab's client namespace (this script starts itself there with
// --expose-gc): after every interval it counts its open file descriptors, and every 10th interval
// it forces a GC and reads what it retains — the V8 heap's data spaces plus ArrayBuffers (a leaked
// call keeps its RTP buffers there), without the code spaces, which grow while the JIT compiles
// rarely-run paths (the echo call every 30 s) and are bounded by the program's size. Slopes are
// least-squares fits after the first fifth of the run. --check exits 1 when the retained data
// grows more than MAX_DATA_SLOPE_KB_PER_MIN, the descriptor count after warm-up exceeds its
// warm-up maximum, or a quiet lab produced an event.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';

/** A leak of 1 KiB per interval at 1 s is 60 KiB/min: over the limit (a clean 2-minute run measures up to ~32 KiB/min of noise). Compiled code is not counted. */
const MAX_DATA_SLOPE_KB_PER_MIN = 48;
/** One leaked echo call keeps ≥ 512 KiB of RTP buffers. */
const MAX_BUFFER_GROWTH_KB = 256;

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    interval: { type: 'string', default: '1' },
    check: { type: 'boolean', default: false },
    jitless: { type: 'boolean', default: false },
    child: { type: 'string' },
  },
});

interface Sample {
  t: number;
  seq: number;
  fds: number;
  rss: number;
  /** V8's committed heap (young generation included): where RSS steps come from when it resizes. */
  heapTotal: number;
  /** After a forced GC: the whole V8 heap, its data spaces (objects, strings; no compiled code), ArrayBuffers. */
  heap?: number;
  data?: number;
  buffers?: number;
  /** After a forced GC: what V8 has committed per heap space (used or not). */
  committed?: Record<string, number>;
  cpuMs: number;
}

/** V8 spaces that hold compiled code and its metadata: they grow while the JIT warms up, not with leaks. */
const CODE_SPACES =
  /^(code|trusted|shared_trusted|code_large_object|trusted_large_object|shared_trusted_large_object|read_only)_space$/;

function memoryAfterGc(gc: () => void): Pick<Sample, 'heap' | 'data' | 'buffers' | 'committed'> {
  gc();
  const spaces = v8.getHeapSpaceStatistics();
  const data = spaces
    .filter((s) => !CODE_SPACES.test(s.space_name))
    .reduce((n, s) => n + s.space_used_size, 0);
  const m = process.memoryUsage();
  const committed = Object.fromEntries(spaces.map((s) => [s.space_name, s.space_size]));
  return { heap: m.heapUsed, data, buffers: m.arrayBuffers, committed };
}

if (values.child !== undefined) await child(JSON.parse(values.child) as ChildArgs);
else await parent();

interface ChildArgs {
  input: Record<string, unknown>;
  stateDir: string;
  history: string;
}

/** In the client namespace: the monitor service itself, sampled after each interval. */
async function child(a: ChildArgs): Promise<void> {
  process.env.NATSCOPE_STATE_DIR = a.stateDir;
  const { createServices } = await import('../electron/services/services.ts');
  const services = createServices('cli');
  const gc = (globalThis as { gc?: () => void }).gc;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const out = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
  const ctl = new AbortController();
  process.on('SIGTERM', () => ctl.abort());
  const result = await services.monitor.run(
    a.input as never,
    {
      signal: ctl.signal,
      emit: (e) => {
        if (e.kind === 'event') out({ type: 'event', kind: e.event.kind, title: e.event.title });
        if (e.kind !== 'interval') return;
        const seq = e.sample.seq;
        // every 10th interval, never right after an echo call (its buffers may not be collectable yet)
        const mem = seq % 10 === 5 && gc ? memoryAfterGc(gc) : undefined;
        const cpu = process.cpuUsage(cpu0);
        const s: Sample = {
          t: (performance.now() - t0) / 1000,
          seq,
          fds: readdirSync('/proc/self/fd').length,
          rss: process.memoryUsage.rss(),
          heapTotal: process.memoryUsage().heapTotal,
          cpuMs: (cpu.user + cpu.system) / 1000,
          ...mem,
        };
        out({ type: 'sample', ...s, durationMs: e.sample.durationMs, echo: e.sample.echo !== null });
      },
    },
    { historyPath: a.history },
  );
  out({ type: 'result', intervals: result.intervals, summary: result.summary });
}

/** Least-squares slope of y over x. */
function slope(points: [number, number][]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p[0], 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  const num = points.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0);
  const den = points.reduce((s, p) => s + (p[0] - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

async function parent(): Promise<void> {
  const { labSupport } = await import('../test/lab/support.ts');
  const support = labSupport();
  if (!support.ok) {
    console.error(`bench: ${support.reason}`);
    process.exit(2);
  }
  const { startMonitorLab } = await import('../test/lab/monitor-process.ts');
  const minutes = Number(values.minutes);
  const intervalSec = Number(values.interval);
  const world = await startMonitorLab();
  const { lab } = world;
  const samples: Sample[] = [];
  const events: string[] = [];
  let result: { intervals: number; summary: { intervals: number; eventCounts: object } } | null = null;
  try {
    const input = {
      ...world.input({ intervalSec, echoEvery: 30, echoSeconds: 3 }),
      durationSec: minutes * 60,
    };
    const history = join(mkdtempSync(join(tmpdir(), 'natscope-soak-')), 'soak.jsonl');
    const argv = [
      'ip',
      ...['netns', 'exec', lab.nsOf('client'), process.execPath, '--expose-gc'],
      ...(values.jitless ? ['--no-opt', '--no-maglev', '--no-sparkplug'] : []),
      import.meta.filename,
      ...['--child', JSON.stringify({ input, stateDir: world.stateDir, history })],
    ];
    const proc = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = createInterface({ input: proc.stdout });
    let lastPrint = 0;
    for await (const line of lines) {
      const o = JSON.parse(line) as { type: string } & Record<string, unknown>;
      if (o.type === 'sample') {
        samples.push(o as unknown as Sample);
        const s = o as unknown as Sample;
        if (s.t - lastPrint >= 60) {
          lastPrint = s.t;
          console.error(
            `  ${(s.t / 60).toFixed(1)} min: #${s.seq}, fds ${s.fds}, rss ${(s.rss / 1048576).toFixed(1)} MiB, heapTotal ${(s.heapTotal / 1048576).toFixed(1)} MiB`,
          );
        }
      } else if (o.type === 'event') events.push(`${o.kind as string}: ${o.title as string}`);
      else if (o.type === 'result') result = o as never;
    }
    const code = await new Promise<number | null>((r) => proc.on('exit', r));
    if (code !== 0) throw new Error(`monitor child exited with ${code}`);
  } finally {
    await lab.destroy();
  }
  report(samples, events, result, minutes, intervalSec);
}

function report(
  samples: Sample[],
  events: string[],
  result: { intervals: number } | null,
  minutes: number,
  intervalSec: number,
): void {
  const warmFrom = (minutes * 60) / 5;
  const warm = samples.filter((s) => s.t >= warmFrom);
  const early = samples.filter((s) => s.t < warmFrom);
  const fit = (pick: (s: Sample) => number | undefined) =>
    warm.filter((s) => pick(s) !== undefined).map((s) => [s.t / 60, pick(s)! / 1024] as [number, number]);
  const heapPts = fit((s) => s.heap);
  const dataPts = fit((s) => s.data);
  const dataSlope = slope(dataPts);
  // ArrayBuffers come and go with each echo call: a leak raises their floor.
  const third = (k: number) =>
    warm.filter((s) => s.buffers !== undefined).filter((_, i, a) => Math.floor((i * 3) / a.length) === k);
  const floor = (xs: Sample[]) => Math.min(...xs.map((s) => s.buffers!));
  const bufferGrowth = floor(third(2)) - floor(third(0));
  const fdsWarm = Math.max(...early.map((s) => s.fds));
  const fdsAfter = warm.map((s) => s.fds);
  const last = samples.at(-1)!;
  const kb = (x: number) => `${(x / 1024).toFixed(0)} KiB`;
  const mib = (x: number) => `${(x / 1048576).toFixed(1)} MiB`;
  const range = (pts: [number, number][]) =>
    `${kb(Math.min(...pts.map((p) => p[1] * 1024)))}–${kb(Math.max(...pts.map((p) => p[1] * 1024)))}`;
  const lines = [
    `monitor soak: ${minutes} min at a ${intervalSec} s interval, ${result?.intervals ?? samples.length} intervals${values.jitless ? ' (optimising JIT off: compiled code cannot blur the slope)' : ''}`,
    `  retained JS data after GC (no compiled code): ${range(dataPts)}, slope ${dataSlope.toFixed(1)} KiB/min`,
    `  ArrayBuffers after GC, floor: ${kb(floor(third(0)))} in the first third, ${kb(floor(third(2)))} in the last`,
    `  whole V8 heap after GC: ${range(heapPts)}, slope ${slope(heapPts).toFixed(1)} KiB/min`,
    `  RSS: slope ${slope(warm.map((s) => [s.t / 60, s.rss / 1024])).toFixed(1)} KiB/min, ${mib(samples[0]!.rss)} at the start, ${mib(early.at(-1)!.rss)} after warm-up, ${mib(last.rss)} at the end`,
    `  V8 committed heap (heapTotal): ${mib(samples[0]!.heapTotal)} at the start, ${mib(early.at(-1)!.heapTotal)} after warm-up, ${mib(last.heapTotal)} at the end`,
    `  V8 committed per space after GC, after warm-up → end (spaces that moved ≥ 1 MiB): ${committedGrowth(warm)}`,
    `  file descriptors: ${Math.min(...early.map((s) => s.fds))}–${fdsWarm} in warm-up, ${Math.min(...fdsAfter)}–${Math.max(...fdsAfter)} after`,
    `  CPU: ${((last.cpuMs / 1000 / last.t) * 100).toFixed(2)} % of one core (${(last.cpuMs / samples.length).toFixed(1)} ms per interval)`,
    `  events: ${events.length ? events.join('; ') : 'none'}`,
  ];
  for (const l of lines) console.log(l);
  if (!values.check) return;
  const failures: string[] = [];
  if (dataSlope > MAX_DATA_SLOPE_KB_PER_MIN)
    failures.push(`retained data grows ${dataSlope.toFixed(1)} KiB/min (limit ${MAX_DATA_SLOPE_KB_PER_MIN})`);
  if (bufferGrowth > MAX_BUFFER_GROWTH_KB * 1024)
    failures.push(`ArrayBuffers' floor grew ${kb(bufferGrowth)} (limit ${MAX_BUFFER_GROWTH_KB} KiB)`);
  if (Math.max(...fdsAfter) > fdsWarm)
    failures.push(`descriptors grew from ${fdsWarm} to ${Math.max(...fdsAfter)}`);
  if (events.length) failures.push(`events in a quiet lab: ${events.join('; ')}`);
  if (samples.length < (minutes * 60) / intervalSec / 2)
    failures.push(`only ${samples.length} intervals ran`);
  for (const f of failures) console.log(`FAIL: ${f}`);
  process.exitCode = failures.length ? 1 : 0;
}

/** Which V8 heap spaces hold on to more committed memory at the end than after warm-up. */
function committedGrowth(warm: Sample[]): string {
  const withSpaces = warm.filter((s) => s.committed);
  const first = withSpaces[0]?.committed;
  const last = withSpaces.at(-1)?.committed;
  if (!first || !last) return 'not sampled';
  const mib = (x: number) => (x / 1048576).toFixed(1);
  const moved = Object.keys(last)
    .filter((k) => Math.abs((last[k] ?? 0) - (first[k] ?? 0)) >= 1048576)
    .map((k) => `${k} ${mib(first[k] ?? 0)} → ${mib(last[k]!)} MiB`);
  return moved.length ? moved.join(', ') : 'none';
}
