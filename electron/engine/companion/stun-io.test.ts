// The companion's two STUN socket paths over real loopback sockets: batched (recvmmsg/sendmmsg,
// the native addon net/native/udp_batch.c) and node:dgram must put the very same answers on the
// wire — bytes, source address and port, destination port — for the same generated requests
// (RFC 5389 and 3489, CHANGE-REQUEST, RESPONSE-PORT, PADDING, malformed and hostile ones, a 2049-byte
// datagram), from IPv4 and IPv6 sources, and keep the per-source limit the same way. Linux only
// (the addon is); the addon is built here when `npm run build:node` has not run yet.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../clock/clock.ts';
import { nodeNetwork } from '../net/node-network.ts';
import { loadUdpBatch } from '../net/udp-batch.ts';
import type { UdpSocket } from '../net/network.ts';
import { addAttribute, ChangeRequestAttr, createMessage, encodeMessage, Padding } from '../stun/codec.ts';
import { memoryLogger } from './logger.ts';
import { createRateLimiter } from './rate-limiter.ts';
import { startCompanionStun, type StunIo } from './stun-server.ts';
import { request, seedRequests } from './testing/stun-requests.ts';

/** RFC 5780 §7.2: every CHANGE-REQUEST combination, with FINGERPRINT and PADDING (full answers). */
function changeRequests(): Uint8Array[] {
  return [
    [false, false],
    [false, true],
    [true, false],
    [true, true],
  ].map(([changeIp, changePort]) => {
    const m = createMessage({ cls: 'request' });
    addAttribute(m, ChangeRequestAttr, { changeIp: changeIp!, changePort: changePort! });
    addAttribute(m, Padding, 64);
    return encodeMessage(m, { fingerprint: true });
  });
}

const ROOT = join(import.meta.dirname, '..', '..', '..');
const linux = process.platform === 'linux';
const V4 = ['127.0.0.2', '127.0.0.3'];
const V6 = ['::1'];

beforeAll(() => {
  if (!linux) return;
  if (!existsSync(join(ROOT, 'dist/native/udp-batch.node')))
    spawnSync(process.execPath, ['-e', "import('./build/build-native.ts').then((m) => m.buildNative())"], {
      cwd: ROOT,
      stdio: 'inherit',
    });
  if (!loadUdpBatch()) throw new Error('the batched UDP addon could not be built: see build-native above');
});

const clients: UdpSocket[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
});

async function freePorts(address: string): Promise<[number, number]> {
  const a = await nodeNetwork.bindUdp({ address, port: 0 });
  const b = await nodeNetwork.bindUdp({ address, port: 0 });
  const ports: [number, number] = [a.local.port, b.local.port];
  await Promise.all([a.close(), b.close()]);
  return ports;
}

/** Sends `requests` from `client` to the server's primary endpoint; every answer, in arrival order. */
async function exchange(
  io: StunIo,
  ips: string[],
  ports: [number, number],
  client: UdpSocket,
  requests: Uint8Array[],
  ratePerSec = 1_000_000,
  spacingMs = 1,
): Promise<{ answers: string[]; io: StunIo }> {
  const server = await startCompanionStun({
    network: nodeNetwork,
    ips,
    ports,
    rateLimiter: createRateLimiter(systemClock, { ratePerSec, burst: Math.min(ratePerSec, 1_000_000) }),
    logger: memoryLogger(100),
    io,
  });
  const answers: string[] = [];
  const off = client.onMessage((d, f) =>
    answers.push(`${f.address} ${f.port} ${Buffer.from(d).toString('hex')}`),
  );
  try {
    for (const r of requests) {
      await client.send(r, { address: ips[0]!, port: ports[0] });
      // one at a time: the order of answers is then the order of requests on both paths
      if (spacingMs > 0) await new Promise((res) => setTimeout(res, spacingMs));
    }
    await new Promise((res) => setTimeout(res, 150));
  } finally {
    off();
    await server.close();
  }
  return { answers, io: server.io };
}

describe.runIf(linux)('STUN over batched sockets (recvmmsg) and node:dgram: the same answers', () => {
  for (const [family, ips] of [
    ['IPv4', V4],
    ['IPv6', V6],
  ] as const) {
    it(`${family}: 300 generated requests, a 2049-byte datagram and a non-STUN one`, async () => {
      const ports = await freePorts(ips[0]!);
      const client = await nodeNetwork.bindUdp({ address: ips[0], port: 0 });
      clients.push(client);
      seedRequests(family === 'IPv4' ? 41 : 43);
      const requests = Array.from({ length: 300 }, request);
      requests.push(
        ...changeRequests(),
        new Uint8Array(2049),
        new TextEncoder().encode('OPTIONS sip:x SIP/2.0\r\n\r\n'),
      );
      const dgram = await exchange('dgram', [...ips], ports, client, requests);
      const batched = await exchange('recvmmsg', [...ips], ports, client, requests);
      expect([dgram.io, batched.io]).toEqual(['dgram', 'recvmmsg']);
      // most generated requests are answered (the rest are malformed or refused without an answer)
      expect(dgram.answers.length).toBeGreaterThan(150);
      expect(batched.answers).toEqual(dgram.answers);
      // answers left from the other address or port too (CHANGE-REQUEST), where there are two
      const sources = new Set(batched.answers.map((a) => a.split(' ').slice(0, 2).join(' ')));
      expect(sources.size).toBe(ips.length === 2 ? 4 : 1);
    });
  }

  it('the per-source limit counts the same: 5 a second, burst 5, 40 requests → 5 answers on each path', async () => {
    const ports = await freePorts(V4[0]!);
    const client = await nodeNetwork.bindUdp({ address: V4[0], port: 0 });
    clients.push(client);
    const bare = Uint8Array.of(0, 1, 0, 0, 0x21, 0x12, 0xa4, 0x42, ...new Array<number>(12).fill(9));
    const requests = Array.from({ length: 40 }, () => bare);
    // sent back to back: no time for a token to come back in between
    const dgram = await exchange('dgram', V4, ports, client, requests, 5, 0);
    const batched = await exchange('recvmmsg', V4, ports, client, requests, 5, 0);
    expect(dgram.answers.length).toBe(5);
    expect(batched.answers.length).toBe(5);
  });

  it('--stun-io recvmmsg where the addon is missing: a clear error, not a silent fallback', async () => {
    const ports = await freePorts(V4[0]!);
    await expect(
      startCompanionStun({
        network: { bindUdp: nodeNetwork.bindUdp },
        ips: V4,
        ports,
        rateLimiter: createRateLimiter(systemClock, { ratePerSec: 10, burst: 10 }),
        logger: memoryLogger(10),
        io: 'recvmmsg',
      }),
    ).rejects.toThrow(/batched UDP \(recvmmsg\) is not available/);
  });
});
