// SIP over WebSocket (RFC 7118) against a real WebSocket server (the `ws` package's server) and
// against raw TCP servers that misbehave the way proxies do. Time is a ManualClock: the deadline
// and the idle measurements are driven, not waited for.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import { nodeNetwork } from '../net/node-network.ts';
import { tcpPipe } from './stream-transport.ts';
import { ManualClock } from './test-fakes.ts';
import { openSipWebSocket, WebSocketSetupError, type SipWebSocket } from './websocket-transport.ts';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function sipServer(opts: ConstructorParameters<typeof WebSocketServer>[0] = {}) {
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    handleProtocols: (set) => (set.has('sip') ? 'sip' : false),
    ...opts,
  });
  await new Promise((r) => wss.once('listening', r));
  cleanup.push(() => new Promise((r) => wss.close(r)));
  const peers: ServerSocket[] = [];
  wss.on('connection', (s) => peers.push(s));
  const firstPeer = async () => {
    while (!peers[0]) await new Promise((r) => setTimeout(r, 5));
    return peers[0];
  };
  return { wss, port: (wss.address() as AddressInfo).port, firstPeer };
}

/** A TCP server that does `onRequest` once the client's upgrade request has arrived. */
async function rawServer(onRequest: (sock: net.Socket, request: string) => void) {
  const seen: string[] = [];
  const server = net.createServer((sock) => {
    sock.on('error', () => {});
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      if (buf.includes('\r\n\r\n') && !seen.includes(buf)) {
        seen.push(buf);
        onRequest(sock, buf);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => sockets.add(s));
  cleanup.push(() => {
    for (const s of sockets) s.destroy();
    return new Promise((r) => server.close(r));
  });
  return { port: (server.address() as AddressInfo).port, seen };
}

async function open(port: number, clock = new ManualClock(), path = '/ws'): Promise<SipWebSocket> {
  const conn = await nodeNetwork.connectTcp({ remote: { address: '127.0.0.1', port }, timeoutMs: 2000 });
  const sock = await openSipWebSocket({
    url: `ws://127.0.0.1:${port}${path}`,
    pipe: tcpPipe(conn),
    clock,
    startedAt: clock.now(),
    timeoutMs: 5000,
  });
  cleanup.push(() => sock.transport.close());
  return sock;
}

async function openFailure(port: number, clock = new ManualClock(), whileWaiting?: () => Promise<void>) {
  const p = open(port, clock).then(
    () => null,
    (e: unknown) => e,
  );
  await whileWaiting?.();
  const err = await p;
  expect(err).toBeInstanceOf(WebSocketSetupError);
  return (err as WebSocketSetupError).summary;
}

const REGISTER =
  'REGISTER sip:lab.test SIP/2.0\r\nVia: SIP/2.0/WS x.invalid;branch=z9hG4bK1\r\nContent-Length: 0\r\n\r\n';

describe('RFC 7118 WebSocket transport: handshake', () => {
  it('asks for the "sip" subprotocol and opens when the server picks it', async () => {
    const srv = await sipServer();
    const sock = await open(srv.port);
    expect(sock.transport.protocol).toBe('WS');
    expect(sock.transport.reliable).toBe(true);
    const s = sock.summary();
    expect(s).toMatchObject({ opened: true, httpStatus: 101, subprotocol: 'sip', failedAt: null });
    expect((await srv.firstPeer()).protocol).toBe('sip');
  });

  it('reports the HTTP status and who answered when the upgrade is refused', async () => {
    const srv = await rawServer((sock) =>
      sock.end('HTTP/1.1 403 Forbidden\r\nServer: corp-proxy/2.1\r\nContent-Length: 0\r\n\r\n'),
    );
    const s = await openFailure(srv.port);
    expect(s).toMatchObject({ failedAt: 'http-status', httpStatus: 403, httpReason: 'Forbidden' });
    expect(s.answeredBy).toBe('Server: corp-proxy/2.1');
    expect(s.message).toMatch(/HTTP 403 Forbidden.*corp-proxy/);
  });

  it('a proxy answering the upgrade as a plain web request (200) is not a WebSocket', async () => {
    const srv = await rawServer((sock) =>
      sock.end('HTTP/1.1 200 OK\r\nVia: 1.1 squid\r\nContent-Length: 2\r\n\r\nok'),
    );
    const s = await openFailure(srv.port);
    expect(s).toMatchObject({ failedAt: 'http-status', httpStatus: 200, answeredBy: 'Via: 1.1 squid' });
    expect(s.message).toMatch(/does not pass WebSocket upgrades/);
  });

  it('a server that accepts but never answers the upgrade fails at the deadline as "no-answer"', async () => {
    let got = false;
    const srv = await rawServer(() => (got = true));
    const clock = new ManualClock();
    const s = await openFailure(srv.port, clock, async () => {
      while (!got) await new Promise((r) => setTimeout(r, 5));
      clock.advance(4999);
      await new Promise((r) => setTimeout(r, 20));
      clock.advance(1);
    });
    expect(s.failedAt).toBe('no-answer');
    expect(s.message).toMatch(/no answer within 5 s/);
    expect(srv.seen[0]).toMatch(/^GET \/ws HTTP\/1\.1\r\n/);
    expect(srv.seen[0]).toMatch(/\r\nSec-WebSocket-Protocol: sip\r\n/i);
  });

  it('a connection dropped after the upgrade request is "dropped"', async () => {
    const srv = await rawServer((sock) => sock.destroy());
    const s = await openFailure(srv.port);
    expect(s.failedAt).toBe('dropped');
    expect(s.httpStatus).toBeNull();
  });

  it('a 101 with a wrong Sec-WebSocket-Accept is "not-websocket"', async () => {
    const srv = await rawServer((sock) =>
      sock.write(
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: AAAA\r\nSec-WebSocket-Protocol: sip\r\n\r\n',
      ),
    );
    expect((await openFailure(srv.port)).failedAt).toBe('not-websocket');
  });

  it('a WebSocket server that does not speak the "sip" subprotocol is refused', async () => {
    const srv = await sipServer({ handleProtocols: () => false });
    const s = await openFailure(srv.port);
    expect(s.failedAt).toBe('subprotocol');
    expect(s.message).toMatch(/RFC 7118/);
  });
});

describe('RFC 7118 §5.1 framing: one SIP message per WebSocket message', () => {
  it('sends each SIP message as one text message', async () => {
    const srv = await sipServer();
    const sock = await open(srv.port);
    const peer = await srv.firstPeer();
    const got: { text: string; binary: boolean }[] = [];
    peer.on('message', (d, binary) => got.push({ text: d.toString(), binary }));
    await sock.transport.send(REGISTER, sock.transport.remote!);
    await sock.transport.send(REGISTER.replace('REGISTER', 'OPTIONS'), sock.transport.remote!);
    while (got.length < 2) await new Promise((r) => setTimeout(r, 5));
    expect(got).toEqual([
      { text: REGISTER, binary: false },
      { text: REGISTER.replace('REGISTER', 'OPTIONS'), binary: false },
    ]);
  });

  it('accepts text, binary and fragmented messages and skips CRLF keep-alives', async () => {
    const srv = await sipServer();
    const sock = await open(srv.port);
    const peer = await srv.firstPeer();
    const got: string[] = [];
    sock.transport.onMessage((t, from) => {
      expect(from.port).toBe(srv.port);
      got.push(t);
    });
    const ok = 'SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n';
    peer.send(ok);
    peer.send('\r\n\r\n');
    peer.send(Buffer.from(ok.replace('200 OK', '202 Accepted')), { binary: true });
    peer.send(ok.slice(0, 10), { fin: false });
    peer.send(ok.slice(10), { fin: true });
    while (got.length < 3) await new Promise((r) => setTimeout(r, 5));
    expect(got).toEqual([ok, ok.replace('200 OK', '202 Accepted'), ok]);
  });

  it('keeps the connection alive with WebSocket pings', async () => {
    const srv = await sipServer();
    const clock = new ManualClock();
    await open(srv.port, clock);
    const peer = await srv.firstPeer();
    let pings = 0;
    peer.on('ping', () => pings++);
    clock.advance(30_000);
    clock.advance(30_000);
    while (pings < 2) await new Promise((r) => setTimeout(r, 5));
    expect(pings).toBe(2);
  });
});

describe('RFC 6455 §7.4 closes, in plain words', () => {
  async function closedBy(act: (peer: ServerSocket, clock: ManualClock) => void, autoPong = true) {
    const srv = await sipServer({ autoPong });
    const clock = new ManualClock();
    const sock = await open(srv.port, clock);
    const peer = await srv.firstPeer();
    const closed = new Promise<Error | undefined>((r) => sock.transport.onClose(r));
    act(peer, clock);
    const err = await closed;
    return { err, summary: sock.summary() };
  }

  it('a close after a long silence (pings unanswered) is called an idle timeout', async () => {
    const { err, summary } = await closedBy((peer, clock) => {
      clock.advance(65_000);
      peer.close(1001, 'idle');
    }, false);
    expect(summary).toMatchObject({ closeCode: 1001, closeReason: 'idle', closedByPeer: true });
    expect(summary).toMatchObject({ closedAfterSec: 65, idleBeforeCloseSec: 65 });
    expect(err?.message).toMatch(/65 s after the last message .*idle timeout/);
  });

  it('a connection cut without a close frame is 1006', async () => {
    const { err, summary } = await closedBy((peer) => peer.terminate());
    expect(summary.closeCode).toBe(1006);
    expect(err?.message).toMatch(/1006 connection lost without a close frame/);
    expect(err?.message).not.toMatch(/idle timeout/);
  });

  it('our own hang-up is not reported as the server closing', async () => {
    const srv = await sipServer();
    const sock = await open(srv.port);
    await sock.transport.close();
    expect(sock.summary()).toMatchObject({ closeCode: 1000, closedByPeer: false });
  });
});
