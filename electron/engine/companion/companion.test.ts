/**
 * The companion server and the ALG client over real loopback sockets (127.0.0.1 / 127.0.0.2,
 * ephemeral ports), plus an in-process "kernel ALG" double to prove rewrites are seen both ways.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeNetwork } from '../net/node-network.ts';
import { systemClock } from '../clock/clock.ts';
import { startCompanionServer, type CompanionServer } from './companion-server.ts';
import { memoryLogger } from './logger.ts';
import { nodeListenTcp } from './tcp-listener.ts';
import { runAlgTest } from '../alg/alg-test.ts';
import { algSimNetwork } from '../alg/testing/alg-sim-network.ts';
import { fromLatin1, latin1 } from '../../../shared/model/alg-reflect.ts';
import {
  createMessage,
  decodeMessage,
  encodeMessage,
  addAttribute,
  ChangeRequestAttr,
  getAttribute,
  MappedAddress,
  XorMappedAddress,
  OtherAddress,
  ResponseOrigin,
  SourceAddress,
  ChangedAddress,
  Padding,
  Software,
} from '../stun/codec.ts';
import { parseSipText } from '../../../shared/model/alg-sip.ts';
import { decodeRtp, encodeRtp } from '../rtp/rtp-packet.ts';
import { buildOffer } from '../sdp/sdp.ts';

const PRIMARY = '127.0.0.2';
const ALT = '127.0.0.1';
let server: CompanionServer;
const log = memoryLogger(5000);
let sip: number;
let sipAlt: number;
let stunPorts: [number, number];

async function freePorts(n: number): Promise<number[]> {
  const socks = await Promise.all(
    Array.from({ length: n }, () => nodeNetwork.bindUdp({ address: PRIMARY, port: 0 })),
  );
  const ports = socks.map((s) => s.local.port);
  await Promise.all(socks.map((s) => s.close()));
  return ports;
}

beforeAll(async () => {
  const [a, b, c, d] = await freePorts(4);
  sip = a!;
  sipAlt = b!;
  stunPorts = [c!, d!];
  server = await startCompanionServer({
    address: PRIMARY,
    alternateAddress: ALT,
    stunPort: stunPorts[0],
    stunAltPort: stunPorts[1],
    sipPorts: [sip, sipAlt],
    network: nodeNetwork,
    listenTcp: nodeListenTcp,
    clock: systemClock,
    logger: log,
    limits: { sipPerSec: 1000, sipBurst: 1000 },
  });
});
afterAll(async () => {
  await server.close();
});

function udpRequest(
  to: { address: string; port: number },
  data: Uint8Array,
  from = ALT,
  timeoutMs = 1500,
): Promise<{ data: Uint8Array; from: { address: string; port: number } }[]> {
  return (async () => {
    const s = await nodeNetwork.bindUdp({ address: from, port: 0 });
    const got: { data: Uint8Array; from: { address: string; port: number } }[] = [];
    s.onMessage((d, f) => got.push({ data: d.slice(), from: f }));
    await s.send(data, to);
    await new Promise((r) => setTimeout(r, timeoutMs));
    await s.close();
    return got;
  })();
}

/** Waits until `ok()` holds, at most `ms` (then the assertion after it reports what is missing). */
async function until(ok: () => boolean, ms = 5000): Promise<void> {
  for (const end = Date.now() + ms; !ok() && Date.now() < end;) await new Promise((r) => setTimeout(r, 20));
}

