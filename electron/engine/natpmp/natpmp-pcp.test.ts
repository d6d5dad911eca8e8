import { describe, expect, it } from 'vitest';
import type { Clock, TimerHandle } from '../clock/clock.ts';
import { FakeLan } from '../upnp/testing/fake-lan.ts';
import { FakeRouter } from '../upnp/testing/fake-router.ts';
import { EpochTracker } from './epoch.ts';
import { natpmpExternalAddress, natpmpMap, natpmpUnmap, NatPmpResultError } from './natpmp-client.ts';
import {
  decodeExternalAddressResponse,
  decodeMapResponse,
  encodeExternalAddressRequest,
  encodeMapRequest,
} from './natpmp-codec.ts';
import { pcpAnnounce, pcpDelete, pcpMap, PcpResultError, PcpVersionMismatch } from '../pcp/pcp-client.ts';
import {
  decodeResponse,
  encodeAnnounce,
  encodeMapRequest as encodePcpMap,
  ipv4ToMapped,
  mappedToString,
} from '../pcp/pcp-codec.ts';
import { transact } from './transact.ts';
import { systemClock } from '../clock/clock.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

describe('NAT-PMP codec (RFC 6886)', () => {
  it('encodes requests (§3.2, §3.3)', () => {
    expect(hex(encodeExternalAddressRequest())).toBe('0000');
    expect(
      hex(
        encodeMapRequest({
          protocol: 'udp',
          internalPort: 5060,
          suggestedExternalPort: 5061,
          lifetimeSeconds: 600,
        }),
      ),
    ).toBe('0001000013c413c500000258');
    expect(
      hex(
        encodeMapRequest({ protocol: 'tcp', internalPort: 80, suggestedExternalPort: 0, lifetimeSeconds: 0 }),
      ),
    ).toBe('000200000050000000000000');
  });
  it('decodes answers', () => {
    expect(decodeExternalAddressResponse(unhex('0080 0000 00000350 cb007102'))).toEqual({
      opcode: 0,
      resultCode: 0,
      epoch: 848,
      externalIp: '203.0.113.2',
    });
    expect(decodeMapResponse(unhex('0081 0000 00000350 13c4 13c5 00000258'), 'udp')).toEqual({
      opcode: 1,
      resultCode: 0,
      epoch: 848,
      internalPort: 5060,
      externalPort: 5061,
      lifetimeSeconds: 600,
    });
    expect(decodeExternalAddressResponse(unhex('0080 0003 00000350'))).toMatchObject({
      resultCode: 3,
      externalIp: '',
    });
  });
  it('rejects malformed answers', () => {
    expect(() => decodeExternalAddressResponse(unhex('0080'))).toThrow(/too short/);
    expect(() => decodeExternalAddressResponse(unhex('0100 0000 00000000 00000000'))).toThrow(/version 1/);
    expect(() => decodeExternalAddressResponse(unhex('0000 0000 00000000 00000000'))).toThrow(/request/);
    expect(() => decodeMapResponse(unhex('0082 0000 00000350 13c4 13c5 00000258'), 'udp')).toThrow(/opcode/);
    expect(() => decodeMapResponse(unhex('0081 0000 00000350 13c4'), 'udp')).toThrow(/too short/);
  });
});

