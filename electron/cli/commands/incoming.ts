import { readFile } from 'node:fs/promises';
import {
  DEFAULT_IDLE_SECONDS,
  IncomingInputSchema,
  MAX_CALLBACK_IDLE_SECONDS,
  type IncomingEvent,
  type IncomingInput,
} from '../../../shared/contracts/incoming.ts';
import { describeBracket } from '../../../shared/model/incoming/compare.ts';
import { standaloneContext } from '../../services/call-context.ts';
import { usageError } from '../cli-errors.ts';
import type { CliCommand, CliContext } from '../command.ts';
import { choiceOption, defined, intListOption, intOption, parseInput, stringOption } from '../options.ts';
import { PASSWORD_HELP, PASSWORD_OPTIONS, requireSipPassword } from '../password.ts';
import { printIncoming } from './incoming-format.ts';

const FLAGS = {
  server: '--server',
  transport: '--transport',
  idleSeconds: '--idle',
  keepAliveSeconds: '--keepalive',
  keepAliveMethod: '--keepalive-method',
  stunServer: '--stun',
  waitSeconds: '--wait',
  localAddress: '--local-address',
  account: '--user',
};

async function inputFrom(ctx: CliContext): Promise<IncomingInput> {
  const { values } = ctx;
  const str = (k: string) => stringOption(values, k);
  const server = str('server');
  if (!server) throw usageError('--server HOST[:PORT] is required');
  const interval = intOption(values, 'keepalive', 0, 600);
  const user = str('user');
  const input: IncomingInput = {
    server,
    ...defined({
      transport: choiceOption(values, 'transport', ['udp', 'tcp', 'tls']),
      idleSeconds: intListOption(values, 'idle', user ? 0 : 1, user ? 3600 : MAX_CALLBACK_IDLE_SECONDS),
      keepAliveSeconds: interval || undefined,
      keepAliveCheck: interval !== 0 && values['no-keepalive-check'] !== true,
      keepAliveMethod: choiceOption(values, 'keepalive-method', ['crlf', 'options']),
      stunServer: str('stun'),
      stunCompare: values['no-stun'] !== true,
      waitSeconds: intOption(values, 'wait', 5, 600),
      localAddress: str('local-address'),
    }),
  };
  const ca = str('ca');
  if (ca !== undefined)
    input.tlsCaPem = await readFile(ca, 'utf8').catch((e: Error) => {
      throw usageError(`cannot read --ca ${ca}: ${e.message}`);
    });
  if (user) {
    // the password is asked for last, once everything else is known to be usable
    const password = await requireSipPassword(ctx, user, server);
    input.account = defined({
      username: user,
      password,
      authUsername: str('auth-user'),
      domain: str('domain'),
    }) as IncomingInput['account'];
  }
  return input;
}

function progressLine(e: IncomingEvent): string | null {
  const t = (ms: number) => `[${(ms / 1000).toFixed(1).padStart(5)}s]`;
  switch (e.kind) {
    case 'plan': {
      const probes = e.tests.filter((x) => x.keepAliveSeconds === null).map((x) => x.idleSeconds);
      const runs = e.tests.length - probes.length;
      return `Testing idle ${probes.join(', ')} s in parallel${runs ? ` (+ ${runs} keep-alive run${runs > 1 ? 's' : ''})` : ''}: about ${Math.ceil(e.expectedDurationMs / 1000)} s.`;
    }
    case 'test': {
      if (e.state === 'registering') return null;
      const what =
        e.keepAliveSeconds === null
          ? `idle ${e.idleSeconds} s`
          : `idle ${e.idleSeconds} s with keep-alive every ${e.keepAliveSeconds} s`;
      return `${t(e.atMs)} ${what}: ${e.state}${e.detail ? ` — ${e.detail}` : ''}`;
    }
    case 'stun':
      return e.done
        ? `STUN binding (${e.port === 'sip' ? 'local port 5060' : 'random port'}): ${describeBracket(e)}`
        : null;
    case 'prompt':
      return `\n>>> ${e.message}\n`;
  }
}

export const incomingCommand: CliCommand = {
  usage: 'incoming --server HOST[:PORT] [--transport udp|tcp|tls] [--idle S …] [--keepalive S] [--json]',
  help: [
    'With a natscope server (companion mode): registers once per idle time, each from its own port, all',
    'at once, and asks the server to call each registration back after its idle time. The whole run',
    `takes about the longest idle time (default ${DEFAULT_IDLE_SECONDS.join(', ')} s: about 2 minutes). The`,
    'longest idle time is also repeated with keep-alives on, to show they fix it, and STUN binding',
    'lifetimes (random port, local port 5060) are measured beside it for comparison.',
    '',
    'With --user (PBX mode): registers with your own PBX, stays silent for --idle S (default 0), then',
    'asks you to call the extension from another phone and waits --wait S for the call.',
    '',
    'Options:',
    '  --server HOST[:PORT]      natscope server, or your PBX with --user (default port 5060, TLS 5061)',
    '  --transport udp|tcp|tls   udp (default)',
    `  --idle S                  idle time in seconds, repeatable or comma-separated (1–120)`,
    '  --keepalive S             keep-alive interval for the check (default: the recommended one; 0: no check)',
    '  --keepalive-method M      crlf (RFC 5626 ping, default) or options (SIP OPTIONS)',
    '  --stun HOST[:PORT]        STUN server for the lifetime comparison (default: the server, port 3478)',
    '  --no-stun                 skip the STUN lifetime comparison',
    '  --user U                  PBX mode: the extension to register    --auth-user U  digest user if different',
    '  --domain D                PBX mode: domain of the address of record (default: the server host)',
    ...PASSWORD_HELP,
    '  --wait S                  PBX mode: how long to wait for your call (default 120)',
    '  --local-address IP        bind to this local address',
    '  --ca FILE                 extra trusted CA certificate (PEM) for TLS',
    '  --messages                print every SIP message (Authorization redacted)',
    '',
    'Examples:',
    '  natscope incoming --server companion.example.net',
    '  natscope incoming --server companion.example.net --idle 20 --idle 40 --idle 80 --json',
    '  natscope incoming --server pbx.example.com --user 1001 --password-file ~/.sip-pass --idle 60',
    '',
    'Exit code: 0 when a call arrived after every idle time, 1 otherwise, 2 bad usage.',
  ].join('\n'),
  options: {
    server: { type: 'string' },
    transport: { type: 'string' },
    idle: { type: 'string', multiple: true },
    keepalive: { type: 'string' },
    'keepalive-method': { type: 'string' },
    'no-keepalive-check': { type: 'boolean', default: false },
    stun: { type: 'string' },
    'no-stun': { type: 'boolean', default: false },
    user: { type: 'string' },
    'auth-user': { type: 'string' },
    ...PASSWORD_OPTIONS,
    domain: { type: 'string' },
    wait: { type: 'string' },
    'local-address': { type: 'string' },
    ca: { type: 'string' },
    messages: { type: 'boolean', default: false },
  },
  async run(ctx) {
    const { services, io, json, values, signal } = ctx;
    const input = parseInput(IncomingInputSchema, await inputFrom(ctx), FLAGS);
    const onEvent = (e: IncomingEvent) => {
      const line = progressLine(e);
      if (line !== null) io.err(line);
    };
    const result = await services.incoming.test(input, standaloneContext(onEvent, signal));
    if (json) io.out(JSON.stringify(result, null, 2));
    else printIncoming(result, io.out, values.messages === true);
    return result.tests.length > 0 && result.tests.every((t) => t.received === true) ? 0 : 1;
  },
};
