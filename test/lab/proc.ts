// Process helpers for the lab: bounded command execution, background peers with logs,
// liveness via /proc/PID/stat, and bounded waits.

import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, existsSync } from 'node:fs';

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** Exit code; null when killed by a signal (e.g. on timeout). */
  code: number | null;
  timedOut: boolean;
}

export interface ExecOptions {
  /** Kill the command after this long (default 30 s). */
  timeoutMs?: number;
  /** Text written to stdin. */
  input?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** Run argv to completion, bounded by a timeout. Never rejects for a non-zero exit. */
export function run(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const [cmd, ...args] = argv;
    if (cmd === undefined) {
      reject(new Error('run: empty argv'));
      return;
    }
    // own process group, so a timeout kills the whole command (sh -c and its children)
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
      // do not wait for grandchildren holding the pipes open
      setTimeout(() => resolve({ stdout, stderr, code: null, timedOut }), 500).unref();
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ stdout, stderr: stderr + String(err), code: 127, timedOut });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code, timedOut });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}

/** Run argv and throw (with its output) unless it exits 0. */
export async function runOk(argv: readonly string[], opts: ExecOptions = {}): Promise<string> {
  const r = await run(argv, opts);
  if (r.code !== 0) {
    throw new Error(
      `command failed (${r.timedOut ? 'timeout' : `exit ${r.code}`}): ${argv.join(' ')}\n${r.stderr}${r.stdout}`,
    );
  }
  return r.stdout;
}

/** Synchronous variant for teardown paths (signal / exit handlers). */
export function runSync(argv: readonly string[], timeoutMs = 10_000): { code: number | null; out: string } {
  const [cmd, ...args] = argv;
  if (cmd === undefined) return { code: 127, out: '' };
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: timeoutMs });
  return { code: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** Process state letter from /proc/PID/stat ('R', 'S', 'Z', ...), or null if gone. */
export function procState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const m = /\) (\S)/.exec(stat);
    return m?.[1] ?? null;
  } catch {
    return null;
  }
}

/** Alive = exists and is not a zombie/dead. (kill -0 succeeds on zombies.) */
export function isAlive(pid: number): boolean {
  const s = procState(pid);
  return s !== null && s !== 'Z' && s !== 'X' && s !== 'x';
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Poll `check` until it returns a truthy value; throw `describe()` after timeoutMs. */
export async function waitFor<T>(
  what: string,
  check: () => T | Promise<T>,
  timeoutMs: number,
  intervalMs = 25,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/**
 * Sockets of the network namespace `pid` lives in, read from /proc/PID/net/{udp,tcp}.
 * Returns true when a UDP socket is bound to `port` (or a TCP socket listens on it).
 */
export function hasSocket(pid: number, proto: 'udp' | 'tcp', port: number, ip?: string): boolean {
  const portHex = port.toString(16).toUpperCase().padStart(4, '0');
  const ipHex = ip === undefined ? undefined : ipToProcHex(ip);
  // dual-stack daemons (miniupnpd's HTTP) listen on tcp6/udp6 sockets
  for (const table of [proto, `${proto}6`]) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const local = cols[1];
      const state = cols[3];
      if (local === undefined) continue;
      const [addr, p] = local.split(':');
      if (p !== portHex || addr === undefined) continue;
      const any = /^0+$/.test(addr);
      if (ipHex !== undefined && addr !== ipHex && !any) continue;
      if (proto === 'tcp' && state !== '0A') continue;
      return true;
    }
  }
  return false;
}

function ipToProcHex(ip: string): string {
  return ip
    .split('.')
    .map((o) => Number(o).toString(16).toUpperCase().padStart(2, '0'))
    .reverse()
    .join('');
}

/** A long-running process (peer) with its output captured to a log file. */
export class Peer {
  readonly name: string;
  readonly host: string;
  readonly argv: readonly string[];
  readonly logPath: string;
  readonly child: ChildProcess;
  readonly pid: number;
  exitCode: number | null = null;
  exitSignal: string | null = null;
  exited = false;
  readonly exitPromise: Promise<number | null>;

  constructor(
    name: string,
    host: string,
    argv: readonly string[],
    logPath: string,
    cwd?: string,
    detached = false,
  ) {
    this.name = name;
    this.host = host;
    this.argv = argv;
    this.logPath = logPath;
    const fd = openSync(logPath, 'a');
    const [cmd, ...args] = argv;
    if (cmd === undefined) throw new Error('Peer: empty argv');
    // detached peers (manual labs) get their own session and outlive the starting process
    this.child = spawn(cmd, args, { stdio: ['ignore', fd, fd], cwd, detached });
    closeSync(fd);
    if (detached) this.child.unref();
    if (this.child.pid === undefined) throw new Error(`could not start ${name}: ${argv.join(' ')}`);
    this.pid = this.child.pid;
    this.exitPromise = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exited = true;
        this.exitCode = code;
        this.exitSignal = signal;
        resolve(code);
      });
      this.child.on('error', () => {
        this.exited = true;
        resolve(null);
      });
    });
  }

  alive(): boolean {
    return !this.exited && isAlive(this.pid);
  }

  log(): string {
    try {
      return existsSync(this.logPath) ? readFileSync(this.logPath, 'utf8') : '';
    } catch {
      return '';
    }
  }

  /** Wait for the process to exit by itself; returns its exit code, throws on timeout. */
  async waitExit(timeoutMs: number): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${this.name} did not exit within ${timeoutMs} ms\n${tail(this.log())}`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.exitPromise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGTERM, then SIGKILL after graceMs. Bounded. */
  async stop(graceMs = 1000, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.exited) return;
    try {
      this.child.kill(signal);
    } catch {
      /* gone */
    }
    const done = await Promise.race([this.exitPromise.then(() => true), sleep(graceMs).then(() => false)]);
    if (!done && !this.exited) {
      try {
        this.child.kill('SIGKILL');
      } catch {
        /* gone */
      }
      await Promise.race([this.exitPromise, sleep(1000)]);
    }
  }

  /** Throw with the log attached if the process is not running. */
  assertAlive(): void {
    if (!this.alive()) {
      throw new Error(
        `${this.name} on ${this.host} exited (code ${this.exitCode}, signal ${this.exitSignal})\n${tail(this.log())}`,
      );
    }
  }
}

export function tail(text: string, lines = 60): string {
  const all = text.split('\n');
  return all.slice(Math.max(0, all.length - lines)).join('\n');
}