describe('PCP codec (RFC 6887)', () => {
  const nonce = unhex('0102030405060708090a0b0c');
  it('encodes ANNOUNCE and MAP with IPv4-mapped addresses (§7.1, §11.1)', () => {
    expect(hex(encodeAnnounce('192.168.1.10'))).toBe(`0200000000000000${'00'.repeat(10)}ffffc0a8010a`);
    const m = encodePcpMap({
      clientIp: '192.168.1.10',
      nonce,
      protocol: 'udp',
      internalPort: 5060,
      suggestedExternalPort: 5060,
      lifetimeSeconds: 600,
    });
    expect(m.length).toBe(60);
    expect(hex(m)).toBe(
      `0201000000000258${'00'.repeat(10)}ffffc0a8010a0102030405060708090a0b0c1100000013c413c4${'00'.repeat(16)}`,
    );
  });
  it('maps addresses', () => {
    expect(mappedToString(ipv4ToMapped('203.0.113.2'))).toBe('203.0.113.2');
    expect(mappedToString(new Uint8Array(16))).toBe('0.0.0.0');
    expect(() => ipv4ToMapped('300.1.1.1')).toThrow();
  });
  it('decodes a MAP answer and skips options', () => {
    const body = `0281000000000258000003500000000000000000000000000102030405060708090a0b0c1100000013c413c5${'00'.repeat(10)}ffffcb007102`;
    const r = decodeResponse(unhex(body));
    expect(r).toMatchObject({ version: 2, opcode: 1, resultCode: 0, lifetimeSeconds: 600, epoch: 848 });
    expect(r.map).toMatchObject({
      protocol: 17,
      internalPort: 5060,
      externalPort: 5061,
      externalIp: '203.0.113.2',
    });
    expect(decodeResponse(unhex(`${body}0100000400000000`)).map?.externalPort).toBe(5061);
    expect(() => decodeResponse(unhex(`${body}010000ff00000000`))).toThrow(/option/);
  });
  it('reports a NAT-PMP answer (version 0) for the fallback', () => {
    expect(decodeResponse(unhex('0081 0001 00000010'))).toMatchObject({ version: 0, resultCode: 1 });
  });
  it('rejects malformed answers', () => {
    expect(() => decodeResponse(unhex('02'))).toThrow(/short/);
    expect(() => decodeResponse(unhex(`0201${'00'.repeat(22)}`))).toThrow(/R bit/);
    expect(() => decodeResponse(unhex(`0281${'00'.repeat(23)}`))).toThrow(/multiple of 4/);
    expect(() => decodeResponse(unhex(`0281${'00'.repeat(26)}`))).toThrow(/MAP answer too short/);
    expect(() => decodeResponse(new Uint8Array(1200))).toThrow(/too long/);
  });
});

/** A clock driven by hand: records every timer's delay. */
function manualClock() {
  let now = 0;
  const timers: { at: number; fn: () => void; live: boolean }[] = [];
  const delays: number[] = [];
  const clock: Clock = {
    now: () => now,
    setTimeout(fn, ms): TimerHandle {
      delays.push(ms);
      const t = { at: now + ms, fn, live: true };
      timers.push(t);
      return { cancel: () => void (t.live = false) };
    },
  };
  return {
    clock,
    delays,
    async advance(ms: number) {
      const end = now + ms;
      for (;;) {
        const next = timers.filter((t) => t.live && t.at <= end).sort((a, b) => a.at - b.at)[0];
        if (!next) break;
        now = next.at;
        next.live = false;
        next.fn();
        await new Promise((r) => setTimeout(r, 0));
      }
      now = end;
    },
  };
}

describe('retransmission (RFC 6886 §3.1)', () => {
  it('starts at 250 ms and doubles; gives up after maxTries with a bounded wait', async () => {
    const lan = new FakeLan();
    const net = lan.host('192.168.1.10');
    const socket = await net.bindUdp();
    const mc = manualClock();
    const p = transact({
      socket,
      to: { address: '192.168.1.1', port: 5351 },
      request: encodeExternalAddressRequest(),
      accept: () => 1,
      clock: mc.clock,
      retry: { initialMs: 250, maxTries: 5 },
      what: 'test',
    });
    const outcome = p.then(
      () => 'ok',
      (e: Error) => e.message,
    );
    await mc.advance(10_000);
    expect(await outcome).toMatch(/no answer from 192\.168\.1\.1:5351 after 5 tries \(7750 ms\)/);
    expect(mc.delays).toEqual([250, 500, 1000, 2000, 4000]);
    expect(lan.sent.filter((s) => s.to.port === 5351)).toHaveLength(5);
  });
  it('ignores answers from other addresses', async () => {
    const lan = new FakeLan();
    const client = await lan.host('192.168.1.10').bindUdp();
    const rogue = await lan.host('192.168.1.66').bindUdp({ port: 5351 });
    rogue.onMessage((_d, from) => void rogue.send(Uint8Array.of(0, 128, 0, 0, 0, 0, 0, 1, 6, 6, 6, 6), from));
    const r = transact({
      socket: client,
      to: { address: '192.168.1.66', port: 9 },
      request: Uint8Array.of(0, 0),
      accept: () => 'taken',
      clock: systemClock,
      retry: { initialMs: 10, maxTries: 2 },
      what: 't',
    });
    await client.send(Uint8Array.of(0, 0), { address: '192.168.1.66', port: 5351 });
    await expect(r).rejects.toThrow(/no answer/);
  });
});

