import { readFile } from 'node:fs/promises';
import {
  CallEchoInputSchema,
  type CallEchoInput,
  type CallEvent,
  type CallResult,
} from '../../../shared/contracts/call.ts';
import { standaloneContext } from '../../services/call-context.ts';
import type { CliCommand } from '../command.ts';
import { usageError } from '../cli-errors.ts';
import { heading, keyValues, table } from '../format.ts';
import { choiceOption, defined, numberOption, parseInput, stringOption } from '../options.ts';
import { PASSWORD_HELP, PASSWORD_OPTIONS, requireSipPassword } from '../password.ts';

export const callCommand: CliCommand = {
  usage:
    'call [wss://HOST/PATH] SIP_URI [--duration S] [--transport udp|tcp|tls|ws|wss] [--ws-url URL] [--registrar HOST --user U [--password-file FILE]] [--proxy HOST] [--advertise local|stun --stun HOST] [--echo-delay S] [--answer-timeout S] [--json]',
  help: [
    'Options:',
    '  --duration S            seconds of audio after the answer (default 10)',
    '  --transport T           udp (default), tcp, tls, or ws/wss (SIP over WebSocket, RFC 7118)',
    "  --ws-url URL            the gateway's WebSocket URL (or give it before the SIP URI), e.g.",
    '                          wss://pbx:8089/ws (Asterisk), wss://pbx:7443 (FreeSWITCH), wss://sip.example.com',
    '  --registrar HOST[:PORT] register with this registrar first (needs --user and a password);',
    '                          over a WebSocket the REGISTER goes through it and this only names the domain',
    '  --user U                account user name        --auth-user U  digest user name if different',
    ...PASSWORD_HELP,
    '  --domain D              domain of the address of record (default: the registrar host)',
    '  --no-register           use the account for digest challenges only, without REGISTER',
    '  --proxy HOST[:PORT]     outbound proxy',
    '  --advertise local|stun  advertise the local address (default) or the STUN-mapped one',
    '  --stun HOST[:PORT]      STUN server for --advertise stun',
    '  --local-address IP      bind to this local address',
    '  --rtp-ports A-B         RTP port range (default 16384-32767)',
    '  --ca FILE               extra trusted CA certificate (PEM) for TLS and wss',
    '  --echo-delay S          the echo service delays audio this long on purpose (a delayed echo such as',
    '                          FreeSWITCH 9195: 5); automatic for the 9195 preset URI',
    '  --answer-timeout S      give up (CANCEL) when it rings this long without an answer (default 30)',
    '  --messages              print every SIP message (Authorization redacted)',
    '',
    'Examples:',
    '  natscope call sip:9196@conference.freeswitch.org',
    '  natscope call sip:echo@pbx.example.com --registrar pbx.example.com --user 1001 --password-file ~/.sip-pass --json',
    '  natscope call wss://pbx.example.com:8089/ws sip:echo@pbx.example.com --user 1001 --password-file ~/.sip-pass',
    '',
    'Exit code: 0 when the call was answered and audio came back, 1 otherwise, 2 bad usage.',
  ].join('\n'),
  positionals: true,
  options: {
    duration: { type: 'string' },
    transport: { type: 'string' },
    'ws-url': { type: 'string' },
    registrar: { type: 'string' },
    user: { type: 'string' },
    'auth-user': { type: 'string' },
    ...PASSWORD_OPTIONS,
    domain: { type: 'string' },
    'no-register': { type: 'boolean', default: false },
    proxy: { type: 'string' },
    advertise: { type: 'string' },
    stun: { type: 'string' },
    'local-address': { type: 'string' },
    'rtp-ports': { type: 'string' },
    ca: { type: 'string' },
    'echo-delay': { type: 'string' },
    'answer-timeout': { type: 'string' },
    messages: { type: 'boolean', default: false },
  },
  async run(ctx) {
    const { services, io, json, values, positionals, signal } = ctx;
    const str = (k: string) => stringOption(values, k);
    const { target, wsUrl } = callTarget(positionals, str('ws-url'));
    // Over a WebSocket the REGISTER travels on the WebSocket: --registrar only names the domain.
    const registrar =
      str('registrar') ?? (wsUrl && str('user') ? (str('domain') ?? hostOfUri(target)) : undefined);
    const user = str('user');
    let account: CallEchoInput['account'];
    if (registrar || user) {
      if (!registrar || !user) throw usageError('--registrar and --user go together');
      // the password is asked for last, once everything else is known to be usable
      account = {
        registrar,
        username: user,
        password: '',
        authUsername: str('auth-user'),
        domain: str('domain'),
        register: values['no-register'] !== true,
      };
    } else if (str('password') !== undefined || str('password-file') !== undefined)
      throw usageError('a password needs --registrar and --user');
    const ports = str('rtp-ports');
    const range = ports === undefined ? undefined : /^(\d+)-(\d+)$/.exec(ports);
    if (range === null) throw usageError(`--rtp-ports must look like 16384-32767, got "${ports}"`);
    const ca = str('ca');
    const echoDelaySec = numberOption(values, 'echo-delay', 0, 30);
    const input: CallEchoInput = parseInput(
      CallEchoInputSchema,
      defined({
        target,
        wsUrl,
        durationSec: numberOption(values, 'duration', 1, 600),
        transport: transportAgreeingWithUri(
          target,
          choiceOption(values, 'transport', ['udp', 'tcp', 'tls', 'ws', 'wss']),
        ),
        account,
        outboundProxy: str('proxy'),
        advertise: choiceOption(values, 'advertise', ['local', 'stun']),
        stunServer: str('stun'),
        localAddress: str('local-address'),
        expectedEchoDelayMs: echoDelaySec === undefined ? undefined : Math.round(echoDelaySec * 1000),
        answerTimeoutSec: numberOption(values, 'answer-timeout', 1, 120),
        rtpPortRange: range ? { start: Number(range[1]), end: Number(range[2]) } : undefined,
        tlsCaPem: ca
          ? await readFile(ca, 'utf8').catch((e: NodeJS.ErrnoException) => {
              throw usageError(`cannot read --ca ${ca}: ${e.code ?? e.message}`);
            })
          : undefined,
      }),
      {
        target: 'SIP URI',
        wsUrl: '--ws-url',
        account: '--registrar',
        outboundProxy: '--proxy',
        stunServer: '--stun',
        localAddress: '--local-address',
        rtpPortRange: '--rtp-ports',
        expectedEchoDelayMs: '--echo-delay',
        answerTimeoutSec: '--answer-timeout',
      },
    );
    if (input.advertise === 'stun' && !input.stunServer)
      throw usageError('--advertise stun needs --stun HOST[:PORT]');
    if (input.account)
      input.account.password = await requireSipPassword(ctx, input.account.username, input.account.registrar);

    const onEvent = (e: CallEvent) => {
      if (e.kind === 'state')
        io.err(`[${(e.atMs / 1000).toFixed(1)}s] ${e.state}${e.detail ? ` — ${e.detail}` : ''}`);
      else if (e.kind === 'stats' && !json) {
        const s = e.stats;
        io.err(
          `  t=${s.elapsedSec.toFixed(0)}s sent ${s.sent} recv ${s.received} loss ${s.lossPercent.toFixed(1)}% jitter ${fmt(s.jitterMs)} ms rtt ${fmt(s.rttMs)} ms MOS ${fmt(s.mos, 2)}`,
        );
      } else if (e.kind === 'finding') io.err(`  ! ${e.finding.message}`);
    };
    const result = await services.call.echoTest(input, standaloneContext(onEvent, signal));
    if (json) io.out(JSON.stringify(result, null, 2));
    else printHuman(result, io.out, values.messages === true);
    return result.answered && !result.oneWayAudio && (result.rtp?.received ?? 0) > 0 ? 0 : 1;
  },
};

