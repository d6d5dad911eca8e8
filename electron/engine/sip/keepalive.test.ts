import { describe, expect, it } from 'vitest';
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import { inboundCallHandlers, type InviteArrival } from './inbound-call.ts';
import { KeepAlive, PONG_TIMEOUT_MS } from './keepalive.ts';
import { MessageLog } from './message-log.ts';
import { parseSip } from './sip-message.ts';
import { streamSipTransport, type BytePipe } from './stream-transport.ts';
import { FakeNetwork, ManualClock } from './test-fakes.ts';
import { TransactionLayer } from './transactions.ts';
import { udpSipTransport } from './udp-transport.ts';
import { UserAgent, type SipAccount } from './user-agent.ts';

const SERVER = { address: '10.0.0.1', port: 5060 };
const tick = () => new Promise((r) => setImmediate(r));
const text = (d: Uint8Array) => new TextDecoder().decode(d);

async function udpPair() {
  const net = new FakeNetwork();
  const clock = new ManualClock();
  const server = await net.bindUdp(SERVER);
  const got: string[] = [];
  server.onMessage((d) => got.push(text(d)));
  const socket = await net.bindUdp({ address: '10.0.0.2' });
  return { net, clock, server, got, socket, transport: udpSipTransport(socket) };
}

/** A user agent on the pair's client socket. */
function uaOn(t: Awaited<ReturnType<typeof udpPair>>, account?: SipAccount) {
  const layer = new TransactionLayer({
    transport: t.transport,
    clock: t.clock,
    log: new MessageLog(() => t.clock.now()),
    userAgent: 't',
  });
  const ua = new UserAgent({
    layer,
    nextHop: SERVER,
    resolve: async (h) => [h],
    viaSentBy: t.socket.local,
    contact: t.socket.local,
    account,
    userAgent: 'NatScope/test',
  });
  return { layer, ua };
}

/** A TCP-like byte pipe whose far end the test plays. */
function fakePipe() {
  const written: string[] = [];
  let onData: (d: Uint8Array) => void = () => {};
  const pipe: BytePipe = {
    local: { address: '10.0.0.2', port: 40000 },
    remote: SERVER,
    write: async (d) => void written.push(text(d)),
    onData: (l) => void (onData = l),
    onClose: () => {},
    close: async () => {},
  };
  return { pipe, written, peer: (s: string) => onData(new TextEncoder().encode(s)) };
}

describe('keep-alives on a registered flow (RFC 5626 §4.4.1)', () => {
  it('UDP: a CRLFCRLF datagram to the registrar every interval; a CRLF back counts as a pong', async () => {
    const t = await udpPair();
    const ka = new KeepAlive({
      method: 'crlf',
      intervalMs: 20_000,
      transport: t.transport,
      dest: SERVER,
      clock: t.clock,
    });
    ka.start();
    t.clock.advance(19_999);
    await tick();
    expect(t.got).toEqual([]);
    t.clock.advance(1);
    await tick();
    expect(t.got).toEqual(['\r\n\r\n']);
    await t.server.send(new Uint8Array([13, 10]), t.socket.local);
    await tick();
    t.clock.advance(20_000);
    await tick();
    expect(ka.stats).toMatchObject({ sent: 2, pongs: 1, pongsMissed: null, sendErrors: 0 });
    ka.stop();
    t.clock.advance(60_000);
    await tick();
    expect(t.got).toHaveLength(2);
  });

  it('TCP: a ping without a pong within 10 s is counted as missed; the built-in timer can be off', async () => {
    const clock = new ManualClock();
    const { pipe, written, peer } = fakePipe();
    const transport = streamSipTransport(pipe, 'TCP', clock, 0);
    clock.advance(120_000);
    expect(written).toEqual([]); // keepAliveMs 0: silent
    const ka = new KeepAlive({ method: 'crlf', intervalMs: 30_000, transport, dest: SERVER, clock });
    ka.start();
    clock.advance(30_000);
    await tick();
    peer('\r\n');
    clock.advance(30_000 + PONG_TIMEOUT_MS);
    await tick();
    expect(written).toEqual(['\r\n\r\n', '\r\n\r\n']);
    expect(ka.stats).toMatchObject({ sent: 2, pongs: 1, pongsMissed: 1 });
    ka.stop();
  });

  it('OPTIONS: a SIP request each interval, its answer counted', async () => {
    const t = await udpPair();
    const { layer, ua } = uaOn(t, { username: '1001', password: 'x', domain: 'pbx.test' });
    t.server.onMessage((d, from) => {
      const req = parseSip(text(d));
      if (req && 'method' in req && req.method === 'OPTIONS')
        void t.server.send(
          new TextEncoder().encode(
            `SIP/2.0 200 OK\r\nVia: ${req.getHeader('via')}\r\nFrom: ${req.getHeader('from')}\r\nTo: ${req.getHeader('to')};tag=s\r\nCall-ID: ${req.callId}\r\nCSeq: ${req.cseq} OPTIONS\r\nContent-Length: 0\r\n\r\n`,
          ),
          from,
        );
    });
    const ka = new KeepAlive({
      method: 'options',
      intervalMs: 15_000,
      transport: t.transport,
      dest: SERVER,
      clock: t.clock,
      sendOptions: () => ua.options(),
    });
    ka.start();
    t.clock.advance(15_000);
    for (let i = 0; i < 5; i++) await tick();
    expect(t.got[0]).toMatch(/^OPTIONS sip:pbx\.test SIP\/2\.0/);
    expect(ka.stats).toMatchObject({ sent: 1, pongs: 1 });
    ka.stop();
    layer.close();
  });
});