describe('SIP reflector + ALG client (loopback)', () => {
  it('reports every path untouched with no middlebox', async () => {
    const r = await runAlgTest({
      network: nodeNetwork,
      clock: systemClock,
      reflector: { host: PRIMARY, port: sip },
      altPort: sipAlt,
      sourcePorts: ['random'],
      localAddress: ALT,
      timeoutMs: 1500,
    });
    expect(r.algDetected).toBe(false);
    expect(r.loopbackDemo).toBe(true);
    expect(r.paths.map((p) => `${p.transport} ${p.destinationPort} ${p.status}`)).toEqual([
      `UDP ${sip} untouched`,
      `UDP ${sipAlt} untouched`,
      `TCP ${sip} untouched`,
      `TCP ${sipAlt} untouched`,
    ]);
    expect(
      r.paths.every(
        (p) => p.messages.length === 3 && p.messages.every((m) => m.observedSource?.startsWith('127.0.0.1:')),
      ),
    ).toBe(true);
  });

  it('names the rewritten fields on the ALG port only (simulated kernel ALG on UDP)', async () => {
    const net = algSimNetwork(nodeNetwork, { privateIp: ALT, publicIp: '203.0.113.1', ports: [sip] });
    const r = await runAlgTest({
      network: net,
      clock: systemClock,
      reflector: { host: PRIMARY, port: sip },
      altPort: sipAlt,
      sourcePorts: ['random'],
      localAddress: ALT,
      timeoutMs: 1500,
    });
    expect(r.algDetected).toBe(true);
    const udp = r.paths.find((p) => p.transport === 'UDP' && p.destinationPort === sip)!;
    expect(udp.status).toBe('rewritten');
    expect(udp.rewrittenFields).toEqual(
      expect.arrayContaining(['Via', 'Contact', 'SDP o=', 'SDP c=', 'Content-Length']),
    );
    expect(udp.inboundRewrittenFields).toEqual(['Via']);
    expect(udp.writtenAddresses).toEqual(['203.0.113.1']);
    expect(r.paths.filter((p) => p !== udp).every((p) => p.status === 'untouched')).toBe(true);
    expect(r.summary).toBe(
      `UDP ${sip}: Via, Contact, Content-Length, SDP o= and SDP c= rewritten to 203.0.113.1; responses rewritten (Via); TCP and port ${sipAlt} untouched`,
    );
  });

  it('a dropped path is reported as dropped', async () => {
    const net = {
      ...nodeNetwork,
      bindUdp: async (o: Parameters<typeof nodeNetwork.bindUdp>[0]) => {
        const s = await nodeNetwork.bindUdp(o);
        return {
          ...s,
          local: s.local,
          send: async (d: Uint8Array, to: { address: string; port: number }) =>
            to.port === sipAlt ? undefined : s.send(d, to),
          onMessage: s.onMessage,
          close: s.close,
        };
      },
    };
    const r = await runAlgTest({
      network: net,
      clock: systemClock,
      reflector: { host: PRIMARY, port: sip },
      altPort: sipAlt,
      sourcePorts: ['random'],
      transports: ['UDP'],
      methods: ['OPTIONS'],
      localAddress: ALT,
      timeoutMs: 600,
    });
    expect(r.paths.map((p) => p.status)).toEqual(['untouched', 'dropped']);
    expect(r.summary).toContain(`UDP ${sipAlt}: dropped`);
  });

  it('UDP amplification guard: a small request gets a plain answer within 3x, never the echo', async () => {
    const tiny = 'OPTIONS sip:a SIP/2.0\r\nv:SIP/2.0/UDP a\r\nf:a\r\nt:a\r\ni:a\r\nCSeq:1 OPTIONS\r\n\r\n';
    const got = await udpRequest({ address: PRIMARY, port: sip }, fromLatin1(tiny), ALT, 300);
    expect(got.length).toBe(1);
    expect(got[0]!.data.length).toBeLessThanOrEqual(3 * tiny.length);
    expect(latin1(got[0]!.data)).toMatch(/^SIP\/2\.0 200 OK[\s\S]*Content-Length: 0\r\n\r\n$/);
  });

  it('answers a CRLF keep-alive over TCP and closes a connection without Content-Length', async () => {
    const c = await nodeNetwork.connectTcp({ remote: { address: PRIMARY, port: sip }, timeoutMs: 1000 });
    const data: Uint8Array[] = [];
    let closed = false;
    c.onData((d) => data.push(d.slice()));
    c.onClose(() => (closed = true));
    await c.write(fromLatin1('\r\n\r\n'));
    await until(() => data.length > 0);
    expect(latin1(data[0]!)).toBe('\r\n');
    await c.write(fromLatin1('OPTIONS sip:a SIP/2.0\r\nVia: x\r\n\r\n'));
    await until(() => closed);
    expect(closed).toBe(true);
  });
});

