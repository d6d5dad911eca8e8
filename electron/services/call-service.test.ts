import { describe, expect, it } from 'vitest';
import type { IncomingRequestMessage } from 'sip.js/lib/core/index.js';
import type { CallEvent, CallResult } from '../../shared/contracts/call.ts';
import { CallResultSchema } from '../../shared/contracts/call.ts';
import { systemClock } from '../engine/clock/clock.ts';
import { decodeRtcp, encodeRtcpCompound, ntpMiddle32 } from '../engine/rtp/rtcp.ts';
import { ownDigest, parseChallenge } from '../engine/sip/digest.ts';
import { buildResponse } from '../engine/sip/request-builder.ts';
import { parseSip } from '../engine/sip/sip-message.ts';
import { FakeNetwork } from '../engine/sip/test-fakes.ts';
import type { ConnectTcpOptions, Network, TcpConnection } from '../engine/net/network.ts';
import { callCommand } from '../cli/commands/call.ts';
import type { Services } from './services.ts';
import { createCallService } from './call-service.ts';

const PASSWORD = 'S3cr3t-pa55!';
const enc = new TextEncoder();
const dec = new TextDecoder();

interface FakeServerOptions {
  /** Drop the echo (RTP back-path blocked). */
  noEcho?: boolean;
  /** Answer our RTCP SR with an RR after this many ms, claiming DLSR = that delay − 50 ms. */
  rtcpRr?: boolean;
  algorithm?: 'MD5' | 'SHA-256';
  byeAfterMs?: number;
}

/** A registrar + echo UAS on 10.0.0.1 in the fake network: SIP 5060, RTP 6000, RTCP 6001. */
async function fakeServer(net: FakeNetwork, o: FakeServerOptions = {}) {
  const sip = await net.bindUdp({ address: '10.0.0.1', port: 5060 });
  const rtp = await net.bindUdp({ address: '10.0.0.1', port: 6000 });
  const rtcp = await net.bindUdp({ address: '10.0.0.1', port: 6001 });
  const seen: string[] = [];
  sip.onMessage((d, from) => {
    const text = dec.decode(d);
    const req = parseSip(text) as IncomingRequestMessage | null;
    if (!req || !('ruri' in req)) return;
    seen.push(req.method);
    const send = (t: string) => void sip.send(enc.encode(t), from);
    if (req.method === 'REGISTER') {
      const auth = req.getHeader('authorization');
      if (!auth) {
        const alg = o.algorithm ?? 'SHA-256';
        return send(
          buildResponse(req, 401, 'Unauthorized', {
            toTag: 'r1',
            userAgent: 'fake',
            extra: [['WWW-Authenticate', `Digest realm="fake", nonce="n0nce", qop="auth", algorithm=${alg}`]],
          }),
        );
      }
      const p = Object.fromEntries(
        [...auth.matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]+))/g)].map((m) => [m[1], m[2] ?? m[3]]),
      );
      const ch = parseChallenge(`Digest realm="fake", nonce="n0nce", qop="auth", algorithm=${p.algorithm}`)!;
      const good = ownDigest({
        challenge: ch,
        credentials: { username: 'alice', password: PASSWORD },
        method: 'REGISTER',
        uri: p.uri!,
        nc: parseInt(p.nc!, 16),
        cnonce: p.cnonce,
      }).response;
      return send(
        buildResponse(req, p.response === good ? 200 : 403, p.response === good ? 'OK' : 'Forbidden', {
          toTag: 'r1',
          userAgent: 'fake',
          extra: [['Expires', '60']],
        }),
      );
    }
    if (req.method === 'INVITE') {
      send(buildResponse(req, 100, 'Trying', { userAgent: 'fake' }));
      const sdp =
        'v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n';
      send(
        buildResponse(req, 200, 'OK', {
          toTag: 'u1',
          contact: '<sip:echo@10.0.0.1:5060>',
          userAgent: 'fake',
          body: { type: 'application/sdp', text: sdp },
        }),
      );
      if (o.byeAfterMs) {
        setTimeout(() => {
          const bye = `BYE ${/<([^>]+)>/.exec(req.getHeader('contact')!)![1]} SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKbye1\r\nFrom: ${req.getHeader('to')};tag=u1\r\nTo: ${req.getHeader('from')}\r\nCall-ID: ${req.callId}\r\nCSeq: 1 BYE\r\nContent-Length: 0\r\n\r\n`;
          send(bye);
        }, o.byeAfterMs);
      }
      return;
    }
    if (req.method === 'BYE' || req.method === 'CANCEL')
      send(buildResponse(req, 200, 'OK', { userAgent: 'fake' }));
  });
  rtp.onMessage((d, from) => {
    if (!o.noEcho) void rtp.send(d, from);
  });
  rtcp.onMessage((d, from) => {
    if (!o.rtcpRr) return;
    const sr = decodeRtcp(d)?.find((p) => p.type === 'sr');
    if (!sr || sr.type !== 'sr') return;
    // Hold the SR 400 ms but claim DLSR = 100 ms: the RTT computed from LSR/DLSR must be ≈ 300 ms.
    setTimeout(() => {
      const block = {
        ssrc: sr.ssrc,
        fractionLost: 0,
        cumulativeLost: 0,
        highestSeq: 0,
        jitter: 16,
        lsr: ntpMiddle32(sr.sender.ntpSec, sr.sender.ntpFrac),
        dlsr: Math.round(0.1 * 65536),
      };
      void rtcp.send(encodeRtcpCompound({ ssrc: 0x1234, reports: [block], cname: 'fake' }), from);
    }, 400);
  });
  return { seen };
}

