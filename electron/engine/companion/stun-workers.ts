/**
 * `natscope server --workers N`: the STUN server on N threads. Each worker (stun-worker.ts) binds
 * the same STUN addresses and ports with SO_REUSEPORT and answers what the kernel gives it; SIP and
 * the echo stay on the main thread (their limits — 2,000 requests/s, 32 calls — never need a second
 * core). The per-source and total STUN limits are SourceBuckets in SharedArrayBuffers, one table for
 * all threads: a source gets the same 50/s whether its datagrams reach one worker or all of them.
 *
 * Threads rather than processes: shared memory keeps every limit exact, and a thread costs a few MB
 * where a process costs a whole Node instance.
 */
import { Worker } from 'node:worker_threads';
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import type { CompanionLogger, LogLevel } from './logger.ts';
import { SourceBuckets } from './source-buckets.ts';
import type { CompanionStunServer, StunIo } from './stun-server.ts';

export interface StunWorkersOptions {
  count: number;
  ips: readonly string[];
  ports: readonly [number, number];
  perSource: { ratePerSec: number; burst: number; maxSources: number };
  total: { ratePerSec: number; burst: number };
  logger: CompanionLogger;
  receiveBufferBytes?: number;
  /** V8 young generation per worker (MB): small, so scavenges stay short (issue #19: GC pauses). */
  youngGenerationMb?: number;
  io?: StunIo;
}

/** What each worker thread gets (workerData). */
export interface StunWorkerData extends Pick<
  StunWorkersOptions,
  'ips' | 'ports' | 'perSource' | 'total' | 'receiveBufferBytes' | 'io'
> {
  index: number;
  perSourceMemory: { memory: SharedArrayBuffer; seed: number };
  totalMemory: { memory: SharedArrayBuffer; seed: number };
  counters: SharedArrayBuffer;
  logLevel: LogLevel;
}

/** The worker's module: the .ts source under Node's type stripping, the bundled .mjs in dist/cli. */
function workerUrl(): URL {
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'mjs';
  return new URL(`./stun-worker.${ext}`, import.meta.url);
}

function lowestLevel(logger: CompanionLogger): LogLevel {
  for (const l of ['debug', 'info', 'warn', 'error'] as const) if (logger.enabled?.(l) ?? true) return l;
  return 'error';
}

export async function startStunWorkers(o: StunWorkersOptions): Promise<CompanionStunServer> {
  const seed = (Math.random() * 0x100000000) >>> 0;
  const perSourceMemory = {
    memory: new SharedArrayBuffer(SourceBuckets.bytesFor(o.perSource.maxSources)),
    seed,
  };
  const totalMemory = { memory: new SharedArrayBuffer(SourceBuckets.bytesFor(1)), seed };
  const counters = new SharedArrayBuffer(o.count * 2 * 8);
  const workers: Worker[] = [];
  let closing = false;
  let io: StunIo = 'dgram';
  const stopAll = () => {
    closing = true;
    return Promise.all(workers.map((w) => w.terminate()));
  };
  try {
    for (let index = 0; index < o.count; index++) {
      const data: StunWorkerData = {
        index,
        ips: o.ips,
        ports: o.ports,
        perSource: o.perSource,
        total: o.total,
        perSourceMemory,
        totalMemory,
        counters,
        logLevel: lowestLevel(o.logger),
        receiveBufferBytes: o.receiveBufferBytes,
        io: o.io,
      };
      const w = new Worker(workerUrl(), {
        workerData: data,
        resourceLimits: { maxYoungGenerationSizeMb: o.youngGenerationMb ?? 8 },
      });
      workers.push(w);
      await new Promise<void>((resolve, reject) => {
        w.on(
          'message',
          (m: { ready?: true; io?: StunIo; error?: string; log?: Parameters<CompanionLogger['log']> }) => {
            if (m.log) o.logger.log(...m.log);
            else if (m.ready) {
              io = m.io ?? io;
              resolve();
            } else if (m.error) reject(new Error(m.error));
          },
        );
        // after start-up a failing worker is logged (its share of datagrams then goes unanswered)
        w.on('error', (err) => {
          reject(err);
          o.logger.log('error', 'stun.worker-error', { index, error: err.message });
        });
        w.once('exit', (code) => {
          reject(new Error(`STUN worker ${index} exited (${code})`));
          if (!closing) o.logger.log('error', 'stun.worker-exit', { index, code });
        });
      });
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
  const sums = new Float64Array(counters);
  // views on the shared tables, for the refusals and sources the workers counted there
  const perTable = new SourceBuckets({ ...o.perSource }, perSourceMemory.memory, seed);
  const totalTable = new SourceBuckets({ ...o.total, maxSources: 1 }, totalMemory.memory, seed);
  const slots: Endpoint[] = [];
  for (let ip = 0; ip < Math.min(2, o.ips.length); ip++)
    for (let port = 0; port < 2; port++) slots.push({ address: o.ips[ip]!, port: o.ports[port]! });
  const sum = (k: number) => {
    let n = 0;
    for (let i = 0; i < o.count; i++) n += sums[i * 2 + k]!;
    return n;
  };
  return {
    endpoints: slots,
    get io() {
      return io;
    },
    stats: {
      get answered() {
        return sum(0);
      },
      get dropped() {
        return sum(1);
      },
      get refused() {
        return perTable.refused + totalTable.refused;
      },
      get sources() {
        return perTable.size;
      },
      /** Answers per thread: how the kernel spread the datagrams. */
      get perThread() {
        return Array.from({ length: o.count }, (_, i) => sums[i * 2]!);
      },
    },
    async close() {
      closing = true;
      await Promise.all(
        workers.map(
          (w) =>
            new Promise<void>((resolve) => {
              w.on('message', (m: { closed?: true }) => m.closed && resolve());
              w.once('exit', () => resolve());
              w.postMessage({ close: true });
            }),
        ),
      );
      await stopAll();
    },
  };
}
