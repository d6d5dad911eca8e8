import { describe, expect, it } from 'vitest';
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import { MessageLog } from './message-log.ts';
import { buildRequest, buildResponse, newBranch, viaHeader } from './request-builder.ts';
import { parseSip, type SipResponse } from './sip-message.ts';
import { ManualClock } from './test-fakes.ts';
import { TransactionLayer, type ClientTransactionUser } from './transactions.ts';
import type { SipTransport } from './transport.ts';
import type { IncomingRequestMessage } from 'sip.js/lib/core/index.js';

const SERVER: Endpoint = { address: '10.0.0.1', port: 5060 };

function fakeTransport(reliable = false) {
  const sent: { text: string; at: number }[] = [];
  let deliver: (text: string, from: Endpoint) => void = () => {};
  const clock = new ManualClock();
  const t: SipTransport = {
    protocol: reliable ? 'TCP' : 'UDP',
    reliable,
    local: { address: '10.0.0.2', port: 5060 },
    remote: null,
    send: async (text) => void sent.push({ text, at: clock.now() }),
    onMessage: (l) => {
      deliver = l;
      return () => {};
    },
    onClose: () => () => {},
    close: async () => {},
  };
  const log = new MessageLog(() => clock.now());
  const layer = new TransactionLayer({ transport: t, clock, log, userAgent: 'x' });
  return { t, sent, clock, log, layer, receive: (text: string) => deliver(text, SERVER) };
}

function request(method: string, branch = newBranch()) {
  const text = buildRequest({
    method,
    ruri: 'sip:echo@10.0.0.1',
    via: viaHeader('UDP', { address: '10.0.0.2', port: 5060 }, branch),
    from: '<sip:a@b>;tag=1',
    to: '<sip:echo@10.0.0.1>',
    callId: 'c1',
    cseq: 1,
    userAgent: 'NatScope/test',
  });
  return { text, branch };
}

function respond(reqText: string, status: number, reason: string, toTag = 'srv'): string {
  return buildResponse(parseSip(reqText) as IncomingRequestMessage, status, reason, {
    toTag,
    userAgent: 'srv',
  });
}

function user() {
  const events: string[] = [];
  const u: ClientTransactionUser = {
    onResponse: (r: SipResponse, retx) => events.push(`${r.statusCode}${retx ? ' retx' : ''}`),
    onTimeout: () => events.push('timeout'),
    onTransportError: () => events.push('transport-error'),
  };
  return { u, events };
}

describe('client INVITE transaction (RFC 3261 §17.1.1)', () => {
  it('Timer A retransmits at 0.5, 1, 2, 4, 8, 16 s and Timer B times out at 32 s', () => {
    const { sent, clock, layer } = fakeTransport();
    const { u, events } = user();
    const r = request('INVITE');
    layer.sendRequest({ method: 'INVITE', branch: r.branch, text: r.text, dest: SERVER }, u);
    clock.advance(40_000);
    expect(sent.map((s) => s.at)).toEqual([0, 500, 1500, 3500, 7500, 15500, 31500]);
    expect(events).toEqual(['timeout']);
  });

  it('a provisional response stops Timer A; the final non-2xx is ACKed (same branch) and repeats absorbed', () => {
    const { sent, clock, receive, log, layer } = fakeTransport();
    const { u, events } = user();
    const r = request('INVITE');
    layer.sendRequest({ method: 'INVITE', branch: r.branch, text: r.text, dest: SERVER }, u);
    clock.advance(600); // one retransmission
    receive(respond(r.text, 180, 'Ringing'));
    clock.advance(5000);
    expect(sent).toHaveLength(2);
    receive(respond(r.text, 486, 'Busy Here'));
    receive(respond(r.text, 486, 'Busy Here')); // a repeat
    expect(events).toEqual(['180', '486']);
    const acks = sent.filter((s) => s.text.startsWith('ACK'));
    expect(acks).toHaveLength(2);
    expect(acks[0]!.text).toContain(`branch=${r.branch}`);
    expect(acks[0]!.text).toContain('CSeq: 1 ACK');
    expect(acks[0]!.text).toMatch(/To: <sip:echo@10.0.0.1>;tag=srv/);
    expect(
      log
        .all()
        .filter((e) => e.retransmission)
        .map((e) => e.summary),
    ).toEqual(['INVITE sip:echo@10.0.0.1', '486 Busy Here', 'ACK sip:echo@10.0.0.1']);
  });

  it('2xx repeats are passed up flagged so the UA re-sends its ACK', () => {
    const { receive, layer } = fakeTransport();
    const { u, events } = user();
    const r = request('INVITE');
    layer.sendRequest({ method: 'INVITE', branch: r.branch, text: r.text, dest: SERVER }, u);
    receive(respond(r.text, 200, 'OK'));
    receive(respond(r.text, 200, 'OK'));
    expect(events).toEqual(['200', '200 retx']);
  });

  it('no retransmissions on a reliable transport, Timer B still applies', () => {
    const { sent, clock, layer } = fakeTransport(true);
    const { u, events } = user();
    const r = request('INVITE');
    layer.sendRequest({ method: 'INVITE', branch: r.branch, text: r.text, dest: SERVER }, u);
    clock.advance(33_000);
    expect(sent).toHaveLength(1);
    expect(events).toEqual(['timeout']);
  });
});

