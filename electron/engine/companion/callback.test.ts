/**
 * The callback as `natscope incoming` needs it, on real loopback sockets with the server's timers
 * on a manual clock: over TCP a pending callback holds off the 60 s idle timeout (the silence is
 * the test), the INVITE's SDP names a real media port, a phone that only rings is let go after
 * 32 s, and one source may have several callbacks pending (one per idle time).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fromLatin1, latin1 } from '../../../shared/model/alg-reflect.ts';
import { parseSipText } from '../../../shared/model/alg-sip.ts';
import { nodeNetwork } from '../net/node-network.ts';
import type { TcpConnection } from '../net/network.ts';
import { ManualClock } from '../sip/test-fakes.ts';
import { CALLBACK_SDP_PORT, MAX_CALLBACKS_PER_SOURCE } from './callback.ts';
import { startCompanionServer, type CompanionServer } from './companion-server.ts';
import { silentLogger } from './logger.ts';
import { nodeListenTcp } from './tcp-listener.ts';

const HOST = '127.0.0.1';
let server: CompanionServer | null = null;
const conns: TcpConnection[] = [];

afterEach(async () => {
  for (const c of conns.splice(0)) await c.close().catch(() => {});
  await server?.close();
  server = null;
});

async function start(clock: ManualClock) {
  const probe = await nodeNetwork.bindUdp({ address: HOST, port: 0 });
  const port = probe.local.port;
  await probe.close();
  server = await startCompanionServer({
    address: HOST,
    sipPorts: [port],
    stun: false,
    echo: false,
    network: nodeNetwork,
    listenTcp: nodeListenTcp,
    clock,
    logger: silentLogger,
  });
  return port;
}

/** Advances the manual clock in steps, letting real sockets deliver between them. */
async function advance(clock: ManualClock, ms: number, step = 1000) {
  for (let t = 0; t < ms; t += step) {
    clock.advance(Math.min(step, ms - t));
    await new Promise((r) => setTimeout(r, 5));
  }
}

const register = (local: string, delay: number, callId: string) =>
  [
    `REGISTER sip:${HOST} SIP/2.0`,
    `Via: SIP/2.0/TCP ${local};branch=z9hG4bK${callId};rport`,
    'From: <sip:t@x>;tag=1',
    'To: <sip:t@x>',
    `Call-ID: ${callId}`,
    'CSeq: 1 REGISTER',
    `Contact: <sip:t@${local};transport=tcp>`,
    `X-NatScope-Callback: ${delay}`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');

async function tcpClient(port: number, delay: number, callId: string) {
  const c = await nodeNetwork.connectTcp({ remote: { address: HOST, port }, timeoutMs: 2000 });
  conns.push(c);
  const got: string[] = [];
  let closed = false;
  c.onData((d) => got.push(latin1(d)));
  c.onClose(() => (closed = true));
  await c.write(fromLatin1(register(`${c.local.address}:${c.local.port}`, delay, callId)));
  return { c, got, isClosed: () => closed };
}

const invites = (got: string[]) =>
  got
    .join('')
    .split(/(?=INVITE sip:)/)
    .filter((m) => m.startsWith('INVITE '));

describe('callbacks for the inbound-call test', () => {
  it('over TCP a pending callback holds off the idle timeout; the INVITE names a real media port', async () => {
    const clock = new ManualClock();
    const port = await start(clock);
    const { got, isClosed } = await tcpClient(port, 90, 'hold-1');
    await advance(clock, 80_000);
    expect(isClosed()).toBe(false); // 60 s idle timeout held off
    expect(invites(got)).toEqual([]);
    await advance(clock, 11_000);
    const [invite] = invites(got);
    expect(invite).toBeDefined();
    expect(parseSipText(invite!)?.body).toContain(`m=audio ${CALLBACK_SDP_PORT} RTP/AVP`);
    expect(invite).toContain('a=inactive');
  });

  it('a phone that only rings is let go after 32 s; several callbacks may be pending per source', async () => {
    const clock = new ManualClock();
    const port = await start(clock);
    const clients = await Promise.all([1, 2, 3].map((i) => tcpClient(port, 2, `multi-${i}`)));
    await advance(clock, 500, 100);
    expect(server!.stats().callbacks).toBe(3);
    expect(MAX_CALLBACKS_PER_SOURCE).toBeGreaterThanOrEqual(9);
    await advance(clock, 2000, 100);
    for (const { c, got } of clients) {
      const inv = parseSipText(invites(got)[0]!)!;
      const copy = inv.headers
        .filter((h) => ['Via', 'From', 'To', 'Call-ID', 'CSeq'].includes(h.name))
        .map((h) => `${h.name}: ${h.value}`);
      await c.write(fromLatin1(['SIP/2.0 180 Ringing', ...copy, 'Content-Length: 0', '', ''].join('\r\n')));
    }
    await advance(clock, 1000, 100);
    expect(server!.stats().callbacks).toBe(3);
    await advance(clock, 32_000);
    expect(server!.stats().callbacks).toBe(0);
  });
});
