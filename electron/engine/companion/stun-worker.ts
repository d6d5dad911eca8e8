/**
 * One STUN worker thread of `natscope server --workers N` (stun-workers.ts starts them): binds the
 * STUN sockets again with SO_REUSEPORT — the kernel spreads datagrams over the threads' sockets by
 * their address and port — and answers them with the same code as the single-threaded server.
 * The rate limits live in shared memory, so a source (IPv4 /32, IPv6 /64) has one limit for the
 * whole host, however its datagrams are spread; counters go to shared memory too, logs to the
 * main thread's logger.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Clock } from '../clock/clock.ts';
import { nodeNetwork } from '../net/node-network.ts';
import type { CompanionLogger, LogLevel } from './logger.ts';
import { bothLimits, createRateLimiter } from './rate-limiter.ts';
import { startCompanionStun } from './stun-server.ts';
import type { StunWorkerData } from './stun-workers.ts';

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const d = workerData as StunWorkerData;
const port = parentPort!;
// every thread measures time on one scale: the shared buckets compare timestamps across threads
const clock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(t) };
  },
};
const logger: CompanionLogger = {
  enabled: (level) => LEVELS[level] >= LEVELS[d.logLevel],
  log(level, event, fields) {
    if (LEVELS[level] >= LEVELS[d.logLevel]) port.postMessage({ log: [level, event, fields] });
  },
};
/** Workers after the first stay quiet about what the first already said (the receive buffer). */
function withoutStartupWarnings(l: CompanionLogger): CompanionLogger {
  return {
    enabled: l.enabled,
    log: (level, event, f) => event !== 'stun.receive-buffer' && l.log(level, event, f),
  };
}

const limiter = bothLimits(
  createRateLimiter(clock, { ...d.perSource, shared: d.perSourceMemory }),
  createRateLimiter(clock, { ...d.total, maxSources: 1, shared: d.totalMemory }),
);
const counters = new Float64Array(d.counters);
try {
  const stun = await startCompanionStun({
    network: nodeNetwork,
    ips: d.ips,
    ports: d.ports,
    rateLimiter: limiter,
    logger: d.index === 0 ? logger : withoutStartupWarnings(logger),
    receiveBufferBytes: d.receiveBufferBytes,
    reusePort: true,
    io: d.io,
  });
  const publish = () => {
    counters[d.index * 2] = stun.stats.answered;
    counters[d.index * 2 + 1] = stun.stats.dropped;
  };
  const timer = setInterval(publish, 200);
  port.on('message', (m: { close?: boolean }) => {
    if (!m.close) return;
    clearInterval(timer);
    publish();
    void stun.close().then(() => port.postMessage({ closed: true }));
  });
  port.postMessage({ ready: true, io: stun.io });
} catch (err) {
  port.postMessage({ error: err instanceof Error ? err.message : String(err) });
}