describe('client non-INVITE transaction (RFC 3261 §17.1.2)', () => {
  it('Timer E doubles up to T2 (4 s), Timer F times out at 32 s', () => {
    const { sent, clock, layer } = fakeTransport();
    const { u, events } = user();
    const r = request('REGISTER');
    layer.sendRequest({ method: 'REGISTER', branch: r.branch, text: r.text, dest: SERVER }, u);
    clock.advance(40_000);
    expect(sent.map((s) => s.at)).toEqual([
      0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500,
    ]);
    expect(events).toEqual(['timeout']);
  });

  it('in Proceeding, retransmits every T2; the final response ends it and repeats are absorbed', () => {
    const { sent, clock, receive, layer } = fakeTransport();
    const { u, events } = user();
    const r = request('BYE');
    layer.sendRequest({ method: 'BYE', branch: r.branch, text: r.text, dest: SERVER }, u);
    receive(respond(r.text, 100, 'Trying'));
    clock.advance(9000);
    expect(sent.map((s) => s.at)).toEqual([0, 500, 4500, 8500]);
    receive(respond(r.text, 200, 'OK'));
    receive(respond(r.text, 200, 'OK'));
    clock.advance(40_000);
    expect(events).toEqual(['100', '200']);
    expect(layer.counters.absorbedResponses).toBe(1);
  });
});

describe('server transactions (RFC 3261 §17.2)', () => {
  it('a repeated BYE is answered again from the transaction, not passed to the UA', () => {
    const { sent, receive, layer } = fakeTransport();
    let seen = 0;
    layer.onRequest = (req, tx) => {
      seen++;
      tx.respond(buildResponse(req, 200, 'OK', { userAgent: 'x' }), 200);
    };
    const bye = request('BYE').text.replace('10.0.0.2:5060', '10.0.0.1:5060');
    receive(bye);
    receive(bye);
    expect(seen).toBe(1);
    expect(sent.filter((s) => s.text.startsWith('SIP/2.0 200'))).toHaveLength(2);
  });

  it('a 200 to a re-INVITE is re-sent (Timer G) until the ACK arrives', () => {
    const { sent, clock, receive, layer } = fakeTransport();
    layer.onRequest = (req, tx) => tx.respond(buildResponse(req, 200, 'OK', { userAgent: 'x' }), 200);
    const inv = request('INVITE').text.replace('10.0.0.2:5060', '10.0.0.1:5060');
    receive(inv);
    clock.advance(1600);
    expect(sent.map((s) => s.at)).toEqual([0, 500, 1500]);
    receive(request('ACK').text.replace('10.0.0.2:5060', '10.0.0.1:5060'));
    clock.advance(40_000);
    expect(sent).toHaveLength(3);
  });
});
