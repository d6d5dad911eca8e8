import { describe, expect, it } from 'vitest';
import { canonicalHeaderName, parseSipText, parseVia } from './alg-sip.ts';
import { compareSip } from './alg-compare.ts';
import {
  buildReflectResponse,
  decodeReflectBody,
  encodeReflectBody,
  fromBase64,
  fromLatin1,
  latin1,
  toBase64,
} from './alg-reflect.ts';
import { analyzeReflection } from './alg-analyze.ts';
import { judgeReflectorRun, routerHint, summarizePath } from './alg-advice.ts';
import type { AlgPath } from '../contracts/alg.ts';

const INVITE = [
  'INVITE sip:natscope-reflect@203.0.113.10:5060 SIP/2.0',
  'Via: SIP/2.0/UDP 192.168.1.10:5060;branch=z9hG4bKabc;rport',
  'Max-Forwards: 70',
  'From: <sip:natscope@203.0.113.10:5060>;tag=111',
  'To: <sip:natscope-reflect@203.0.113.10:5060>',
  'Call-ID: deadbeef@192.168.1.10',
  'CSeq: 1 INVITE',
  'Contact: <sip:natscope@192.168.1.10:5060>',
  'Content-Type: application/sdp',
  'Content-Length: 0',
].join('\r\n');
const SDP = [
  'v=0',
  'o=natscope 1 1 IN IP4 192.168.1.10',
  's=x',
  'c=IN IP4 192.168.1.10',
  't=0 0',
  'm=audio 40000 RTP/AVP 0',
  'a=rtcp:40001',
  '',
].join('\r\n');
const invite = (sdp: string) =>
  `${INVITE.replace('Content-Length: 0', `Content-Length: ${sdp.length}`)}\r\n\r\n${sdp}`;

/** What nf_nat_sip does outbound with one NAT (192.168.1.10 → 203.0.113.2). */
function kernelAlg(text: string, to = '203.0.113.2'): string {
  const [h, b] = text.split('\r\n\r\n') as [string, string];
  const body = b
    .replace(/^(o|c)=(.*)192\.168\.1\.10$/gm, `$1=$2${to}`)
    .replace('m=audio 40000', 'm=audio 40000');
  const head = h
    .replace(/^(Via|Contact):(.*)192\.168\.1\.10/gm, `$1:$2${to}`)
    .replace(/^Content-Length: \d+$/m, `Content-Length: ${body.length + 4 * (to.length - 12) * 0}`);
  return `${head.replace(/^Content-Length: \d+$/m, `Content-Length: ${body.length}`)}\r\n\r\n${body}`;
}

describe('alg-sip', () => {
  it('parses compact forms, folding and the body', () => {
    const m = parseSipText(
      'OPTIONS sip:a@b SIP/2.0\r\nv: SIP/2.0/UDP 1.2.3.4:5060;rport\r\ni: x\r\nSubject: a\r\n  b\r\nl: 2\r\n\r\nhi',
    )!;
    expect(m.method).toBe('OPTIONS');
    expect(m.headers.map((h) => h.name)).toEqual(['Via', 'Call-ID', 'Subject', 'Content-Length']);
    expect(m.headers[2]!.value).toBe('a b');
    expect(m.body).toBe('hi');
    expect(parseVia(m.headers[0]!.value)).toMatchObject({
      transport: 'UDP',
      host: '1.2.3.4',
      port: 5060,
      params: { rport: null },
    });
    expect(canonicalHeaderName('CALL-ID')).toBe('Call-ID');
    expect(parseSipText('garbage')).toBeNull();
  });
});

describe('compareSip', () => {
  it('finds Via, Contact, SDP o=/c= and Content-Length rewrites with the written address', () => {
    const sent = invite(SDP);
    const got = kernelAlg(sent);
    const c = compareSip(sent, got);
    const fields = c.changes.map((x) => x.field);
    expect(fields).toEqual(expect.arrayContaining(['Via', 'Contact', 'SDP o=', 'SDP c=', 'Content-Length']));
    expect(c.changes.find((x) => x.field === 'Via')!.writtenAddresses).toEqual(['203.0.113.2']);
    expect(c.contentLengthConsistent).toBe(true);
  });
  it('reports removed and added headers and a broken Content-Length', () => {
    const sent = invite(SDP);
    const got = sent
      .replace('Max-Forwards: 70\r\n', '')
      .replace('CSeq: 1 INVITE', 'CSeq: 1 INVITE\r\nX-Foo: 1')
      .replace(/Content-Length: \d+/, 'Content-Length: 3');
    const c = compareSip(sent, got);
    expect(c.changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'Max-Forwards', kind: 'removed' }),
        expect.objectContaining({ field: 'X-Foo', kind: 'added' }),
      ]),
    );
    expect(c.contentLengthConsistent).toBe(false);
  });
  it('identical → no changes', () => {
    expect(compareSip(invite(SDP), invite(SDP))).toMatchObject({ identical: true, changes: [] });
  });
});

