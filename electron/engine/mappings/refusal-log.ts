/**
 * Remembers, for a while, that a gateway refused a mapping with a double-NAT signal (UPnP 501,
 * NAT-PMP 3, PCP NO_RESOURCES), so that the read-only router report of a later run can still say
 * "this router refuses mappings" without creating one. Kept next to the ledger
 * (refusals.json), at most 50 records, each forgotten after `ttlMs` or when a mapping through the
 * same protocol succeeds on that gateway.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface RefusalRecord {
  gateway: string;
  via: 'upnp' | 'natpmp' | 'pcp';
  code: number;
  /** Wall-clock ms. */
  at: number;
}

export interface RefusalLog {
  record(r: RefusalRecord): Promise<void>;
  /** A mapping through `via` worked on `gateway`: forget its refusals. */
  clear(gateway: string, via: RefusalRecord['via']): Promise<void>;
  recent(gateway: string, now: number): Promise<RefusalRecord[]>;
}

const MAX = 50;

export function openRefusalLog(dir: string, ttlMs = 3_600_000): RefusalLog {
  const file = path.join(dir, 'refusals.json');
  async function read(): Promise<RefusalRecord[]> {
    try {
      const v = JSON.parse(await readFile(file, 'utf8')) as unknown;
      return Array.isArray(v)
        ? v.filter(
            (r): r is RefusalRecord =>
              typeof r?.gateway === 'string' &&
              typeof r?.code === 'number' &&
              typeof r?.at === 'number' &&
              ['upnp', 'natpmp', 'pcp'].includes(r?.via),
          )
        : [];
    } catch {
      return [];
    }
  }
  async function write(rs: RefusalRecord[]): Promise<void> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(rs.slice(-MAX)), { mode: 0o600 });
    await rename(tmp, file);
  }
  return {
    async record(r) {
      await write([...(await read()).filter((x) => r.at - x.at < ttlMs), r]);
    },
    async clear(gateway, via) {
      const rs = await read();
      const kept = rs.filter((x) => !(x.gateway === gateway && x.via === via));
      if (kept.length !== rs.length) await write(kept);
    },
    async recent(gateway, now) {
      return (await read()).filter((x) => x.gateway === gateway && now - x.at < ttlMs);
    },
  };
}
