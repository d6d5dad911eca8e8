// Benchmark (prints numbers; not a test): how many bytes `natscope server` sends back for each kind
// of request from a source that has proven nothing — the amplification a spoofer could get — next to
// coturn's answers to the same STUN requests, in the same run. Needs root + Linux + the lab packages
// and the built CLI (npm run build:node).
//
//   node bench/amplification.ts [--window 5] [--workers N] [--markdown]
//
// Each request leaves from a fresh socket on server2 (a host on the lab's internet, no NAT in
// between); everything arriving on that socket within --window seconds counts, retransmissions
// included (--window 35 covers RFC 3261's 32 s of 200 OK retransmissions). coturn runs with the lab's
// defaults (STUN only, RFC 5780 with two addresses) on 3478/3479; natscope server on 3490/3491 and
// SIP 5060/5062. Exit code 1 when a NatScope answer is over 3× its request.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { craftProbe, randomHex } from '../electron/engine/alg/crafted-messages.ts';
import {
  addAttribute,
  ChangeRequestAttr,
  createMessage,
  encodeMessage,
  Padding,
  Software,
} from '../electron/engine/stun/codec.ts';
import { CLIENT_SOFTWARE } from '../electron/engine/stun/probe.ts';
import { offerFrom, sipRequest, startNatscopeServer } from '../test/lab/companion-peer.ts';
import { LAB_DIR, startLab } from '../test/lab/lab.ts';
import { labSupport } from '../test/lab/support.ts';

const { values } = parseArgs({
  options: {
    window: { type: 'string', default: '5' },
    workers: { type: 'string', default: '1' },
    markdown: { type: 'boolean', default: false },
  },
});
const WINDOW_S = Math.min(60, Math.max(1, Number(values.window)));
const support = labSupport();
if (!support.ok) {
  console.error(`bench: ${support.reason}`);
  process.exit(2);
}

const NS_STUN = [3490, 3491] as const;

function stun(o: {
  classic?: boolean;
  build?: (m: ReturnType<typeof createMessage>) => void;
  fingerprint?: boolean;
  method?: number;
}) {
  const m = createMessage({ cls: 'request', method: o.method, cookie: o.classic ? 0x01020304 : undefined });
  o.build?.(m);
  return encodeMessage(m, { fingerprint: o.fingerprint === true });
}
const unknownAttr = () =>
  stun({ build: (m) => m.attributes.push({ type: 0x0030, value: new Uint8Array(4) }) });

function sip(method: string, server: string, o: { extra?: string[]; body?: string; minimal?: boolean } = {}) {
  if (o.minimal)
    return Buffer.from(`${method} sip:echo@${server} SIP/2.0\r\nCall-ID: t\r\nCSeq: 1 ${method}\r\n\r\n`);
  return sipRequest(method, { ...o, from: '203.0.113.20:5060', to: server, callId: `${randomHex(8)}@bench` });
}
const SDP = offerFrom('203.0.113.20');

