// The companion's abuse limits, driven by a manual clock (issue #18 items 1–4): the return-
// routability nonce, per-source quotas with a fair share, the STUN answer budget, and the TCP
// session's deadlines. Over-the-wire behaviour is in companion.test.ts and the lab.
import { describe, expect, it } from 'vitest';
import { parseSipText } from '../../../shared/model/alg-sip.ts';
import { fromLatin1 } from '../../../shared/model/alg-reflect.ts';
import type { TcpConnection } from '../net/network.ts';
import { ManualClock } from '../sip/test-fakes.ts';
import {
  addAttribute,
  ChangedAddress,
  createMessage,
  decodeMessage,
  encodeMessage,
  ErrorCode,
  MappedAddress,
  OtherAddress,
  ResponseOrigin,
  Software,
  SourceAddress,
  UnknownAttributes,
  XorMappedAddress,
} from '../stun/codec.ts';
import { silentLogger } from './logger.ts';
import { ReturnRoutability, RR_BUCKET_MS } from './return-routability.ts';
import { serveTcpSession } from './sip-tcp-session.ts';
import { SourceQuota } from './source-quota.ts';
import { fitStunAnswer } from './stun-budget.ts';

const SRC = { address: '198.51.100.7', port: 40000 };
const invite = (auth = '') =>
  parseSipText(
    [
      'INVITE sip:echo@203.0.113.10 SIP/2.0',
      'Via: SIP/2.0/UDP 198.51.100.7:40000;branch=z9hG4bK1',
      'From: <sip:a@x>;tag=1',
      'To: <sip:echo@x>',
      'Call-ID: rr-1',
      'CSeq: 1 INVITE',
      ...(auth ? [`Authorization: ${auth}`] : []),
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  )!;
const auth = (nonce: string, realm = 'natscope-companion') =>
  `Digest username="natscope", realm="${realm}", nonce="${nonce}", uri="sip:echo@x", response="0"`;

describe('return routability (stateless digest nonce)', () => {
  it('a request without our Authorization is unverified; the 401 is stateless and repeatable', () => {
    const rr = new ReturnRoutability(new ManualClock());
    expect(rr.check(invite(), SRC, 'UDP')).toBe('none');
    const a = rr.challenge(invite(), SRC, 'UDP', false);
    expect(a).toMatch(/^SIP\/2\.0 401 Unauthorized\r\n/);
    expect(a).toMatch(/WWW-Authenticate: Digest realm="natscope-companion", nonce="[^"]+", algorithm=MD5/);
    expect(a).not.toMatch(/^Server:/m);
    expect(rr.challenge(invite(), SRC, 'UDP', false)).toBe(a); // same request, same answer (§8.2.7)
  });

  it('the nonce proves this very source, over this transport, for 30–60 s', () => {
    const clock = new ManualClock();
    const rr = new ReturnRoutability(clock);
    const nonce = rr.nonce(SRC, 'UDP');
    expect(rr.check(invite(auth(nonce)), SRC, 'UDP')).toBe('verified');
    expect(rr.check(invite(auth(nonce)), { ...SRC, port: 40001 }, 'UDP')).toBe('stale');
    expect(rr.check(invite(auth(nonce)), { ...SRC, address: '198.51.100.8' }, 'UDP')).toBe('stale');
    expect(rr.check(invite(auth(nonce)), SRC, 'TCP')).toBe('stale');
    expect(rr.check(invite(auth(nonce, 'pbx')), SRC, 'UDP')).toBe('none');
    expect(rr.check(invite(auth(`${nonce}x`)), SRC, 'UDP')).toBe('stale');
    clock.advance(RR_BUCKET_MS);
    expect(rr.check(invite(auth(nonce)), SRC, 'UDP')).toBe('verified');
    clock.advance(RR_BUCKET_MS);
    expect(rr.check(invite(auth(nonce)), SRC, 'UDP')).toBe('stale');
    expect(rr.challenge(invite(), SRC, 'UDP', true)).toMatch(/stale=true/);
  });

  it('another server (another secret) does not accept our nonce', () => {
    const clock = new ManualClock();
    const nonce = new ReturnRoutability(clock).nonce(SRC, 'UDP');
    expect(new ReturnRoutability(clock).check(invite(auth(nonce)), SRC, 'UDP')).toBe('stale');
  });
});

describe('source quota', () => {
  it('caps per source, in total, and keeps a fair share once half full', () => {
    const q = new SourceQuota({ maxTotal: 4, maxPerSource: 3 });
    expect(q.acquire('a')).toBeNull();
    expect(q.acquire('a')).toBeNull(); // 2 of 4: half full now
    expect(q.acquire('a')).toBe('fair-share');
    expect(q.acquire('b')).toBeNull();
    expect(q.acquire('c')).toBeNull();
    expect(q.acquire('d')).toBe('full');
    q.release('a');
    q.release('a');
    expect(q.heldBy('a')).toBe(0);
    expect(q.sources).toBe(2);
    const solo = new SourceQuota({ maxTotal: 100, maxPerSource: 2 });
    expect([solo.acquire('x'), solo.acquire('x'), solo.acquire('x')]).toEqual([null, null, 'per-source']);
  });
});

describe('STUN answer budget (3× the request)', () => {
  const client = { address: '198.51.100.7', port: 40000 };
  const server = { address: '203.0.113.10', port: 3478 };
  const other = { address: '198.51.100.10', port: 3479 };
  const fullAnswer = (classic: boolean) => {
    const m = createMessage({ cls: 'success' });
    if (!classic) addAttribute(m, XorMappedAddress, client);
    addAttribute(m, MappedAddress, client);
    addAttribute(m, ResponseOrigin, server);
    addAttribute(m, OtherAddress, other);
    addAttribute(m, Software, 'NatScope companion 1');
    if (classic) {
      addAttribute(m, SourceAddress, server);
      addAttribute(m, ChangedAddress, other);
    }
    return m;
  };
  const fit = (classic: boolean, requestBytes: number, hadFp = false) => {
    const m = fullAnswer(classic);
    const r = fitStunAnswer(m, {
      budget: 3 * requestBytes,
      classic,
      wantFingerprint: !classic,
      requestHadFingerprint: hadFp,
    });
    const bytes = encodeMessage(m, { fingerprint: r?.fingerprint ?? false });
    return { bytes, names: decodeMessage(bytes).attributes.map((a) => a.type) };
  };
  it('a bare 20-byte request: ≤ 60 bytes, still XOR-MAPPED + OTHER-ADDRESS + RESPONSE-ORIGIN', () => {
    const r = fit(false, 20);
    expect(r.bytes.length).toBe(56);
    const m = decodeMessage(r.bytes);
    expect(m.attributes.map((a) => a.type).sort()).toEqual([0x0020, 0x802b, 0x802c].sort());
  });
  it('a classic 20-byte request: MAPPED + CHANGED + SOURCE (what RFC 3489 clients read)', () => {
    const r = fit(true, 20);
    expect(r.bytes.length).toBeLessThanOrEqual(60);
    expect(r.names).toEqual([0x0001, 0x0004, 0x0005]);
  });
  it('a 40-byte request (SOFTWARE, as NatScope sends) earns the whole answer', () => {
    const r = fit(false, 40);
    expect(r.names).toHaveLength(5); // XOR, MAPPED, RO, OA, SOFTWARE (+ FINGERPRINT)
    expect(decodeMessage(r.bytes).hasFingerprint).toBe(true);
    expect(r.bytes.length).toBeLessThanOrEqual(120);
  });
  it('an error keeps ERROR-CODE and UNKNOWN-ATTRIBUTES, or is not sent', () => {
    const m = createMessage({ cls: 'error' });
    addAttribute(m, ErrorCode, { code: 420, reason: 'Unknown Attribute' });
    addAttribute(m, UnknownAttributes, [0x7777]);
    addAttribute(m, Software, 'NatScope companion 1');
    expect(
      fitStunAnswer(m, {
        budget: 60,
        classic: false,
        wantFingerprint: true,
        requestHadFingerprint: false,
      }),
    ).toEqual({ fingerprint: false });
    expect(m.attributes).toHaveLength(2);
    expect(
      fitStunAnswer(m, { budget: 30, classic: false, wantFingerprint: true, requestHadFingerprint: false }),
    ).toBeNull();
  });
});

/** An in-memory TcpConnection: what the server wrote, and whether it closed. */
function fakeConnection() {
  const data: ((d: Uint8Array) => void)[] = [];
  const closes: (() => void)[] = [];
  const state = { closed: false, written: [] as string[] };
  const c: TcpConnection = {
    local: { address: '203.0.113.10', port: 5060 },
    remote: { address: '198.51.100.7', port: 40000 },
    write: async (b) => void state.written.push(new TextDecoder('latin1').decode(b)),
    onData: (l) => (data.push(l), () => {}),
    onClose: (l) => (closes.push(l), () => {}),
    close: async () => {
      if (state.closed) return;
      state.closed = true;
      for (const l of closes) l();
    },
  };
  return { c, state, send: (t: string) => data.forEach((l) => l(fromLatin1(t))) };
}

describe('SIP over TCP: deadlines nothing can stretch', () => {
  const limits = {
    maxHeaderBytes: 16 * 1024,
    maxBodyBytes: 64 * 1024,
    tcpIdleMs: 60_000,
    tcpMessageDeadlineMs: 10_000,
    tcpLifetimeMs: 300_000,
  };
  const start = () => {
    const clock = new ManualClock();
    const f = fakeConnection();
    const messages: string[] = [];
    serveTcpSession(f.c, {
      clock,
      limits,
      logger: silentLogger,
      onMessage: (b) => messages.push(new TextDecoder('latin1').decode(b)),
      onClosed: () => {},
    });
    return { clock, ...f, messages };
  };
  const OPTIONS = 'OPTIONS sip:x SIP/2.0\r\nContent-Length: 0\r\n\r\n';

  it('slowloris: one byte a second never completes a message and is cut at 10 s', () => {
    const t = start();
    for (let i = 0; i < 9; i++) {
      t.send(OPTIONS[i]!);
      t.clock.advance(1000);
    }
    expect(t.state.closed).toBe(false);
    t.clock.advance(1000);
    expect(t.state.closed).toBe(true);
    expect(t.messages).toEqual([]);
  });

  it('a connection that says nothing is closed at the message deadline', () => {
    const t = start();
    t.clock.advance(10_000);
    expect(t.state.closed).toBe(true);
  });

  it('CRLF keep-alives keep it open until the lifetime cap, not forever', () => {
    const t = start();
    t.send(OPTIONS);
    for (let i = 0; i < 5; i++) {
      t.clock.advance(50_000);
      t.send('\r\n\r\n');
    }
    expect(t.state.closed).toBe(false); // 250 s: every keep-alive answered, still open
    expect(t.state.written.filter((w) => w === '\r\n').length).toBe(5);
    t.clock.advance(49_999);
    expect(t.state.closed).toBe(false);
    t.clock.advance(1);
    expect(t.state.closed).toBe(true); // 300 s after the accept, keep-alives or not
  });

  it('idle for 60 s after the last message: closed', () => {
    const t = start();
    t.send(OPTIONS);
    expect(t.messages).toHaveLength(1);
    t.clock.advance(59_999);
    expect(t.state.closed).toBe(false);
    t.clock.advance(1);
    expect(t.state.closed).toBe(true);
  });
});