/** `call [ws(s)://URL] SIP_URI` or `call SIP_URI --ws-url URL`. */
/** --transport and the URI's `;transport=` must not disagree: which one the user meant is a guess. */
function transportAgreeingWithUri<T extends string>(target: string, flag: T | undefined): T | undefined {
  const param = /;transport=([^;]*)/i.exec(target.split('?')[0]!)?.[1]?.toLowerCase();
  if (flag !== undefined && param !== undefined && param !== flag)
    throw usageError(`--transport ${flag} contradicts ${target}: give one or the other`);
  return flag;
}

function callTarget(positionals: string[], wsFlag: string | undefined): { target: string; wsUrl?: string } {
  const isUrl = (p: string) => /^wss?:\/\//i.test(p);
  const urls = positionals.filter(isUrl);
  const uris = positionals.filter((p) => !isUrl(p));
  if (uris.length !== 1)
    throw usageError(
      `give exactly one SIP URI (after a ws:// or wss:// URL for SIP over WebSocket), e.g. sip:9196@conference.freeswitch.org${uris.length > 1 ? ` (got ${uris.length})` : ''}`,
    );
  if (urls.length > 1 || (urls.length === 1 && wsFlag !== undefined))
    throw usageError('give one WebSocket URL: before the SIP URI, or with --ws-url');
  return { target: uris[0]!, wsUrl: urls[0] ?? wsFlag };
}

