import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeListenTcp } from '../../companion/tcp-listener.ts';
import { nodeNetwork } from '../../net/node-network.ts';
import { startSimulatedRouter } from './simulated-router.ts';

/** The offline demo's router: real loopback sockets, the fake router's protocol behaviour. */
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

// 127.0.0.0/8 is all loopback on Linux; other systems only have 127.0.0.1 without an alias.
const GW = process.platform === 'linux' ? '127.0.0.9' : '127.0.0.1';

describe('simulated router on loopback', () => {
  it('serves its IGD description at the location it reports, and answers NAT-PMP', async () => {
    const r = await startSimulatedRouter(nodeNetwork, nodeListenTcp, GW);
    closers.push(() => r.close());
    expect(r.igdLocation).toMatch(new RegExp(`^http://${GW.replace(/\./g, '\\.')}:\\d+/rootDesc\\.xml$`));
    const desc = await (await fetch(r.igdLocation)).text();
    expect(desc).toContain('<friendlyName>NatScope simulated router (loopback demo)</friendlyName>');
    // NAT-PMP external address request (RFC 6886 §3.2): version 0, opcode 0.
    const sock = createSocket('udp4');
    closers.push(() => new Promise((res) => sock.close(() => res(undefined))));
    const answer = new Promise<Buffer>((res) => sock.once('message', res));
    sock.send(Buffer.from([0, 0]), 5351, GW);
    const a = await answer;
    expect([a[1], a.readUInt16BE(2), [...a.subarray(8, 12)].join('.')]).toEqual([128, 0, '203.0.113.2']);
  });

  it('says what it could not bind instead of half-starting', async () => {
    const squatter = createSocket('udp4');
    await new Promise<void>((res) => squatter.bind(5351, GW, () => res()));
    closers.push(() => new Promise((res) => squatter.close(() => res(undefined))));
    await expect(startSimulatedRouter(nodeNetwork, nodeListenTcp, GW)).rejects.toThrow(
      new RegExp(`UDP ${GW.replace(/\./g, '\\.')}:5351`),
    );
  });
});