describe('STUN server', () => {
  const stun = () => ({ address: PRIMARY, port: stunPorts[0] });
  it('RFC 5780: XOR-MAPPED, MAPPED, RESPONSE-ORIGIN, OTHER-ADDRESS; CHANGE-REQUEST answered from the other address and port', async () => {
    // a bare 20-byte request: at most 60 bytes back, still enough for RFC 5780 discovery
    const bare = encodeMessage(createMessage({ cls: 'request' }));
    let [r] = await udpRequest(stun(), bare, ALT, 200);
    expect(r!.data.length).toBeLessThanOrEqual(3 * bare.length);
    let m = decodeMessage(r!.data);
    expect(getAttribute(m, XorMappedAddress)!.address).toBe(ALT);
    expect(getAttribute(m, ResponseOrigin)).toEqual(stun());
    expect(getAttribute(m, OtherAddress)).toEqual({ address: ALT, port: stunPorts[1] });
    // a request with SOFTWARE and FINGERPRINT earns the full answer
    const full = createMessage({ cls: 'request' });
    addAttribute(full, Software, 'NatScope test client');
    [r] = await udpRequest(stun(), encodeMessage(full, { fingerprint: true }), ALT, 200);
    m = decodeMessage(r!.data);
    expect(getAttribute(m, MappedAddress)).toEqual(getAttribute(m, XorMappedAddress));
    expect(getAttribute(m, Software)).toBe('NatScope companion 1');
    expect(m.hasFingerprint).toBe(true);
    const ch = createMessage({ cls: 'request' });
    addAttribute(ch, ChangeRequestAttr, { changeIp: true, changePort: true });
    addAttribute(ch, Padding, 100);
    [r] = await udpRequest(stun(), encodeMessage(ch), ALT, 200);
    expect(r!.from).toEqual({ address: ALT, port: stunPorts[1] });
    m = decodeMessage(r!.data);
    expect(getAttribute(m, Padding)).toBe(100);
  });
  it('RFC 3489 classic request gets SOURCE-ADDRESS and CHANGED-ADDRESS, no XOR-MAPPED', async () => {
    const req = createMessage({ cls: 'request', cookie: 0x01020304 });
    const [r] = await udpRequest(stun(), encodeMessage(req), ALT, 200);
    const m = decodeMessage(r!.data);
    expect(m.classic).toBe(true);
    expect(getAttribute(m, XorMappedAddress)).toBeUndefined();
    expect(getAttribute(m, SourceAddress)).toEqual(stun());
    expect(getAttribute(m, ChangedAddress)).toEqual({ address: ALT, port: stunPorts[1] });
  });
  it('refuses RESPONSE-ADDRESS (would reflect to a third party)', async () => {
    const req = createMessage({ cls: 'request' });
    req.attributes.push({ type: 0x0002, value: new Uint8Array([0, 1, 0, 80, 192, 0, 2, 1]) });
    const [r] = await udpRequest(stun(), encodeMessage(req), ALT, 200);
    expect(r!.from.address).toBe(PRIMARY);
    expect(decodeMessage(r!.data).cls).toBe('error');
  });
});

/** Waits for the 401 to a request and returns the Authorization header that answers it. */
async function answerChallenge(msgs: string[], uri: string): Promise<string> {
  for (let i = 0; i < 40 && !msgs.some((t) => t.startsWith('SIP/2.0 401')); i++)
    await new Promise((r) => setTimeout(r, 25));
  const challenge = msgs.find((t) => t.startsWith('SIP/2.0 401'));
  const nonce = /nonce="([^"]+)"/.exec(challenge ?? '')?.[1];
  if (!nonce) throw new Error(`no 401 challenge in ${JSON.stringify(msgs)}`);
  return `Authorization: Digest username="natscope", realm="natscope-companion", nonce="${nonce}", uri="${uri}", response="0", algorithm=MD5`;
}

