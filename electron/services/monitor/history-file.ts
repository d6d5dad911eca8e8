/**
 * The monitor's history file: JSON lines, appended one whole line per write(2) on an O_APPEND
 * descriptor, so a killed process leaves only complete lines (a power cut can tear the last one;
 * the next start cuts it off). Synced with fdatasync after every start/event/stop record and at
 * most every SYNC_INTERVAL_MS for interval records: a crash of the machine loses seconds, and a
 * one-second interval does not mean one disk flush per second. One writer at a time (a lock file
 * naming the pid; a dead writer's lock is taken over). Past MAX_BYTES the file is rotated to
 * FILE.1, so the history is bounded on disk too.
 */
import { createReadStream } from 'node:fs';
import {
  mkdir,
  open,
  readFile,
  rename,
  rm,
  stat,
  truncate,
  writeFile,
  type FileHandle,
} from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { NatScopeError } from '../../../shared/contracts/errors.ts';
import type { MonitorRecord } from '../../../shared/contracts/monitor.ts';
import { HistoryReplay } from '../../../shared/model/monitor/history.ts';

export const SYNC_INTERVAL_MS = 30_000;
export const MAX_BYTES = 64 * 1024 * 1024;

export interface HistoryFileOptions {
  now?: () => number;
  maxBytes?: number;
}

/** Reads a history file line by line into a replay (constant memory whatever its size). */
export async function replayFile(
  file: string,
  o: { maxPoints?: number; view?: boolean } = {},
): Promise<{ replay: HistoryReplay; exists: boolean }> {
  const replay = new HistoryReplay(o);
  const size = await stat(file).then(
    (s) => s.size,
    () => null,
  );
  if (size === null) return { replay, exists: false };
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of lines) replay.line(line);
  return { replay, exists: true };
}

/** Cuts a torn last line (no trailing newline) off the file; true if it did. */
async function repairTail(file: string): Promise<boolean> {
  const fh = await open(file, 'r').catch(() => null);
  if (!fh) return false;
  try {
    const { size } = await fh.stat();
    if (size === 0) return false;
    const tail = Buffer.alloc(Math.min(size, 64 * 1024));
    await fh.read(tail, 0, tail.length, size - tail.length);
    if (tail[tail.length - 1] === 0x0a) return false;
    const nl = tail.lastIndexOf(0x0a);
    // No newline in the last 64 KiB: no sane record is that long, cut the whole tail.
    await truncate(file, nl < 0 ? size - tail.length : size - tail.length + nl + 1);
    return true;
  } finally {
    await fh.close();
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Locks held by this process (its own pid in a lock file is stale unless listed here: pid reuse in containers). */
const heldLocks = new Set<string>();

async function takeLock(lock: string): Promise<void> {
  if (heldLocks.has(path.resolve(lock)))
    throw new NatScopeError(
      'refused',
      `a monitor in this process is already writing ${lock.replace(/\.lock$/, '')}`,
    );
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(lock, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      heldLocks.add(path.resolve(lock));
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && pidAlive(pid))
        throw new NatScopeError(
          'refused',
          `another monitor (pid ${pid}) is writing ${lock.replace(/\.lock$/, '')}: stop it or pass another --history file`,
        );
      await rm(lock, { force: true }); // a killed monitor's lock
    }
  }
  throw new NatScopeError('refused', `cannot lock ${lock}`);
}

async function releaseLock(lock: string): Promise<void> {
  heldLocks.delete(path.resolve(lock));
  await rm(lock, { force: true });
}

export class HistoryWriter {
  readonly file: string;
  private fh: FileHandle;
  private size: number;
  private lastSync: number;
  private readonly now: () => number;
  private readonly maxBytes: number;
  /** Appends are serialised: records reach the file in the order they were given. */
  private queue: Promise<void> = Promise.resolve();

  private constructor(file: string, fh: FileHandle, size: number, o: HistoryFileOptions) {
    this.file = file;
    this.fh = fh;
    this.size = size;
    this.now = o.now ?? Date.now;
    this.lastSync = this.now();
    this.maxBytes = o.maxBytes ?? MAX_BYTES;
  }

  /** Locks the file, repairs a torn tail, replays what is there, and opens it for appending. */
  static async open(
    file: string,
    o: HistoryFileOptions = {},
  ): Promise<{ writer: HistoryWriter; replay: HistoryReplay; repaired: boolean }> {
    await mkdir(path.dirname(path.resolve(file)), { recursive: true });
    const lock = `${file}.lock`;
    await takeLock(lock);
    try {
      const repaired = await repairTail(file);
      // a writer needs the state and the summary, not the timeline view (constant memory)
      const { replay } = await replayFile(file, { view: false });
      if (repaired) replay.skipped++;
      const fh = await open(file, 'a', 0o600);
      const { size } = await fh.stat();
      return { writer: new HistoryWriter(file, fh, size, o), replay, repaired };
    } catch (err) {
      await releaseLock(lock);
      throw err;
    }
  }

  append(record: MonitorRecord): Promise<void> {
    const run = async () => {
      const line = `${JSON.stringify(record)}\n`;
      if (this.size + line.length > this.maxBytes && this.size > 0) await this.rotate();
      await this.fh.write(line);
      this.size += Buffer.byteLength(line);
      if (record.type !== 'interval' || this.now() - this.lastSync >= SYNC_INTERVAL_MS) {
        await this.fh.datasync();
        this.lastSync = this.now();
      }
    };
    const p = this.queue.then(run);
    this.queue = p.catch(() => {});
    return p;
  }

  private async rotate(): Promise<void> {
    await this.fh.datasync();
    await this.fh.close();
    await rename(this.file, `${this.file}.1`);
    this.fh = await open(this.file, 'a', 0o600);
    this.size = 0;
  }

  async close(): Promise<void> {
    await this.queue;
    await this.fh.datasync().catch(() => {});
    await this.fh.close().catch(() => {});
    await releaseLock(`${this.file}.lock`);
  }
}