describe('reflect format', () => {
  it('base64 round-trips every length', () => {
    for (let n = 0; n < 40; n++) {
      const b = new Uint8Array(n).map((_, i) => (i * 37 + n) & 255);
      expect(fromBase64(toBase64(b))).toEqual(b);
    }
    expect(toBase64(new Uint8Array([77, 97, 110, 77]))).toBe('TWFuTQ==');
    expect(fromBase64('abc')).toBeNull();
  });
  it('body round-trips; damage is detected', () => {
    const ctx = {
      transport: 'UDP' as const,
      source: { address: '203.0.113.2', port: 5060 },
      destination: { address: '203.0.113.10', port: 5060 },
      received: fromLatin1(invite(SDP)),
    };
    expect(decodeReflectBody(encodeReflectBody(ctx))).toEqual(ctx);
    expect(
      decodeReflectBody(encodeReflectBody(ctx).replace('received-length: ', 'received-length: 1')),
    ).toBeNull();
  });
  it('the response is deterministic and RFC 3581-stamped', () => {
    const ctx = {
      transport: 'UDP' as const,
      source: { address: '203.0.113.2', port: 40001 },
      destination: { address: '203.0.113.10', port: 5060 },
      received: fromLatin1(invite(SDP)),
    };
    const a = buildReflectResponse(parseSipText(invite(SDP))!, ctx)!;
    expect(a).toBe(buildReflectResponse(parseSipText(invite(SDP))!, ctx));
    expect(a).toMatch(/^SIP\/2\.0 488 /);
    expect(a).toContain('rport=40001;received=203.0.113.2');
    expect(a).toMatch(/To: <sip:natscope-reflect@203\.0\.113\.10:5060>;tag=ns[0-9a-f]{8}/);
  });
});

describe('analyzeReflection', () => {
  const ctxFor = (received: string) => ({
    transport: 'UDP' as const,
    source: { address: '203.0.113.2', port: 5060 },
    destination: { address: '203.0.113.10', port: 5060 },
    received: fromLatin1(received),
  });
  it('sees outbound and inbound rewriting (kernel ALG maps the Via back)', () => {
    const sent = invite(SDP);
    const atServer = kernelAlg(sent);
    const serverSent = buildReflectResponse(parseSipText(atServer)!, ctxFor(atServer))!;
    // reply direction: the ALG rewrites the public address in Via back to the private one
    const clientGot = serverSent.replace(/^Via:(.*)$/m, (l) => l.replace(/203\.0\.113\.2/g, '192.168.1.10'));
    const a = analyzeReflection(sent, clientGot)!;
    expect(a.outbound.map((c) => c.field)).toEqual(
      expect.arrayContaining(['Via', 'Contact', 'SDP c=', 'SDP o=']),
    );
    expect(a.inbound.map((c) => c.field)).toEqual(['Via']);
  });
  it('untouched both ways → no changes', () => {
    const sent = invite(SDP);
    const a = analyzeReflection(sent, buildReflectResponse(parseSipText(sent)!, ctxFor(sent))!)!;
    expect(a.outbound).toEqual([]);
    expect(a.inbound).toEqual([]);
  });
  it('null for a response that is not from a reflector', () => {
    expect(analyzeReflection(invite(SDP), 'SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n')).toBeNull();
  });
  it('latin1 keeps non-UTF-8 bytes exact', () => {
    const b = new Uint8Array([0xff, 0x00, 0x80, 0x41]);
    expect(fromLatin1(latin1(b))).toEqual(b);
  });
});

describe('verdict', () => {
  const msg = (over: Partial<AlgPath['messages'][number]>): AlgPath['messages'][number] => ({
    method: 'INVITE',
    status: 'untouched',
    sentBytes: 1,
    receivedBytes: 1,
    responseBytes: 1,
    outbound: [],
    inbound: [],
    contentLengthConsistent: true,
    observedSource: '203.0.113.3:5060',
    rttMs: 1,
    error: null,
    sentText: null,
    receivedText: null,
    ...over,
  });
  const path = (transport: 'UDP' | 'TCP', port: number, messages: AlgPath['messages']): AlgPath =>
    summarizePath({
      transport,
      destinationPort: port,
      sourcePort: 5060,
      sourcePortKind: 'sip',
      status: 'skipped',
      rewrittenFields: [],
      inboundRewrittenFields: [],
      writtenAddresses: [],
      messages,
      note: null,
    });
  it('names the touched path and the clean ones, and calls out a CGN-side address', () => {
    const rw = msg({
      status: 'rewritten',
      outbound: [
        { field: 'Contact', kind: 'rewritten', before: 'a', after: 'b', writtenAddresses: ['100.64.0.2'] },
        { field: 'SDP c=', kind: 'rewritten', before: 'a', after: 'b', writtenAddresses: ['100.64.0.2'] },
      ],
    });
    const v = judgeReflectorRun(
      [
        path('UDP', 5060, [rw]),
        path('UDP', 5062, [msg({})]),
        path('TCP', 5060, [msg({})]),
        path('TCP', 5062, [msg({})]),
      ],
      { loopbackDemo: false },
    );
    expect(v.algDetected).toBe(true);
    expect(v.summary).toBe(
      'UDP 5060: Contact and SDP c= rewritten to 100.64.0.2; TCP and port 5062 untouched; the ALG writes 100.64.0.2 but you are 203.0.113.3 on the internet',
    );
    expect(v.wrongAddress).toMatchObject({
      written: '100.64.0.2',
      publicAddress: '203.0.113.3',
      writtenClass: 'cgnat',
    });
    expect(v.advice.map((a) => a.id)).toEqual(
      expect.arrayContaining(['alg-disable', 'alg-avoid', 'alg-wrong-address']),
    );
  });
  it('clean run', () => {
    const v = judgeReflectorRun([path('UDP', 5060, [msg({})]), path('TCP', 5060, [msg({})])], {
      loopbackDemo: true,
    });
    expect(v).toMatchObject({ algDetected: false, evidence: 'conclusive', wrongAddress: null });
    expect(v.advice[0]!.id).toBe('alg-none');
  });
  it('router hints', () => {
    expect(routerHint('MikroTik hAP ac2')).toContain('service-port disable sip');
    expect(routerHint(undefined)).toContain('Application Level Gateway');
  });
});