function deps(net: FakeNetwork) {
  return { network: net, clock: systemClock, routeSource: async () => '10.0.0.2' };
}

describe('call service (in-memory network)', () => {
  it('registers with SHA-256 digest, calls, measures the echo and never leaks the password', async () => {
    const net = new FakeNetwork();
    const server = await fakeServer(net, { rtcpRr: true });
    const service = createCallService(deps(net));
    const events: CallEvent[] = [];
    const outs: string[] = [];
    const errs: string[] = [];
    const run = (json: boolean) =>
      callCommand.run({
        services: {
          call: {
            ...service,
            echoTest: (i: never, c: { emit(e: CallEvent): void; signal: AbortSignal }) =>
              service.echoTest(i, { signal: c.signal, emit: (e) => (events.push(e), c.emit(e)) }),
          },
        } as unknown as Services,
        io: { out: (t) => outs.push(t), err: (t) => errs.push(t), interactive: false },
        json,
        values: {
          password: PASSWORD,
          registrar: 'pbx.test',
          user: 'alice',
          duration: '3',
          'rtp-ports': '20000-20010',
          messages: true,
        },
        positionals: ['sip:echo@pbx.test'],
        signal: new AbortController().signal,
      });
    expect(await run(true)).toBe(0);
    const result = CallResultSchema.parse(JSON.parse(outs[0]!)) as CallResult;
    expect(result.registration).toMatchObject({
      ok: true,
      status: 200,
      authAlgorithm: 'SHA-256',
      unregistered: true,
    });
    expect(result.answered).toBe(true);
    expect(result.sipStatus).toBe(200);
    expect(result.endReason).toBe('completed');
    expect(result.oneWayAudio).toBe(false);
    // 3 s at 20 ms is 150 packets; a loaded machine's timers send a few fewer (144 seen at load 14).
    // What this test proves is that every packet sent came back, not the pacing.
    expect(result.rtp!.sent).toBeGreaterThanOrEqual(100);
    expect(result.rtp!.received).toBe(result.rtp!.sent);
    expect(result.rtp!.lossPercent).toBe(0);
    expect(result.rtp!.lossBasis).toBe('round-trip-split');
    // The fake echo reflects our packets at once: they are the most direct RTT source (≈ 0 ms).
    // Its RTCP claims ≈ 300 ms (held 400 ms, DLSR 100 ms): computed right, and reported as a
    // disagreement instead of being believed.
    expect(result.rtp!.rttSource).toBe('echoed-packets');
    expect(result.rtp!.rttMs).toBeLessThan(100); // ≈ 0 on the in-memory network, whatever the load
    expect(result.rtp!.rttAgreement).toBe('disagree');
    expect(result.rtp!.rttDisagreement).toMatch(/RTCP says \d+ ms but our echoed packets took/);
    expect(result.rtp!.rtcpRttMs).toBeGreaterThan(285);
    expect(result.rtp!.rtcpRttMs).toBeLessThan(400);
    expect(result.rtp!.audioLatencyMs).not.toBeNull();
    expect(result.rtp!.mos).toBeGreaterThan(4.3);
    expect(result.messages.map((m) => m.summary.split(' ')[0])).toEqual(
      expect.arrayContaining(['REGISTER', '401', 'INVITE', '200', 'ACK', 'BYE']),
    );
    expect(result.messages.some((m) => m.raw.includes('Authorization: [redacted]'))).toBe(true);
    expect(server.seen.filter((m) => m === 'REGISTER')).toHaveLength(4); // challenged + authorised, register and un-register
    // Human output too.
    expect(await run(false)).toBe(0);
    const all = [...outs, ...errs, JSON.stringify(events)].join('\n');
    expect(all).toContain('Echo test');
    expect(all).not.toContain(PASSWORD);
    // Nor any digest response derived from it.
    expect(all).not.toMatch(/response="[0-9a-f]{32,64}"/);
    const states = events.filter((e) => e.kind === 'state').map((e) => (e.kind === 'state' ? e.state : ''));
    expect(states).toEqual(
      expect.arrayContaining([
        'preparing',
        'registering',
        'registered',
        'calling',
        'answered',
        'media',
        'hanging-up',
        'ended',
      ]),
    );
    expect(events.filter((e) => e.kind === 'stats').length).toBeGreaterThanOrEqual(3);
  }, 30_000);

  it('a wrong password fails registration clearly', async () => {
    const net = new FakeNetwork();
    await fakeServer(net, { algorithm: 'MD5' });
    const r = await createCallService(deps(net)).echoTest(
      {
        target: 'sip:echo@pbx.test',
        account: { registrar: 'pbx.test', username: 'alice', password: 'wrong' },
        rtpPortRange: { start: 20000, end: 20010 },
      },
      { signal: new AbortController().signal, emit: () => {} },
    );
    expect(r.registration).toMatchObject({ ok: false, status: 403, authAlgorithm: 'MD5' });
    expect(r.endReason).toBe('auth-failed');
    expect(r.findings.map((f) => f.code)).toContain('auth-failed');
    expect(JSON.stringify(r)).not.toContain('wrong"');
  });

  it('detects one-way audio when nothing comes back', async () => {
    const net = new FakeNetwork();
    await fakeServer(net, { noEcho: true });
    const events: CallEvent[] = [];
    const r = await createCallService(deps(net)).echoTest(
      { target: 'sip:echo@10.0.0.1', durationSec: 3.5, rtpPortRange: { start: 20000, end: 20010 } },
      { signal: new AbortController().signal, emit: (e) => events.push(e) },
    );
    expect(r.answered).toBe(true);
    expect(r.oneWayAudio).toBe(true);
    expect(r.rtp!.received).toBe(0);
    expect(r.findings.find((f) => f.code === 'one-way-audio')?.message).toMatch(/none came back/);
    expect(events.some((e) => e.kind === 'finding' && e.finding.code === 'one-way-audio')).toBe(true);
  }, 20_000);

  it('reports a hang-up by the far end and cancels on abort', async () => {
    const net = new FakeNetwork();
    await fakeServer(net, { byeAfterMs: 1200 });
    const r = await createCallService(deps(net)).echoTest(
      { target: 'sip:echo@10.0.0.1', durationSec: 10, rtpPortRange: { start: 20000, end: 20010 } },
      { signal: new AbortController().signal, emit: () => {} },
    );
    expect(r.endReason).toBe('remote-bye');
    expect(r.findings.map((f) => f.code)).toContain('call-dropped');
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 1500);
    const net2 = new FakeNetwork();
    await fakeServer(net2);
    const c = await createCallService(deps(net2)).echoTest(
      { target: 'sip:echo@10.0.0.1', durationSec: 10, rtpPortRange: { start: 20000, end: 20010 } },
      { signal: ac.signal, emit: () => {} },
    );
    expect(c.endReason).toBe('cancelled');
    expect(c.messages.some((m) => m.method === 'BYE')).toBe(true);
  }, 20_000);
});

