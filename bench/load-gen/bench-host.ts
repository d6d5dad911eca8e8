// What bench/stun-load.ts and bench/rtp-echo.ts share: running in a network namespace of their own,
// compiling their C load generator, and reading a process's CPU time and RSS from /proc.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
export const CLI = join(ROOT, 'dist/cli/natscope.mjs');

/**
 * Checks the prerequisites, then runs `script` again inside a fresh network namespace (loopback
 * only, so fixed addresses and ports never collide with anyone's) and exits with its status.
 * Returns only in the re-run, inside the namespace.
 */
export function inOwnNamespace(script: string, label: string, tools: string[]): void {
  const marker = `BENCH_NS_${label.toUpperCase()}`;
  if (process.env[marker]) return;
  const problems = [
    process.platform !== 'linux' && 'Linux only',
    process.getuid?.() !== 0 && 'needs root (ip netns)',
    !existsSync(CLI) && 'build the CLI first: npm run build:node',
    ...['cc', 'taskset', ...tools].map(
      (t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0 && `${t} not installed`,
    ),
  ].filter(Boolean);
  if (problems.length) {
    console.error(`bench: ${problems.join('; ')}`);
    process.exit(2);
  }
  const ns = `nsbench-${label}-${process.pid}`;
  spawnSync('ip', ['netns', 'add', ns]);
  spawnSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, script, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, [marker]: ns },
  });
  spawnSync('ip', ['netns', 'del', ns]);
  process.exit(r.status ?? 1);
}

/** Compiles bench/load-gen/<name>.c with cc -O2 into a temporary directory; returns [binary, directory]. */
export function compileLoadGen(name: string): [string, string] {
  const work = mkdtempSync(join(tmpdir(), `${name}-bench-`));
  const bin = join(work, name);
  const cc = spawnSync('cc', ['-O2', '-o', bin, join(ROOT, `bench/load-gen/${name}.c`)], {
    encoding: 'utf8',
  });
  if (cc.status !== 0) {
    console.error(`bench: cc failed\n${cc.stderr}`);
    process.exit(2);
  }
  return [bin, work];
}

const TICK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;
/** CPU seconds (user + system, all threads) the process has used. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / TICK;
}

export function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs a load generator pinned to core 1; resolves with its stdout (one JSON line). */
export function runOnCore1(bin: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const g = spawn('taskset', ['-c', '1', bin, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let s = '';
    g.stdout.on('data', (d: Buffer) => (s += d.toString()));
    g.on('exit', (code) => (code === 0 ? resolve(s) : reject(new Error(`${bin} exited ${code}`))));
  });
}

/** SIGTERM, then SIGKILL after 3 s. */
export async function stopChild(child: ChildProcess): Promise<void> {
  const exited = new Promise((res) => child.once('exit', res));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(3000)]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

export const median = (xs: number[]) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : NaN;
};