const lab = await startLab('no-nat', { stund: false });
try {
  await startNatscopeServer(
    lab,
    [
      '--alternate-address',
      lab.addr.serverSecondary,
      '--stun-port',
      String(NS_STUN[0]),
      '--stun-alt-port',
      String(NS_STUN[1]),
      // --workers N: the same limits must hold when STUN is answered on N threads (issue #19)
      '--workers',
      String(Math.max(1, Number(values.workers))),
    ],
    {
      ready: [
        { proto: 'udp', port: NS_STUN[0] },
        { proto: 'udp', port: 5060 },
      ],
    },
  );
  const S = lab.addr.serverPrimary;
  const sipAt = `${S}:5060`;
  const algProbe = (method: 'OPTIONS' | 'REGISTER' | 'INVITE') =>
    Buffer.from(
      craftProbe({
        method,
        transport: 'UDP',
        local: { address: lab.addr.server2, port: 5060 },
        target: { address: S, port: 5060 },
        probeId: 'bench',
        rtpPort: 40000,
        random: () => randomHex(4),
      }),
      'latin1',
    );
  const stunCases: [string, Uint8Array][] = [
    ['STUN Binding, bare (RFC 8489)', stun({})],
    ['STUN Binding, RFC 3489 (no magic cookie)', stun({ classic: true })],
    [
      'STUN Binding + CHANGE-REQUEST (RFC 5780)',
      stun({ build: (m) => addAttribute(m, ChangeRequestAttr, { changeIp: true, changePort: true }) }),
    ],
    ['STUN Binding + SOFTWARE', stun({ build: (m) => addAttribute(m, Software, CLIENT_SOFTWARE) })],
    ['STUN Binding + FINGERPRINT', stun({ fingerprint: true })],
    ['STUN Binding + PADDING 512 (RFC 5780 §7.6)', stun({ build: (m) => addAttribute(m, Padding, 512) })],
    ['STUN Binding + unknown required attribute (420)', unknownAttr()],
    ['STUN non-Binding request (method 0x003)', stun({ method: 0x003 })],
  ];
  const sipCases: [string, Uint8Array][] = [
    ['SIP echo INVITE with SDP', sip('INVITE', sipAt, { body: SDP })],
    ['SIP echo INVITE, minimal', sip('INVITE', sipAt, { minimal: true })],
    ['SIP BYE (no such call)', sip('BYE', sipAt)],
    ['SIP CANCEL (no such call)', sip('CANCEL', sipAt)],
    ['SIP ACK', sip('ACK', sipAt)],
    ['SIP REGISTER with X-NatScope-Callback', sip('REGISTER', sipAt, { extra: ['X-NatScope-Callback: 1'] })],
    ['SIP REGISTER, minimal', sip('REGISTER', sipAt, { minimal: true })],
    ['SIP OPTIONS (reflector)', sip('OPTIONS', sipAt)],
    ['SIP OPTIONS (ALG probe)', algProbe('OPTIONS')],
    ['SIP INVITE (ALG probe)', algProbe('INVITE')],
    ['SIP MESSAGE (405)', sip('MESSAGE', sipAt)],
    ['not SIP (garbage)', Buffer.from('x'.repeat(100))],
  ];
  const jobs = [
    ...stunCases.flatMap(([name, b]) => [
      { name: `coturn|${name}`, dst: `${S}:${lab.ports.coturn}`, b64: Buffer.from(b).toString('base64') },
      { name: `natscope|${name}`, dst: `${S}:${NS_STUN[0]}`, b64: Buffer.from(b).toString('base64') },
    ]),
    ...sipCases.map(([name, b]) => ({
      name: `natscope|${name}`,
      dst: sipAt,
      b64: Buffer.from(b).toString('base64'),
    })),
  ];
  const r = await lab.exec(
    'server2',
    [
      'python3',
      join(LAB_DIR, 'tools', 'amp-probe.py'),
      '--bind',
      lab.addr.server2,
      '--window',
      String(WINDOW_S),
      '--json',
      JSON.stringify(jobs),
    ],
    { timeoutMs: (WINDOW_S + 30) * 1000 },
  );
  if (r.code !== 0) throw new Error(`amp-probe failed: ${r.stderr}`);
  const got = JSON.parse(r.stdout) as Record<string, { sent: number; back: number; packets: number }>;
  const cell = (k: string) => {
    const g = got[k];
    if (!g) return '—';
    return g.packets === 0
      ? `${g.sent} → 0 (no answer)`
      : `${g.sent} → ${g.back} in ${g.packets}: **${(g.back / g.sent).toFixed(2)}×**`;
  };
  const rows = [...stunCases, ...sipCases].map(([name]) => ({
    name,
    coturn: cell(`coturn|${name}`),
    natscope: cell(`natscope|${name}`),
    factor: got[`natscope|${name}`] ? got[`natscope|${name}`]!.back / got[`natscope|${name}`]!.sent : 0,
  }));
  const worst = Math.max(...rows.map((x) => x.factor));
  if (values.markdown) {
    console.log(`| request (bytes → bytes back in packets, ${WINDOW_S} s) | coturn | natscope server |`);
    console.log('| --- | --- | --- |');
    for (const x of rows) console.log(`| ${x.name} | ${x.coturn} | ${x.natscope} |`);
    console.log(`\nworst NatScope factor: ${worst.toFixed(2)}×`);
  } else
    console.log(
      JSON.stringify({ windowSeconds: WINDOW_S, rows, worstNatScopeFactor: +worst.toFixed(2) }, null, 2),
    );
  process.exitCode = worst <= 3 ? 0 : 1;
} finally {
  await lab.destroy();
}