describe('call service (loopback): a registrar nobody listens on', () => {
  it('ends "unreachable" with sip-unreachable at once (ICMP port unreachable), not "no-response"', async () => {
    const { nodeNetwork } = await import('../engine/net/node-network.ts');
    const probe = await nodeNetwork.bindUdp({ address: '127.0.0.1' });
    const closedPort = probe.local.port;
    await probe.close();
    const r = await createCallService({
      network: nodeNetwork,
      clock: systemClock,
      routeSource: async () => '127.0.0.1',
    }).echoTest(
      {
        target: `sip:echo@127.0.0.1:${closedPort}`,
        account: { registrar: `127.0.0.1:${closedPort}`, username: 'alice', password: PASSWORD },
        durationSec: 1,
      },
      { signal: new AbortController().signal, emit: () => {} },
    );
    expect(r.registration).toMatchObject({ ok: false, status: null });
    expect(r.endReason).toBe('unreachable');
    expect(r.findings.map((f) => f.code)).toEqual(['sip-unreachable']);
    expect(r.findings[0]!.message).toContain(`nothing listens on udp/${closedPort} at 127.0.0.1`);
  });
});

describe('call service: stopped while the TCP/TLS connection is still being opened', () => {
  it('fails "cancelled", not "unreachable" (the user stopped it; nothing says the server is down)', async () => {
    const net = new FakeNetwork();
    let connecting!: () => void;
    const started = new Promise<void>((r) => (connecting = r));
    // A SYN nobody answers: the connect only ends when it is aborted.
    (net as Network).connectTcp = (o: ConnectTcpOptions) =>
      new Promise<TcpConnection>((_, reject) => {
        connecting();
        o.signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
      });
    const abort = new AbortController();
    const call = createCallService(deps(net)).echoTest(
      { target: 'sip:echo@10.0.0.1', transport: 'tcp', durationSec: 1 },
      { signal: abort.signal, emit: () => {} },
    );
    await started;
    abort.abort();
    await expect(call).rejects.toMatchObject({ code: 'cancelled' });
  });
});
