/**
 * The lease ledger: a small JSON file listing every port mapping NatScope created and has not yet
 * removed, so that a crashed or killed run's mappings are removed at the next start. An entry is
 * written BEFORE the router is asked (state "pending") so a kill between the two still leaves a
 * record; cleanup then checks the router's table before deleting anything.
 * State dir: $NATSCOPE_STATE_DIR, else $XDG_STATE_HOME/natscope, else ~/.local/state/natscope
 * (%LOCALAPPDATA%\natscope on Windows). Writes are atomic (temp file + rename) under a lock file.
 */
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

export type Via = 'upnp' | 'natpmp' | 'pcp';

export interface LedgerOwner {
  pid: number;
  /** Process start time (Linux /proc/PID/stat field 22) to tell a reused pid apart; null elsewhere. */
  startTime: string | null;
}

export interface LedgerEntry {
  id: string;
  via: Via;
  protocol: 'udp' | 'tcp';
  externalPort: number;
  internalPort: number;
  internalClient: string;
  externalIp: string | null;
  /** NAT-PMP/PCP gateway address, or the IGD's host for UPnP. */
  gateway: string;
  description: string;
  /** Granted lease in seconds; 0 = permanent (only after the user accepted it). */
  leaseSeconds: number;
  createdAt: number;
  /** Wall-clock ms when the lease ends; null = permanent. */
  expiresAt: number | null;
  state: 'pending' | 'active';
  /** Left in place on exit on purpose ("keep"); the lease still bounds it. */
  kept: boolean;
  owner: LedgerOwner;
  upnp?: { controlUrl: string; serviceType: string };
  /** PCP nonce (hex): delete must reuse it. */
  pcpNonce?: string;
}

interface LedgerFile {
  version: 1;
  entries: LedgerEntry[];
}

export function defaultStateDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home = os.homedir(),
): string {
  if (env.NATSCOPE_STATE_DIR) return env.NATSCOPE_STATE_DIR;
  if (platform === 'win32')
    return path.join(env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'natscope');
  if (env.XDG_STATE_HOME) return path.join(env.XDG_STATE_HOME, 'natscope');
  return path.join(home, '.local', 'state', 'natscope');
}

export function newEntryId(): string {
  return randomBytes(4).toString('hex');
}

function procStartTime(pid: number): string | null {
  if (process.platform !== 'linux') return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) may contain spaces; fields after the last ')' are fixed.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19] ?? null; // field 22 = index 19 after state (field 3)
  } catch {
    return null;
  }
}

function procState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? null;
  } catch {
    return null;
  }
}

export function currentOwner(): LedgerOwner {
  return { pid: process.pid, startTime: procStartTime(process.pid) };
}

/** True when the process that created an entry still runs (a zombie or a reused pid counts as dead). */
export function isOwnerAlive(owner: LedgerOwner): boolean {
  if (owner.pid === process.pid)
    return owner.startTime === null || owner.startTime === procStartTime(process.pid);
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (process.platform === 'linux') {
    const state = procState(owner.pid);
    if (state === null || state === 'Z' || state === 'X') return false;
    if (owner.startTime !== null && procStartTime(owner.pid) !== owner.startTime) return false;
  }
  return true;
}

export interface MappingLedger {
  readonly file: string;
  list(): Promise<LedgerEntry[]>;
  /** Read-modify-write under the lock; `fn` returns the new entries and a result. */
  update<T>(fn: (entries: LedgerEntry[]) => { entries: LedgerEntry[]; result: T }): Promise<T>;
  add(entry: LedgerEntry): Promise<void>;
  patch(id: string, patch: Partial<LedgerEntry>): Promise<void>;
  remove(id: string): Promise<void>;
}

const LOCK_STALE_MS = 10_000;

/** True when the lock names an owner that no longer runs (gone, zombie, reused pid); false when unsure. */
async function lockHolderGone(lockFile: string): Promise<boolean> {
  const text = await readFile(lockFile, 'utf8').catch(() => '');
  let owner: unknown;
  try {
    owner = JSON.parse(text);
  } catch {
    return false; // being written, or another format: let the age rule decide
  }
  const o = owner as Partial<LedgerOwner> | null;
  if (typeof o?.pid !== 'number' || !Number.isInteger(o.pid) || o.pid <= 0) return false;
  return !isOwnerAlive({ pid: o.pid, startTime: typeof o.startTime === 'string' ? o.startTime : null });
}
const LOCK_WAIT_MS = 3_000;

export function openLedger(dir: string): MappingLedger {
  const file = path.join(dir, 'mappings.json');
  const lockFile = `${file}.lock`;

  async function read(): Promise<LedgerEntry[]> {
    let raw: string;
    try {
      raw = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    try {
      const parsed = JSON.parse(raw) as LedgerFile;
      if (parsed?.version !== 1 || !Array.isArray(parsed.entries)) throw new Error('unknown ledger format');
      return parsed.entries.filter(isEntry);
    } catch {
      // Keep the unreadable file for inspection and start afresh rather than fail every command.
      await rename(file, `${file}.corrupt-${Date.now()}`).catch(() => {});
      return [];
    }
  }

  async function write(entries: LedgerEntry[]): Promise<void> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify({ version: 1, entries } satisfies LedgerFile, null, 2)}\n`, {
      mode: 0o600,
    });
    await rename(tmp, file);
  }

  async function lock(): Promise<() => Promise<void>> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const start = Date.now();
    while (true) {
      try {
        const h = await open(lockFile, 'wx', 0o600);
        await h.writeFile(JSON.stringify(currentOwner()));
        await h.close();
        return () => rm(lockFile, { force: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const age = await stat(lockFile).then(
          (s) => Date.now() - s.mtimeMs,
          () => 0,
        );
        // A holder killed with SIGKILL never unlocks: its lock is stale at once, not after 10 s.
        if (age > LOCK_STALE_MS || (await lockHolderGone(lockFile))) {
          await rm(lockFile, { force: true });
          continue;
        }
        if (Date.now() - start > LOCK_WAIT_MS)
          throw new Error(`ledger ${lockFile} is locked by another process`, { cause: err });
        await new Promise((r) => setTimeout(r, 25));
      }
    }
  }

  const ledger: MappingLedger = {
    file,
    list: read,
    async update(fn) {
      const unlock = await lock();
      try {
        const { entries, result } = fn(await read());
        await write(entries);
        return result;
      } finally {
        await unlock();
      }
    },
    add: (entry) =>
      ledger.update((es) => ({
        entries: [...es.filter((e) => e.id !== entry.id), entry],
        result: undefined,
      })),
    patch: (id, p) =>
      ledger.update((es) => ({
        entries: es.map((e) => (e.id === id ? { ...e, ...p } : e)),
        result: undefined,
      })),
    remove: (id) => ledger.update((es) => ({ entries: es.filter((e) => e.id !== id), result: undefined })),
  };
  return ledger;
}

function isEntry(e: unknown): e is LedgerEntry {
  if (e === null || typeof e !== 'object') return false;
  const x = e as Record<string, unknown>;
  return (
    typeof x.id === 'string' &&
    (x.via === 'upnp' || x.via === 'natpmp' || x.via === 'pcp') &&
    (x.protocol === 'udp' || x.protocol === 'tcp') &&
    typeof x.externalPort === 'number' &&
    typeof x.internalPort === 'number' &&
    typeof x.gateway === 'string' &&
    typeof x.owner === 'object' &&
    x.owner !== null
  );
}
