// `natscope server --workers N` (issue #19): the STUN threads share one per-source limit, so a
// source spreading its requests over many ports (and so over every thread) gets no more than from
// one thread; another source has its own budget.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeNetwork } from '../net/node-network.ts';
import type { UdpSocket } from '../net/network.ts';
import { createMessage, encodeMessage } from '../stun/codec.ts';
import { memoryLogger } from './logger.ts';
import type { CompanionStunServer } from './stun-server.ts';
import { startStunWorkers } from './stun-workers.ts';

const BURST = 40;
let server: CompanionStunServer;
let port: number;

beforeAll(async () => {
  const probe = await nodeNetwork.bindUdp({ address: '127.0.0.1', port: 0 });
  port = probe.local.port;
  await probe.close();
  server = await startStunWorkers({
    count: 2,
    ips: ['127.0.0.1'],
    ports: [port, port === 65535 ? port - 1 : port + 1],
    perSource: { ratePerSec: 0.001, burst: BURST, maxSources: 100 },
    total: { ratePerSec: 10_000, burst: 10_000 },
    logger: memoryLogger(),
  });
});
afterAll(() => server?.close());

async function flood(address: string, sockets: number, each: number): Promise<number> {
  const socks: UdpSocket[] = await Promise.all(
    Array.from({ length: sockets }, () => nodeNetwork.bindUdp({ address, port: 0 })),
  );
  let answers = 0;
  for (const s of socks) s.onMessage(() => answers++);
  for (let k = 0; k < each; k++)
    await Promise.all(
      socks.map((s) =>
        s.send(encodeMessage(createMessage({ cls: 'request' })), { address: '127.0.0.1', port }),
      ),
    );
  await new Promise((r) => setTimeout(r, 500));
  await Promise.all(socks.map((s) => s.close()));
  return answers;
}

describe('STUN worker threads', () => {
  it('answer, and hold one per-source limit across threads', async () => {
    const answered = await flood('127.0.0.1', 24, 6); // 144 requests from 24 ports of one address
    expect(answered).toBe(BURST);
    expect(await flood('127.0.0.7', 4, 3)).toBe(12); // another source: its own budget
    await new Promise((r) => setTimeout(r, 300)); // counters are published every 200 ms
    expect(server.stats.answered).toBe(BURST + 12);
    expect(server.stats.refused).toBe(144 - BURST);
    expect(server.stats.sources).toBe(2);
    // the kernel spread the 28 source ports over both threads: the limit above was shared, not per thread
    expect(server.stats.perThread!.every((n) => n > 0)).toBe(true);
  });
});