describe('answering the test call (180, then 486; CANCEL → 200 + 487)', () => {
  async function uas(ringMs: number) {
    const t = await udpPair();
    const { layer, ua } = uaOn(t);
    const arrivals: InviteArrival[] = [];
    const h = inboundCallHandlers({ clock: t.clock, ringMs, onArrival: (a) => arrivals.push(a) });
    ua.handle('INVITE', h.INVITE);
    ua.handle('CANCEL', h.CANCEL);
    const send = (method: string, branch = 'z9hG4bKcb1') =>
      t.server.send(
        new TextEncoder().encode(
          `${method} sip:natscope@${t.socket.local.address}:${t.socket.local.port} SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=${branch}\r\nMax-Forwards: 70\r\nFrom: <sip:cb@10.0.0.1>;tag=f\r\nTo: <sip:natscope@10.0.0.2>\r\nCall-ID: cb1@natscope-callback\r\nCSeq: 1 ${method}\r\nContact: <sip:cb@10.0.0.1>\r\nContent-Length: 0\r\n\r\n`,
        ),
        t.socket.local as Endpoint,
      );
    return { ...t, arrivals, send, close: () => layer.close() };
  }
  const statuses = (got: string[]) => got.map((g) => /^SIP\/2\.0 (\d+)/.exec(g)?.[1]).filter(Boolean);

  it('records where and on which socket the INVITE arrived, rings, then declines with 486', async () => {
    const t = await uas(3000);
    await t.send('INVITE');
    await tick();
    await tick();
    expect(t.arrivals).toHaveLength(1);
    expect(t.arrivals[0]).toMatchObject({
      from: SERVER,
      local: t.socket.local,
      transport: 'UDP',
      callId: 'cb1@natscope-callback',
    });
    expect(statuses(t.got)).toEqual(['180']);
    t.clock.advance(3000);
    await tick();
    expect(statuses(t.got)).toEqual(['180', '486']);
    t.close();
  });

  it('a CANCEL during the ring is answered 200 and ends the INVITE with 487', async () => {
    const t = await uas(3000);
    await t.send('INVITE');
    await tick();
    await tick();
    await t.send('CANCEL');
    await tick();
    await tick();
    expect(statuses(t.got)).toEqual(['180', '200', '487']);
    t.clock.advance(5000);
    await tick();
    expect(statuses(t.got).filter((s) => s === '486')).toEqual([]);
    t.close();
  });
});
