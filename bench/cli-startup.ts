// CLI start-up: wall time and CPU of `natscope --help` and `natscope network` next to a bare
// `node -e 0`, measured in the same run. The commands run interleaved, in a rotating order, so a
// load spike from other work on the machine hits all of them alike; the figures are medians.
//
//   npm run build:node && node bench/cli-startup.ts [--runs 40] [--markdown]
//
// Target (issue #19): `natscope --help` and `natscope network` within 2x of `node -e 0`. The
// compile cache (module.enableCompileCache in the launcher) is warmed first, as after a user's
// first run.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';

const args = process.argv.slice(2);
const RUNS = Number(args[args.indexOf('--runs') + 1] || 0) || 40;
const MARKDOWN = args.includes('--markdown');
const CLI = path.resolve(import.meta.dirname, '../dist/cli/natscope.mjs');
if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build:node first`);

const CASES: { name: string; argv: string[] }[] = [
  { name: 'node -e 0', argv: ['-e', '0'] },
  { name: 'natscope --help', argv: [CLI, '--help'] },
  { name: 'natscope network', argv: [CLI, 'network'] },
  { name: 'natscope -V', argv: [CLI, '-V'] },
];
const CLK_TCK = 100; // USER_HZ on Linux

/** CPU time of this process's waited-for children (utime + stime of /proc/self/stat's cutime, cstime). */
function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[13]) + Number(f[14])) * 1000) / CLK_TCK;
}

function once(argv: string[]): { wallMs: number; cpuMs: number } {
  const cpu0 = childrenCpuMs();
  const t0 = performance.now();
  const r = spawnSync(process.execPath, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { wallMs, cpuMs: childrenCpuMs() - cpu0 };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

for (const c of CASES) for (let i = 0; i < 3; i++) once(c.argv); // warm the compile and page caches
const load0 = loadavg()[0]!;
const wall = CASES.map(() => [] as number[]);
const cpu = CASES.map(() => 0);
for (let r = 0; r < RUNS; r++) {
  for (let k = 0; k < CASES.length; k++) {
    const i = (k + r) % CASES.length; // rotate which command goes first
    const m = once(CASES[i]!.argv);
    wall[i]!.push(m.wallMs);
    cpu[i]! += m.cpuMs;
  }
}
const load1 = loadavg()[0]!;
const base = median(wall[0]!);
const rows = CASES.map((c, i) => {
  const w = median(wall[i]!);
  return { name: c.name, wall: w, cpu: cpu[i]! / RUNS, ratio: w / base };
});

console.log(
  `CLI start-up — Node ${process.versions.node}, ${RUNS} interleaved runs each, load average ${load0.toFixed(1)} → ${load1.toFixed(1)}`,
);
if (MARKDOWN) {
  console.log('\n| command | wall (median) | CPU (mean) | × `node -e 0` |\n| --- | --- | --- | --- |');
  for (const r of rows)
    console.log(
      `| \`${r.name}\` | ${r.wall.toFixed(1)} ms | ${r.cpu.toFixed(1)} ms | ${r.ratio.toFixed(2)} |`,
    );
} else {
  for (const r of rows)
    console.log(
      `  ${r.name.padEnd(18)} wall ${r.wall.toFixed(1).padStart(6)} ms  CPU ${r.cpu.toFixed(1).padStart(6)} ms  ${r.ratio.toFixed(2)}x node -e 0`,
    );
}
const slow = rows.filter((r) => r.name !== 'node -e 0' && r.name !== 'natscope -V' && r.ratio > 2);
console.log(
  slow.length
    ? `\nOVER TARGET (2x node -e 0): ${slow.map((r) => r.name).join(', ')}`
    : '\nWithin target: every command starts in at most 2x the time of node -e 0.',
);
process.exitCode = slow.length ? 1 : 0;
