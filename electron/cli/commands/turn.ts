import { readFile } from 'node:fs/promises';
import type { TurnEvent, TurnReport, TurnTestInput } from '../../../shared/contracts/turn.ts';
import { standaloneContext } from '../../services/call-context.ts';
import { usageError } from '../cli-errors.ts';
import type { CliCommand, CliContext } from '../command.ts';
import { intOption, stringOption } from '../options.ts';
import { readSecret } from '../password.ts';
import { heading, keyValues, table } from '../format.ts';

export const turnCommand: CliCommand = {
  usage:
    'turn --server HOST[:PORT] [--transport udp|tcp|tls] [--user U --password P | --secret S] [--echo-uri URI] [--json]',
  help: [
    'Options:',
    '  --server HOST[:PORT]    TURN server (default port 3478; 5349 for tls)',
    '  --transport udp|tcp|tls how to reach the server (default udp); tls verifies the certificate',
    '  --user U                long-term credentials: the user name, and the password from',
    '  --password-file FILE    FILE (first line), NATSCOPE_TURN_PASSWORD, or a no-echo prompt on a terminal;',
    '                          --password P works but shows it in the process list. Never printed.',
    '  --secret-file FILE      coturn use-auth-secret shared secret (or NATSCOPE_TURN_SECRET; --secret S',
    '                          warns like --password): NatScope derives time-limited REST credentials;',
    '                          --user then names the user part',
    '  --realm R               the realm the credentials belong to: another realm from the server is an error',
    '  --relay udp|tcp         relayed transport (default udp; tcp = RFC 6062 TCP allocation)',
    '  --ca FILE               extra CA certificate (PEM) trusted for tls',
    '  --lifetime S            requested allocation lifetime (seconds)',
    '  --timeout MS            give up a transaction after this long (default 5000)',
    '  --echo-uri URI          also call this echo service twice, direct and with the media through the',
    '                          relay, and show both verdicts (RTP loss, jitter, RTT, MOS)',
    '  --echo-transport udp|tcp|tls  SIP transport of those calls (default udp; tcp/tls where UDP is blocked)',
    '  --echo-seconds S        media duration of each call (default 8)',
    '  --echo-ca FILE          extra CA certificate (PEM) for SIP over TLS',
    '  --log                   print the TURN transaction log',
    '',
    'Examples:',
    '  natscope turn --server turn.example.org --user alice --password-file ~/.turn-pass',
    '  NATSCOPE_TURN_SECRET=… natscope turn --server turn.example.org:443 --transport tls --json',
    '',
    'Exit code: 0 when the allocation succeeded, 1 when it failed (the report says why).',
  ].join('\n'),
  options: {
    server: { type: 'string' },
    transport: { type: 'string' },
    user: { type: 'string' },
    password: { type: 'string' },
    'password-file': { type: 'string' },
    secret: { type: 'string' },
    'secret-file': { type: 'string' },
    realm: { type: 'string' },
    relay: { type: 'string' },
    ca: { type: 'string' },
    lifetime: { type: 'string' },
    timeout: { type: 'string' },
    'echo-uri': { type: 'string' },
    'echo-transport': { type: 'string' },
    'echo-seconds': { type: 'string' },
    'echo-ca': { type: 'string' },
    log: { type: 'boolean', default: false },
  },
  async run(ctx) {
    const { services, io, json, values, signal } = ctx;
    const input = await turnInputFromFlags(ctx);
    const echo = stringOption(values, 'echo-uri');
    if (echo !== undefined) {
      input.echoUri = echo;
      const t = stringOption(values, 'echo-transport');
      if (t !== undefined && t !== 'udp' && t !== 'tcp' && t !== 'tls')
        throw usageError(`--echo-transport must be udp, tcp or tls, got "${t}"`);
      if (t) input.echoTransport = t;
      const secs = intOption(values, 'echo-seconds', 1, 60);
      if (secs !== undefined) input.echoSeconds = secs;
      const ca = stringOption(values, 'echo-ca');
      if (ca !== undefined) input.echoCaPem = await readPem(ca, 'echo-ca');
    }
    const onEvent = (e: TurnEvent) => {
      if (e.status !== 'running') io.err(`${e.status === 'done' ? '✓' : '✗'} ${e.step}: ${e.summary}`);
    };
    const report = await services.turn.test(input, standaloneContext(onEvent, signal));
    if (json) io.out(JSON.stringify(report, null, 2));
    else printTurnReport(report, io.out, values.log === true);
    return report.allocated ? 0 : 1;
  },
};