/** The host[:port] of a sip:/sips: URI (over a WebSocket: the account's domain). */
export function hostOfUri(uri: string): string | undefined {
  return /^sips?:(?:[^@]*@)?([^;?>]+)/i.exec(uri)?.[1];
}

function fmt(x: number | null | undefined, digits = 1): string {
  return x === null || x === undefined ? '—' : x.toFixed(digits);
}

function printHuman(r: CallResult, out: (s: string) => void, messages: boolean): void {
  out(heading('Echo test'));
  out(
    keyValues([
      ['Target', r.target],
      ['Transport', r.transport.toUpperCase()],
      [
        'Registration',
        r.registration ? `${r.registration.ok ? 'ok' : 'FAILED'} (${r.registration.reason})` : 'none',
      ],
      [
        'Answered',
        r.answered
          ? `yes (${r.sipStatus} ${r.sipReason ?? ''})`
          : `no${r.sipStatus ? ` (${r.sipReason})` : ''}`,
      ],
      ['Ended', r.endReason],
      ['Local SIP', r.signaling.local || '—'],
      ['Server', r.signaling.server],
      ['Server saw us as', r.signaling.viaReceived],
      ['One-way audio', r.oneWayAudio ? 'YES' : 'no'],
    ]),
  );
  if (r.websocket) printWebSocket(r.websocket, out);
  if (r.media) {
    out(heading('Media'));
    out(
      keyValues([
        ['Codec', r.media.codec.toUpperCase()],
        ['Local RTP', r.media.localRtp],
        ['Advertised RTP', `${r.media.advertisedRtp} (${r.media.advertise})`],
        ['SDP answer RTP', r.media.remoteSdpRtp],
        [
          'RTP came from',
          r.media.remoteActualRtp.map((s) => `${s.endpoint} (${s.packets})`).join(', ') || 'nowhere',
        ],
      ]),
    );
  }
  if (r.rtp) {
    const s = r.rtp;
    out(heading('Audio path'));
    out(
      table(
        [
          'Sent',
          'Received',
          'Loss %',
          'Round-trip loss %',
          'Jitter ms',
          'RTT ms',
          'RTT from',
          'Audio latency ms',
          'Echo delay ms',
          'MOS',
        ],
        [
          [
            s.sent,
            s.received,
            s.lossPercent,
            s.roundTripLossPercent,
            s.jitterMs,
            s.rttMs,
            s.rttSource,
            s.audioLatencyMs,
            s.echoDelayMs,
            s.mos,
          ],
        ],
      ),
    );
    out(
      `RTT sources: RTCP ${fmt(s.rtcpRttMs)} ms, echoed packets ${fmt(s.echoRttMs)} ms, audio markers ${fmt(s.audioLatencyMs)} ms → ${s.rttAgreement}${s.rttDisagreement ? `: ${s.rttDisagreement}` : ''}`,
    );
    if (s.emodel) {
      const e = s.emodel;
      out(
        `E-model (G.107): R = ${e.R} (Ro ${e.Ro} − Is ${e.Is} − Id ${e.Id} − Ie,eff ${e.IeEff}); inputs Ta ${e.inputs.Ta} ms, Ppl ${e.inputs.Ppl} %, BurstR ${e.inputs.BurstR}, Bpl ${e.inputs.Bpl}`,
      );
    }
  }
  if (r.findings.length) {
    out(heading('Findings'));
    for (const f of r.findings) out(`- [${f.severity}] ${f.message}`);
  }
  out(heading('SIP messages'));
  out(
    table(
      ['#', 't ms', 'Dir', 'Remote', 'Message', 'Retx'],
      r.messages.map((m) => [
        m.index,
        m.atMs,
        m.direction === 'sent' ? '→' : '←',
        m.remote,
        m.summary,
        m.retransmission ? 'yes' : '',
      ]),
    ),
  );
  if (messages)
    for (const m of r.messages) out(`\n--- ${m.direction} ${m.remote} at ${m.atMs} ms ---\n${m.raw}`);
}

function printWebSocket(w: NonNullable<CallResult['websocket']>, out: (s: string) => void): void {
  out(heading('WebSocket (RFC 7118)'));
  out(
    keyValues([
      ['URL', w.url],
      ['Opened', w.opened ? `yes, in ${w.openMs} ms` : `no: stopped at ${w.failedAt}`],
      ['HTTP answer', w.httpStatus ? `${w.httpStatus} ${w.httpReason ?? ''}`.trim() : 'none'],
      ['Answered by', w.answeredBy],
      ['Subprotocol', w.subprotocol],
      ['Closed', w.closeCode ? `${w.closeCode} by ${w.closedByPeer ? 'the far side' : 'us'}` : null],
    ]),
  );
  out(w.message);
}
