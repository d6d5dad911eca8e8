import { fileURLToPath } from 'node:url';
import {
  WebrtcEchoInputSchema,
  type WebrtcEchoInput,
  type WebrtcEvent,
} from '../../../shared/contracts/webrtc.ts';
import type { CliCommand } from '../command.ts';
import { usageError } from '../cli-errors.ts';
import { defined, numberOption, parseInput, stringOption } from '../options.ts';
import { PASSWORD_HELP, PASSWORD_OPTIONS, readSecret, requireSipPassword } from '../password.ts';
import { hostOfUri } from './call.ts';
import { readPem } from './turn.ts';
import { printWebrtc } from './webrtc-format.ts';

/** `natscope webrtc`: the WebRTC echo in a headless Chromium (services/webrtc/headless-webrtc.ts). */
export const webrtcCommand: CliCommand = {
  usage:
    'webrtc --ws-url URL --uri SIP_URI [--user U [--password-file F]] [--ice-server URL …] [--turn-user U --turn-password-file F] [--relay-only] [--ca FILE] [--json]',
  help: [
    'Places a real browser call, like a WebRTC softphone: Chromium (found on this machine, driven',
    'through playwright-core) registers over the SIP WebSocket and calls the echo extension with',
    'ICE and DTLS-SRTP, sending its fake microphone (a beep) or a tone, and measures what comes back.',
    '',
    'Options:',
    "  --ws-url URL            the gateway's SIP WebSocket, e.g. wss://pbx.example.com:8089/ws",
    '  --uri SIP_URI           the echo extension, e.g. sip:9196@pbx.example.com',
    '  --user U                account (registers first unless --no-register); --auth-user, --domain',
    ...PASSWORD_HELP,
    '  --ice-server URL        stun:HOST[:PORT], turn:HOST[:PORT][?transport=tcp] or turns:…; repeatable',
    '  --turn-user U           TURN user name for the turn:/turns: servers; --turn-password-file FILE',
    '                          (or NATSCOPE_TURN_PASSWORD) for its password',
    '  --relay-only            only relay candidates (iceTransportPolicy "relay"): tests the TURN path alone',
    '  --duration S            seconds of audio once media flows (default 10)',
    '  --connect-timeout S     seconds for ICE + DTLS after the answer (default 15)',
    '  --tone                  send a tone instead of the fake microphone',
    "  --ca FILE               the gateway's private CA (PEM): its verified server key is trusted",
    '  --chromium PATH         the browser to drive (default: NATSCOPE_CHROMIUM, then the usual places)',
    '',
    'Example:',
    '  natscope webrtc --ws-url wss://pbx.example.com:8089/ws --uri sip:9196@pbx.example.com \\',
    '    --user 1001 --password-file ~/.sip-pass --ice-server stun:stun.example.com --json',
    '',
    'Exit code: 0 when audio came back with sound in it, 1 otherwise, 2 bad usage.',
  ].join('\n'),
  options: {
    'ws-url': { type: 'string' },
    uri: { type: 'string' },
    user: { type: 'string' },
    'auth-user': { type: 'string' },
    domain: { type: 'string' },
    'no-register': { type: 'boolean', default: false },
    ...PASSWORD_OPTIONS,
    'ice-server': { type: 'string', multiple: true },
    'turn-user': { type: 'string' },
    'turn-password': { type: 'string' },
    'turn-password-file': { type: 'string' },
    'relay-only': { type: 'boolean', default: false },
    duration: { type: 'string' },
    'connect-timeout': { type: 'string' },
    tone: { type: 'boolean', default: false },
    ca: { type: 'string' },
    chromium: { type: 'string' },
  },
  async run(ctx) {
    const { services, io, json, values, signal } = ctx;
    const str = (k: string) => stringOption(values, k);
    const wsUrl = str('ws-url');
    const target = str('uri');
    if (!wsUrl || !target)
      throw usageError(
        'give the gateway and the echo extension: --ws-url wss://HOST/PATH --uri sip:EXT@HOST',
      );
    const user = str('user');
    if (user === undefined && (str('password') !== undefined || str('password-file') !== undefined))
      throw usageError('a password needs --user');
    const urls = (values['ice-server'] as string[] | undefined) ?? [];
    const turnUser = str('turn-user');
    const turnPassword = turnUser
      ? await readSecret(ctx, { option: 'turn-password', env: 'NATSCOPE_TURN_PASSWORD' })
      : undefined;
    if (turnUser && turnPassword === undefined)
      throw usageError('--turn-user needs --turn-password-file FILE or NATSCOPE_TURN_PASSWORD');
    const input: WebrtcEchoInput = parseInput(
      WebrtcEchoInputSchema,
      defined({
        wsUrl,
        target,
        account: user
          ? {
              username: user,
              authUsername: str('auth-user'),
              domain: str('domain') ?? hostOfUri(target)?.replace(/:\d+$/, ''),
              password: '',
              register: values['no-register'] !== true,
            }
          : undefined,
        iceServers: urls.map((u) =>
          /^turns?:/i.test(u) && turnUser
            ? { urls: [u], username: turnUser, credential: turnPassword }
            : { urls: [u] },
        ),
        iceTransportPolicy: values['relay-only'] === true ? 'relay' : undefined,
        durationSec: numberOption(values, 'duration', 2, 120),
        connectTimeoutSec: numberOption(values, 'connect-timeout', 2, 60),
        audio: values.tone === true ? 'tone' : undefined,
      }),
      { wsUrl: '--ws-url', target: '--uri', iceServers: '--ice-server', account: '--user' },
    );
    if (
      input.iceTransportPolicy === 'relay' &&
      !input.iceServers?.some((s) => s.urls.some((u) => /^turns?:/i.test(u)))
    )
      throw usageError('--relay-only needs a TURN server: --ice-server turn:HOST[:PORT] with --turn-user');
    if (input.account)
      input.account.password = await requireSipPassword(
        ctx,
        input.account.username,
        input.account.domain ?? target,
      );
    const ca = str('ca');
    const onEvent = (e: WebrtcEvent) => {
      if (e.kind === 'state')
        io.err(`[${(e.atMs / 1000).toFixed(1)}s] ${e.state}${e.detail ? ` — ${e.detail}` : ''}`);
      else if (e.kind === 'sample' && !json)
        io.err(
          `  t=${e.sample.elapsedSec.toFixed(0)}s sent ${e.sample.packetsSent} recv ${e.sample.packetsReceived} loss ${e.sample.lossPercent ?? '—'}% jitter ${e.sample.jitterMs ?? '—'} ms rtt ${e.sample.rttMs ?? '—'} ms MOS ${e.sample.mos ?? '—'}`,
        );
    };
    const result = await services.webrtc.headless(
      input,
      { signal, emit: onEvent },
      {
        rendererDir: fileURLToPath(new URL('../renderer/', import.meta.url)).replace(/\/$/, ''),
        chromium: str('chromium'),
        caPem: ca === undefined ? undefined : await readPem(ca, 'ca'),
      },
    );
    if (json) io.out(JSON.stringify(result, null, 2));
    else printWebrtc(result, io.out);
    return result.outcome === 'ok' ? 0 : 1;
  },
};