describe('echo UAS', () => {
  it('answers INVITE with SDP, echoes RTP with its own SSRC, ends on BYE', async () => {
    const s = await nodeNetwork.bindUdp({ address: ALT, port: 0 });
    const rtp = await nodeNetwork.bindUdp({ address: ALT, port: 0 });
    const msgs: string[] = [];
    s.onMessage((d) => msgs.push(latin1(d)));
    const echoes: Uint8Array[] = [];
    rtp.onMessage((d) => echoes.push(d.slice()));
    const sdp = buildOffer({
      sessionId: 1,
      version: 1,
      address: ALT,
      rtpPort: rtp.local.port,
      rtcpPort: rtp.local.port + 1,
    });
    const uri = `sip:echo@${PRIMARY}:${sip}`;
    const head = (m: string, cseq: number, body = '', auth?: string) =>
      [
        `${m} ${uri} SIP/2.0`,
        `Via: SIP/2.0/UDP ${ALT}:${s.local.port};branch=z9hG4bK${m}${cseq};rport`,
        'From: <sip:t@x>;tag=1',
        'To: <sip:echo@x>',
        'Call-ID: echo-test-1',
        `CSeq: ${cseq} ${m}`,
        `Contact: <sip:t@${ALT}:${s.local.port}>`,
        ...(auth ? [auth] : []),
        ...(body ? ['Content-Type: application/sdp'] : []),
        `Content-Length: ${body.length}`,
        '',
        body,
      ].join('\r\n');
    // unverified: one stateless 401, nothing else
    await s.send(fromLatin1(head('INVITE', 1, sdp)), { address: PRIMARY, port: sip });
    const auth = await answerChallenge(msgs, uri);
    expect(msgs).toHaveLength(1);
    await s.send(fromLatin1(head('INVITE', 2, sdp, auth)), { address: PRIMARY, port: sip });
    // polled, not a fixed sleep: on a loaded machine an answer may take longer than 200 ms
    await until(() => msgs.some((t) => parseSipText(t)?.status === 200));
    const ok = msgs.map((t) => parseSipText(t)!).find((m) => m.status === 200)!;
    expect(ok).toBeTruthy();
    const port = Number(/m=audio (\d+)/.exec(ok.body)![1]);
    await s.send(fromLatin1(head('ACK', 2)), { address: PRIMARY, port: sip });
    for (let i = 0; i < 5; i++)
      await rtp.send(
        encodeRtp({
          payloadType: 0,
          marker: false,
          sequence: i,
          timestamp: i * 160,
          ssrc: 1234,
          payload: new Uint8Array(160).fill(i),
        }),
        { address: PRIMARY, port },
      );
    await until(() => echoes.length >= 5);
    expect(echoes.length).toBe(5);
    const e = decodeRtp(echoes[4]!)!;
    expect(e.sequence).toBe(4);
    expect(e.ssrc).not.toBe(1234);
    expect(e.payload[0]).toBe(4);
    await s.send(fromLatin1(head('BYE', 3)), { address: PRIMARY, port: sip });
    await until(() => msgs.some((t) => /^SIP\/2\.0 200 OK[\s\S]*CSeq: 3 BYE/.test(t)));
    expect(msgs.some((t) => /^SIP\/2\.0 200 OK[\s\S]*CSeq: 3 BYE/.test(t))).toBe(true);
    expect(server.stats().calls).toBe(0);
    await s.close();
    await rtp.close();
  });

  it('over TCP: two calls per source, the third refused; closing the connection ends them', async () => {
    const c = await nodeNetwork.connectTcp({
      remote: { address: PRIMARY, port: sip },
      timeoutMs: 2000,
      localAddress: ALT,
    });
    const got: string[] = [];
    c.onData((d) => got.push(latin1(d)));
    const sdp = buildOffer({ sessionId: 1, version: 1, address: ALT, rtpPort: 40000, rtcpPort: 40001 });
    for (const n of [1, 2, 3])
      await c.write(
        fromLatin1(
          [
            `INVITE sip:echo@${PRIMARY}:${sip};transport=tcp SIP/2.0`,
            `Via: SIP/2.0/TCP ${ALT}:${c.local.port};branch=z9hG4bKt${n}`,
            'From: <sip:t@x>;tag=1',
            'To: <sip:echo@x>',
            `Call-ID: tcp-cap-${n}`,
            'CSeq: 1 INVITE',
            'Content-Type: application/sdp',
            `Content-Length: ${sdp.length}`,
            '',
            sdp,
          ].join('\r\n'),
        ),
      );
    await new Promise((r) => setTimeout(r, 300));
    const all = got.join('');
    expect(all.match(/SIP\/2\.0 200 OK/g)).toHaveLength(2);
    expect(all).toMatch(/SIP\/2\.0 486 Busy Here[\s\S]*Call-ID: tcp-cap-3/);
    expect(server.stats().calls).toBe(2);
    await c.close();
    await new Promise((r) => setTimeout(r, 200));
    expect(server.stats().calls).toBe(0);
  });

  it('calls back the REGISTER source after N seconds', async () => {
    const s = await nodeNetwork.bindUdp({ address: ALT, port: 0 });
    const got: string[] = [];
    s.onMessage((d, from) => {
      const t = latin1(d);
      got.push(t);
      const m = parseSipText(t)!;
      if (m.method === 'INVITE') {
        const copy = m.headers
          .filter((h) => ['Via', 'From', 'To', 'Call-ID', 'CSeq'].includes(h.name))
          .map((h) => `${h.name}: ${h.value}${h.name === 'To' ? ';tag=x' : ''}`);
        void s.send(
          fromLatin1(['SIP/2.0 486 Busy Here', ...copy, 'Content-Length: 0', '', ''].join('\r\n')),
          from,
        );
      }
    });
    const reg = (cseq: number, auth?: string) =>
      [
        `REGISTER sip:${PRIMARY} SIP/2.0`,
        `Via: SIP/2.0/UDP ${ALT}:${s.local.port};branch=z9hG4bKr${cseq};rport`,
        'From: <sip:t@x>;tag=1',
        'To: <sip:t@x>',
        'Call-ID: cb-1',
        `CSeq: ${cseq} REGISTER`,
        `Contact: <sip:t@${ALT}:${s.local.port}>`,
        'X-NatScope-Callback: 1',
        ...(auth ? [auth] : []),
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
    await s.send(fromLatin1(reg(1)), { address: PRIMARY, port: sip });
    const auth = await answerChallenge(got, `sip:${PRIMARY}`);
    await s.send(fromLatin1(reg(2, auth)), { address: PRIMARY, port: sip });
    await new Promise((r) => setTimeout(r, 1600));
    expect(got.some((t) => t.startsWith('SIP/2.0 200 OK'))).toBe(true);
    expect(got.some((t) => t.startsWith(`INVITE sip:t@${ALT}:${s.local.port}`))).toBe(true);
    expect(got.some((t) => t.startsWith('ACK '))).toBe(true);
    await s.close();
  });
});

describe('robustness (fuzz over the wire)', () => {
  it('survives 3000 random and mutated datagrams on the SIP and STUN ports and still answers', async () => {
    const s = await nodeNetwork.bindUdp({ address: ALT, port: 0 });
    const seeds = [
      fromLatin1(
        'OPTIONS sip:natscope-reflect@x SIP/2.0\r\nVia: SIP/2.0/UDP 1.2.3.4:5060;rport\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: 1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n',
      ),
      encodeMessage(createMessage({ cls: 'request' }), { fingerprint: true }),
    ];
    let rnd = 12345;
    const rand = () => (rnd = (rnd * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (let i = 0; i < 3000; i++) {
      const seed = seeds[i % 2]!;
      let d: Uint8Array;
      if (i % 3 === 0) d = new Uint8Array(Math.floor(rand() * 600)).map(() => Math.floor(rand() * 256));
      else {
        d = seed.slice();
        for (let k = 0; k < 1 + Math.floor(rand() * 8); k++)
          d[Math.floor(rand() * d.length)] = Math.floor(rand() * 256);
        if (rand() < 0.2) d = d.subarray(0, Math.floor(rand() * d.length));
      }
      await s.send(d, { address: PRIMARY, port: i % 2 === 0 ? sip : stunPorts[0] });
    }
    await s.close();
    const r = await runAlgTest({
      network: nodeNetwork,
      clock: systemClock,
      reflector: { host: PRIMARY, port: sip },
      altPort: sipAlt,
      sourcePorts: ['random'],
      transports: ['UDP'],
      methods: ['OPTIONS'],
      localAddress: ALT,
      timeoutMs: 1500,
    });
    expect(r.paths.every((p) => p.status === 'untouched')).toBe(true);
    expect(log.entries.some((e) => e.event === 'sip.handler-error')).toBe(false);
  }, 20_000);
});
