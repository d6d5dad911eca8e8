import type { IncomingRequestMessage } from 'sip.js/lib/core/index.js';
import { describe, expect, it } from 'vitest';
import { MessageLog } from './message-log.ts';
import { buildResponse } from './request-builder.ts';
import { parseSip, topVia } from './sip-message.ts';
import { FakeNetwork, ManualClock } from './test-fakes.ts';
import { TransactionLayer } from './transactions.ts';
import { udpSipTransport } from './udp-transport.ts';
import { UserAgent } from './user-agent.ts';

const SERVER = { address: '10.0.0.1', port: 5060 };

/** A UA on an in-memory network and a scripted server socket that records what reaches it. */
async function setUp() {
  const net = new FakeNetwork();
  const clock = new ManualClock();
  const server = await net.bindUdp(SERVER);
  const received: IncomingRequestMessage[] = [];
  server.onMessage((d) => received.push(parseSip(new TextDecoder().decode(d)) as IncomingRequestMessage));
  const socket = await net.bindUdp({ address: '10.0.0.2' });
  const transport = udpSipTransport(socket);
  const layer = new TransactionLayer({
    transport,
    clock,
    log: new MessageLog(() => clock.now()),
    userAgent: 't',
  });
  const ua = new UserAgent({
    layer,
    nextHop: SERVER,
    resolve: async (h) => [h],
    viaSentBy: socket.local,
    contact: socket.local,
    userAgent: 'NatScope/test',
  });
  const reply = (req: IncomingRequestMessage, status: number, reason: string) =>
    server.send(
      new TextEncoder().encode(buildResponse(req, status, reason, { toTag: 'srv', userAgent: 's' })),
      socket.local,
    );
  const next = async (method: string) => {
    for (let i = 0; i < 100; i++) {
      const m = received.find((r) => r.method === method);
      if (m) return m;
      await new Promise((r) => setImmediate(r));
    }
    throw new Error(`no ${method} arrived`);
  };
  return { ua, clock, server, socket, received, reply, next, close: () => layer.close() };
}

describe('placing a call: CANCEL (RFC 3261 §9.1)', () => {
  it('an abort before any provisional response holds the CANCEL until the 1xx, then sends it on the INVITE’s branch', async () => {
    const t = await setUp();
    const abort = new AbortController();
    const outcome = t.ua.invite({ target: 'sip:echo@10.0.0.1', sdp: 'v=0\r\n', signal: abort.signal });
    const invite = await t.next('INVITE');
    abort.abort();
    await new Promise((r) => setImmediate(r));
    expect(t.received.some((m) => m.method === 'CANCEL')).toBe(false);
    await t.reply(invite, 180, 'Ringing');
    const cancel = await t.next('CANCEL');
    expect(topVia(cancel)?.branch).toBe(topVia(invite)?.branch);
    expect(cancel.cseq).toBe(invite.cseq);
    await t.reply(cancel, 200, 'OK');
    await t.reply(invite, 487, 'Request Terminated');
    expect(await outcome).toMatchObject({ answered: false, status: 487, kind: 'cancelled' });
    t.close();
  });
});

describe('placing a call: a 2xx that crosses our CANCEL', () => {
  it('is ended with a BYE whose wait is bounded like the CANCEL’s, not Timer F (32 s)', async () => {
    // A far end that answers just as we give up (ringing too long), then never answers our BYE:
    // `natscope call` must still end within its duration + 40 s.
    const t = await setUp();
    let settled = false;
    const outcome = t.ua.invite({ target: 'sip:echo@10.0.0.1', sdp: 'v=0\r\n', answerTimeoutMs: 1000 });
    void outcome.then(() => (settled = true));
    const invite = await t.next('INVITE');
    await t.reply(invite, 180, 'Ringing');
    await new Promise((r) => setImmediate(r));
    t.clock.advance(1000); // the answer timeout: CANCEL
    const cancel = await t.next('CANCEL');
    await t.reply(cancel, 200, 'OK');
    const ok = buildResponse(invite, 200, 'OK', {
      toTag: 'srv',
      contact: `<sip:echo@${SERVER.address}:${SERVER.port}>`,
      userAgent: 's',
      body: { type: 'application/sdp', text: 'v=0\r\n' },
    });
    await t.server.send(new TextEncoder().encode(ok), t.socket.local);
    await t.next('BYE'); // ACK and BYE go out; the BYE is never answered
    for (let i = 0; i < 20 && !settled; i++) {
      t.clock.advance(500);
      await new Promise((r) => setImmediate(r));
    }
    expect(settled).toBe(true); // within 10 s of the answer, not the BYE's Timer F
    expect(await outcome).toMatchObject({ answered: false, kind: 'no-answer' });
    t.close();
  });
});