describe('epoch (RFC 6886 §3.6)', () => {
  it('detects a router reboot', () => {
    const t = new EpochTracker();
    expect(t.observe(1000, 0)).toBe(false);
    expect(t.observe(1010, 10_000)).toBe(false);
    expect(t.observe(1011, 20_000)).toBe(true); // 10 s passed, epoch grew 1 s
    expect(t.observe(5, 21_000)).toBe(true);
    expect(t.observe(6, 22_000)).toBe(false);
  });
});

describe('NAT-PMP and PCP clients against a fake gateway', () => {
  const setup = (opts: ConstructorParameters<typeof FakeRouter>[1] = {}) => {
    const lan = new FakeLan();
    const router = new FakeRouter(lan, opts);
    const ctx = {
      network: lan.host('192.168.1.10'),
      clock: systemClock,
      gateway: '192.168.1.1',
      localAddress: '192.168.1.10',
      retry: { initialMs: 20, maxTries: 3 },
      epochs: new EpochTracker(),
    };
    return { lan, router, ctx };
  };
  it('NAT-PMP: external address, map, unmap', async () => {
    const { router, ctx } = setup();
    await new Promise((r) => setTimeout(r, 0));
    expect(await natpmpExternalAddress(ctx)).toMatchObject({
      externalIp: '203.0.113.2',
      epoch: 1000,
      epochReset: false,
    });
    const m = await natpmpMap(ctx, {
      protocol: 'udp',
      internalPort: 40000,
      suggestedExternalPort: 40000,
      lifetimeSeconds: 600,
    });
    expect(m).toMatchObject({ externalPort: 40000, lifetimeSeconds: 600 });
    expect(router.mappings).toHaveLength(1);
    await natpmpUnmap(ctx, { protocol: 'udp', internalPort: 40000 });
    expect(router.mappings).toHaveLength(0);
  });
  it('NAT-PMP: result 3 (double NAT) is an error with its name', async () => {
    const { ctx } = setup({ refuseAll: true });
    await new Promise((r) => setTimeout(r, 0));
    const err = await natpmpMap(ctx, {
      protocol: 'udp',
      internalPort: 1,
      suggestedExternalPort: 1,
      lifetimeSeconds: 60,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NatPmpResultError);
    expect((err as Error).message).toBe('NAT-PMP result 3 NetworkFailure on map');
  });
  it('PCP: announce, map with nonce, delete reusing the nonce; a foreign nonce is refused', async () => {
    const { router, ctx } = setup();
    await new Promise((r) => setTimeout(r, 0));
    expect(await pcpAnnounce(ctx)).toMatchObject({ epoch: 1000, resultCode: 0 });
    const nonce = unhex('aabbccddeeff001122334455');
    const m = await pcpMap(ctx, {
      nonce,
      protocol: 'udp',
      internalPort: 41000,
      suggestedExternalPort: 41000,
      lifetimeSeconds: 600,
    });
    expect(m).toMatchObject({ externalIp: '203.0.113.2', externalPort: 41000, lifetimeSeconds: 600 });
    const err = await pcpDelete(ctx, {
      nonce: unhex('000000000000000000000000'),
      protocol: 'udp',
      internalPort: 41000,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PcpResultError);
    expect((err as Error).message).toMatch(/PCP result 2 NOT_AUTHORIZED/);
    await pcpDelete(ctx, { nonce, protocol: 'udp', internalPort: 41000 });
    expect(router.mappings).toHaveLength(0);
  });
  it('PCP: a NAT-PMP-only gateway is reported as a version mismatch', async () => {
    const { ctx } = setup({ pcp: false });
    await new Promise((r) => setTimeout(r, 0));
    const err = await pcpAnnounce(ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PcpVersionMismatch);
    expect((err as PcpVersionMismatch).serverVersion).toBe(0);
  });
  it('PCP: NO_RESOURCES (double NAT)', async () => {
    const { ctx } = setup({ refuseAll: true });
    await new Promise((r) => setTimeout(r, 0));
    await expect(
      pcpMap(ctx, {
        nonce: new Uint8Array(12),
        protocol: 'udp',
        internalPort: 1,
        suggestedExternalPort: 1,
        lifetimeSeconds: 60,
      }),
    ).rejects.toThrow(/PCP result 8 NO_RESOURCES/);
  });
  it('silence is a bounded "unreachable"', async () => {
    const { ctx } = setup({ natpmp: false });
    const t0 = Date.now();
    await expect(natpmpExternalAddress(ctx)).rejects.toThrow(/no answer .* after 3 tries/);
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});
