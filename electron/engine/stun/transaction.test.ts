// Client transactions: RFC 8489 retransmission schedule, matching by transaction ID and source,
// TCP framing across chunk boundaries.
import { describe, expect, it } from 'vitest';
import { systemClock } from '../clock/clock.ts';
import type { TcpConnection } from '../net/network.ts';
import {
  addAttribute,
  createMessage,
  decodeMessage,
  encodeMessage,
  getAttribute,
  XorMappedAddress,
} from './codec.ts';
import {
  RFC8489_POLICY,
  StunTcpPort,
  StunUdpPort,
  retransmitSchedule,
  udpTransaction,
} from './transaction.ts';
import { SimNetwork } from './testing/sim-network.ts';

const fast = { rtoMs: 20, maxTransmissions: 7, lastWaitFactor: 4 };

describe('retransmitSchedule', () => {
  it('follows RFC 8489 §6.2.1 with the default RTO 500 ms, Rc 7, Rm 16', () => {
    expect(retransmitSchedule(RFC8489_POLICY)).toEqual({
      sendAt: [0, 500, 1500, 3500, 7500, 15500, 31500],
      giveUpAt: 39500,
    });
  });
  it('caps the RTO', () => {
    expect(
      retransmitSchedule({ rtoMs: 100, maxTransmissions: 5, lastWaitFactor: 2, maxRtoMs: 200 }).sendAt,
    ).toEqual([0, 100, 300, 500, 700]);
  });
});

async function pair(sim: SimNetwork) {
  const client = new StunUdpPort(await sim.host('192.0.2.1').bindUdp());
  const server = await sim.host('192.0.2.2').bindUdp({ port: 3478 });
  return { client, server };
}

describe('udpTransaction', () => {
  it('retransmits until answered', async () => {
    const sim = new SimNetwork();
    const { client, server } = await pair(sim);
    let seen = 0;
    server.onMessage((data, from) => {
      if (++seen < 3) return; // lose the first two
      const req = decodeMessage(data);
      const res = createMessage({ cls: 'success', transactionId: req.transactionId });
      addAttribute(res, XorMappedAddress, from);
      void server.send(encodeMessage(res), from);
    });
    const out = await udpTransaction({
      port: client,
      to: server.local,
      message: createMessage({ cls: 'request' }),
      // Real timers: the answer to the third request must arrive before the fourth goes out. With
      // the 20 ms RTO that gap is 80 ms, which a loaded machine's event loop can miss; 100 ms → 400 ms.
      policy: { ...fast, rtoMs: 100 },
      clock: systemClock,
    });
    expect(out.outcome).toBe('response');
    expect(out.transmissions).toBe(3);
    expect(getAttribute(out.response!, XorMappedAddress)).toEqual(client.local);
  });

  it('ignores an answer from another source unless asked to accept any', async () => {
    const sim = new SimNetwork();
    const { client, server } = await pair(sim);
    const other = await sim.host('192.0.2.3').bindUdp({ port: 3479 });
    server.onMessage((data, from) => {
      const req = decodeMessage(data);
      void other.send(
        encodeMessage(createMessage({ cls: 'success', transactionId: req.transactionId })),
        from,
      );
    });
    const strict = await udpTransaction({
      port: client,
      to: server.local,
      message: createMessage({ cls: 'request' }),
      policy: { ...fast, maxTransmissions: 2, deadlineMs: 100 },
      clock: systemClock,
    });
    expect(strict.outcome).toBe('timeout');
    expect(strict.strays[0]).toEqual(other.local);
    const loose = await udpTransaction({
      port: client,
      to: server.local,
      message: createMessage({ cls: 'request' }),
      policy: fast,
      clock: systemClock,
      accept: 'any',
    });
    expect(loose.outcome).toBe('response');
    expect(loose.from).toEqual(other.local);
  });

  it('is cancelled by the signal', async () => {
    const sim = new SimNetwork();
    const { client, server } = await pair(sim);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    const out = await udpTransaction({
      port: client,
      to: server.local,
      message: createMessage({ cls: 'request' }),
      policy: RFC8489_POLICY,
      clock: systemClock,
      signal: ac.signal,
    });
    expect(out.outcome).toBe('cancelled');
  });

  it('counts malformed datagrams instead of throwing', async () => {
    const sim = new SimNetwork();
    const { client, server } = await pair(sim);
    server.onMessage((data, from) => {
      const bad = data.slice(0, 24);
      bad[3] = 8; // length promises 8 bytes, 4 present
      void server.send(bad, from);
    });
    const out = await udpTransaction({
      port: client,
      to: server.local,
      message: createMessage({ cls: 'request' }),
      policy: { ...fast, maxTransmissions: 1, deadlineMs: 60 },
      clock: systemClock,
    });
    expect(out.outcome).toBe('timeout');
    expect(client.malformed).toBeGreaterThan(0);
  });
});

describe('StunTcpPort', () => {
  it('reassembles frames split across chunks', async () => {
    let onData: (d: Uint8Array) => void = () => {};
    const conn: TcpConnection = {
      local: { address: '192.0.2.1', port: 40000 },
      remote: { address: '192.0.2.2', port: 3478 },
      write: async (data) => {
        const req = decodeMessage(data);
        const res = createMessage({ cls: 'success', transactionId: req.transactionId });
        addAttribute(res, XorMappedAddress, { address: '203.0.113.9', port: 4242 });
        const bytes = encodeMessage(res, { fingerprint: true });
        // an unrelated message first, then ours in three pieces
        const noise = encodeMessage(createMessage({ cls: 'success' }));
        const all = new Uint8Array([...noise, ...bytes]);
        setTimeout(() => {
          onData(all.slice(0, 7));
          onData(all.slice(7, 30));
          onData(all.slice(30));
        }, 1);
      },
      onData: (l) => {
        onData = l;
        return () => {};
      },
      onClose: () => () => {},
      close: async () => {},
    };
    const port = new StunTcpPort(conn);
    const out = await port.request(createMessage({ cls: 'request' }), systemClock, 500);
    expect(out.outcome).toBe('response');
    expect(getAttribute(out.response!, XorMappedAddress)).toEqual({ address: '203.0.113.9', port: 4242 });
  });
});