/** Flags → input; shared by `turn` and `diagnose --turn-*` (`prefix` "turn-"). */
export async function turnInputFromFlags(ctx: CliContext, prefix = ''): Promise<TurnTestInput> {
  const { values } = ctx;
  const str = (k: string) => stringOption(values, `${prefix}${k}`);
  const server = str('server');
  if (!server) throw usageError(`--${prefix}server HOST[:PORT] is required`);
  const transport = str('transport') ?? 'udp';
  if (transport !== 'udp' && transport !== 'tcp' && transport !== 'tls')
    throw usageError(`--${prefix}transport must be udp, tcp or tls, got "${transport}"`);
  const relay = str('relay') ?? 'udp';
  if (relay !== 'udp' && relay !== 'tcp') throw usageError(`--relay must be udp or tcp, got "${relay}"`);
  const user = str('user');
  const secret = await readSecret(ctx, { option: `${prefix}secret`, env: 'NATSCOPE_TURN_SECRET' });
  const password =
    secret === undefined
      ? await readSecret(ctx, {
          option: `${prefix}password`,
          env: 'NATSCOPE_TURN_PASSWORD',
          prompt: user ? `TURN password for ${user}: ` : undefined,
        })
      : undefined;
  if (secret !== undefined && (str('password') !== undefined || str('password-file') !== undefined))
    throw usageError(`give --${prefix}password or --${prefix}secret, not both`);
  if (secret === undefined && (user === undefined || password === undefined))
    throw usageError(
      `credentials needed: --${prefix}user with --${prefix}password-file FILE (or NATSCOPE_TURN_PASSWORD, or the prompt on a terminal), or --${prefix}secret-file FILE (or NATSCOPE_TURN_SECRET)`,
    );
  const input: TurnTestInput = { server, transport, relay };
  if (secret !== undefined) input.secret = secret;
  if (user !== undefined) input.username = user;
  if (password !== undefined) input.password = password;
  if (str('realm')) input.realm = str('realm');
  const lifetime = intOption(values, `${prefix}lifetime`, 0, 3600);
  if (lifetime !== undefined) input.lifetimeSeconds = lifetime;
  const timeout = intOption(values, `${prefix}timeout`, 200, 30_000);
  if (timeout !== undefined) input.timeoutMs = timeout;
  const ca = str('ca');
  if (ca !== undefined) input.tlsCaPem = await readPem(ca, `${prefix}ca`);
  return input;
}

/** A PEM file's text for --ca-style options; a missing file is a usage error. */
export async function readPem(file: string, option: string): Promise<string> {
  return readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw usageError(`cannot read --${option} ${file}: ${e.code ?? e.message}`);
  });
}

const REACH: Record<string, string> = {
  yes: 'yes',
  'after-outbound': 'only after we send first',
  no: 'no',
  unknown: 'unknown',
};

type EchoRtp = NonNullable<TurnReport['echo']>['rtp'];
const fixed = (v: number | null | undefined, d: number) =>
  v === null || v === undefined ? null : v.toFixed(d);
const row = (path: string, answered: boolean, rtp: EchoRtp, verdict: string) => [
  path,
  answered ? 'yes' : 'no',
  rtp?.sent,
  rtp?.received,
  rtp?.received ? fixed(rtp.lossPercent, 1) : null, // no packet back: loss is not measurable
  fixed(rtp?.jitterMs, 1),
  fixed(rtp?.rttMs, 1),
  fixed(rtp?.mos, 2),
  verdict,
];

export function printTurnReport(r: TurnReport, out: (t: string) => void, log: boolean): void {
  out(heading(`TURN relay ${r.server} over ${r.transport.toUpperCase()}`));
  out(
    keyValues([
      ['Allocated', r.allocated ? 'yes' : 'no'],
      ...(r.error ? ([['Error', `${r.error.message} [${r.error.code}]`]] as [string, string][]) : []),
      ['Relayed address', r.relayedAddress],
      ['Mapped address', r.mappedAddress],
      ['Lifetime', r.lifetimeSeconds === null ? null : `${r.lifetimeSeconds} s`],
      ['Realm', r.realm],
      ['Password algorithm', r.passwordAlgorithm],
      ['Credentials', r.credentials === 'rest' ? `REST (user ${r.username})` : 'static'],
      ['Connect', r.timings.connectMs === null ? null : `${r.timings.connectMs} ms`],
      [
        'Allocate',
        r.timings.allocateMs === null ? null : `${r.timings.allocateMs} ms (incl. the 401 challenge)`,
      ],
      ['Total', `${r.timings.totalMs} ms`],
    ]),
  );
  out(heading('Candidates'));
  out(
    table(
      ['Type', 'Proto', 'Address', 'Learnt from', 'ms', 'Reachable from the internet', 'Why'],
      r.candidates.map((c) => [
        c.type,
        c.transport,
        c.address,
        c.source,
        c.gatherMs,
        REACH[c.reachable],
        c.why,
      ]),
    ),
  );
  if (r.echo) {
    const e = r.echo;
    out(heading(`Echo call ${e.target}`));
    out(e.summary);
    out(
      table(
        ['Path', 'Answered', 'Sent', 'Received', 'Loss %', 'Jitter ms', 'RTT ms', 'MOS', 'Verdict'],
        [
          row('direct', e.direct?.answered ?? false, e.direct?.rtp ?? null, e.direct?.summary ?? ''),
          row('through relay', e.answered, e.rtp, e.summary.split('; through relay: ')[1] ?? ''),
        ],
      ),
    );
  }
  if (r.findings.length) {
    out(heading('Findings'));
    for (const f of r.findings) {
      out(`- [${f.severity}] ${f.id}: ${f.title}`);
      for (const a of f.advice) out(`    · ${a}`);
    }
  }
  if (log) {
    out(heading('Transactions'));
    out(
      table(
        ['ms', 'Method', 'Outcome', 'RTT ms'],
        r.transactions.map((t) => [t.atMs, t.method, t.outcome, t.rttMs]),
      ),
    );
  }
  if (r.warnings.length) {
    out(heading('Warnings'));
    for (const w of r.warnings) out(`- ${w}`);
  }
}
