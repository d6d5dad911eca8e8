import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { readPem, turnInputFromFlags } from './turn.ts';
import { DiagnoseInputSchema } from '../../../shared/contracts/report.ts';
import type { Area, Severity } from '../../../shared/model/diagnosis/findings.ts';
import { renderReport, type ReportFormat } from '../../../shared/model/report/build.ts';
import { AREA_TITLE } from '../../../shared/model/report/markdown.ts';
import { reportLights } from '../../../shared/model/report/report.ts';
import type { CliCommand, CliContext } from '../command.ts';
import { usageError } from '../cli-errors.ts';
import { heading, table } from '../format.ts';
import { hostOfUri } from './call.ts';
import { choiceOption, defined, intListOption, numberOption, parseInput, stringOption } from '../options.ts';
import { PASSWORD_HELP, PASSWORD_OPTIONS, requireSipPassword } from '../password.ts';

const FORMATS = ['md', 'json', 'html'] as const;

const MARK: Record<Severity, string> = { ok: 'OK', info: 'INFO', warning: 'WARN', problem: 'PROBLEM' };

const EXTENSIONS: Record<string, ReportFormat> = {
  md: 'md',
  markdown: 'md',
  html: 'html',
  htm: 'html',
  json: 'json',
};

/** The report format from --format, else from the file's extension; anything unclear is refused. */
export function formatFor(file: string, given: ReportFormat | undefined): ReportFormat {
  if (file.trim() === '') throw usageError('--report needs a file name, e.g. --report report.md');
  if (given) return given;
  const ext = /\.([^./\\]+)$/.exec(file)?.[1]?.toLowerCase();
  if (ext === undefined) return 'md';
  const f = EXTENSIONS[ext];
  if (!f)
    throw usageError(
      `cannot tell the report format from ".${ext}": name the file .md, .html or .json, or add --format md|html|json`,
    );
  return f;
}

/** The relay step's flags (`--turn-*`), read like `natscope turn`'s; passwords and secrets never echoed. */
async function turnFlags(ctx: CliContext) {
  if (stringOption(ctx.values, 'turn-server') === undefined) return {};
  const t = await turnInputFromFlags(ctx, 'turn-');
  return {
    turnServer: t.server,
    turnTransport: t.transport,
    turnUser: t.username,
    turnPassword: t.password,
    turnSecret: t.secret,
    turnCaPem: t.tlsCaPem,
  };
}

export const diagnoseCommand: CliCommand = {
  usage:
    'diagnose [--stun-server HOST[:PORT] …] [--reflector HOST[:PORT]] [--echo-uri SIP_URI [--ws-url URL]] [--incoming [--incoming-idle S …]] [--registrar HOST --user U [--password-file FILE]] [--turn-server HOST[:PORT] --turn-user U [--turn-password-file FILE]] [--report FILE] [--format md|json|html] [--json]',
  help: [
    'Steps and what they need (a step without its input is listed as skipped, not failed):',
    '  network       nothing                      interfaces, gateways, primary address',
    '  nat           --stun-server (repeatable)   RFC 5780 NAT behaviour (default: the built-in list, like nat)',
    '  router        nothing (--no-router skips)  UPnP IGD / NAT-PMP / PCP, external IP, mappings',
    '  alg           --reflector (conclusive), or the STUN server (heuristics, weaker evidence)',
    '  call          --echo-uri                   echo test call with RTP stats',
    '  incoming      --reflector and --incoming   inbound-call test (about 2 minutes, so opt-in)',
    '  registration  --registrar --user and a password (registers before the echo call)',
    '  relay         --turn-server with --turn-user/--turn-password or --turn-secret: TURN allocation,',
    '                candidates judged against the NAT step, relay-works/needed/unreachable;',
    '                with --echo-uri, the echo call again with its media through the relay',
    '',
    'Options:',
    '  --transport T             SIP transport for the call: udp (default), tcp, tls, ws, wss',
    "  --ws-url URL              the gateway's SIP WebSocket for the call (RFC 7118), e.g. wss://pbx:8089/ws;",
    "                            --registrar then only names the domain (default: the echo URI's host)",
    '  --ca FILE                 extra trusted CA (PEM) for the call over tls or wss',
    '  --call-seconds S          media duration of the echo call (default 8)',
    '  --incoming                run the inbound-call test against the --reflector (a natscope server)',
    '  --incoming-idle S         its idle times, repeatable or comma-separated (default 15,30,60,90,120)',
    ...PASSWORD_HELP,
    '  --turn-transport udp|tcp|tls  how to reach the TURN server (default udp)',
    '  --turn-password-file FILE the TURN password (or NATSCOPE_TURN_PASSWORD, the prompt, --turn-password);',
    '                            --turn-secret-file FILE (or NATSCOPE_TURN_SECRET) for coturn REST credentials;',
    '                            --turn-ca FILE trusts a CA for tls',
    '  --report FILE             write the report; format from --format or the file extension (.md/.json/.html;',
    '                            no extension = Markdown, any other extension is refused)',
    '  --mask-public-ips         replace public IPs by aliases (for posting in public)',
    '  --mask-user NAME          replace this user name everywhere (repeatable)',
    '  --mask-host NAME          replace this host name everywhere (repeatable)',
    "  --monitor-history FILE    add a natscope monitor history (JSON lines) as the report's timeline page",
    '  --json                    print the report document (with findings[]) on stdout',
    '',
    'Example:',
    '  natscope diagnose --stun-server stun.example.net --reflector reflector.example.net --echo-uri sip:9196@conference.freeswitch.org --report report.md',
  ].join('\n'),
  options: {
    'stun-server': { type: 'string', multiple: true },
    reflector: { type: 'string' },
    'echo-uri': { type: 'string' },
    registrar: { type: 'string' },
    user: { type: 'string' },
    ...PASSWORD_OPTIONS,
    transport: { type: 'string' },
    'ws-url': { type: 'string' },
    ca: { type: 'string' },
    'call-seconds': { type: 'string' },
    incoming: { type: 'boolean', default: false },
    'incoming-idle': { type: 'string', multiple: true },
    'no-router': { type: 'boolean', default: false },
    report: { type: 'string' },
    format: { type: 'string' },
    'mask-public-ips': { type: 'boolean', default: false },
    'mask-user': { type: 'string', multiple: true },
    'mask-host': { type: 'string', multiple: true },
    'monitor-history': { type: 'string' },
    'turn-server': { type: 'string' },
    'turn-transport': { type: 'string' },
    'turn-user': { type: 'string' },
    'turn-password': { type: 'string' },
    'turn-password-file': { type: 'string' },
    'turn-secret': { type: 'string' },
    'turn-secret-file': { type: 'string' },
    'turn-ca': { type: 'string' },
  },
  async run(ctx) {
    const { services, io, json, values, signal } = ctx;
    const str = (k: string) => stringOption(values, k);
    const list = (k: string) => (values[k] as string[] | undefined) ?? [];
    const reportFile = str('report');
    const format =
      reportFile !== undefined ? formatFor(reportFile, choiceOption(values, 'format', FORMATS)) : null;
    if (reportFile === undefined && str('format') !== undefined)
      throw usageError('--format needs --report FILE');
    const input = parseInput(
      DiagnoseInputSchema,
      defined({
        stunServers: list('stun-server'),
        reflector: str('reflector'),
        echoUri: str('echo-uri'),
        registrar:
          str('registrar') ?? (str('ws-url') && str('user') ? hostOfUri(str('echo-uri') ?? '') : undefined),
        user: str('user'),
        transport: choiceOption(values, 'transport', ['udp', 'tcp', 'tls', 'ws', 'wss']),
        wsUrl: str('ws-url'),
        callCaPem: str('ca') === undefined ? undefined : await readPem(str('ca')!, 'ca'),
        callSeconds: numberOption(values, 'call-seconds', 1, 120),
        skipRouter: values['no-router'] === true,
        incoming: values.incoming === true,
        incomingIdleSeconds: intListOption(values, 'incoming-idle', 1, 120),
        ...(await turnFlags(ctx)),
        mask: {
          publicIps: values['mask-public-ips'] === true,
          usernames: list('mask-user'),
          hostnames: list('mask-host'),
        },
      }),
      {
        stunServers: '--stun-server',
        reflector: '--reflector',
        echoUri: '--echo-uri',
        wsUrl: '--ws-url',
        registrar: '--registrar',
        user: '--user',
        turnServer: '--turn-server',
        incomingIdleSeconds: '--incoming-idle',
        turnTransport: '--turn-transport',
        turnUser: '--turn-user',
        mask: '--mask-user/--mask-host',
      },
    );
    if ((input.registrar === undefined) !== (input.user === undefined))
      throw usageError('--registrar and --user go together');
    if (input.user !== undefined)
      input.password = await requireSipPassword(ctx, input.user, input.registrar!);
    else if (str('password') !== undefined || str('password-file') !== undefined)
      throw usageError('a password needs --registrar and --user');
    const monitorHistory = str('monitor-history');
    if (monitorHistory !== undefined && !existsSync(monitorHistory))
      throw usageError(
        `--monitor-history ${monitorHistory}: no such file (natscope monitor --history FILE writes one)`,
      );
    const report = await services.report.run(
      input,
      {
        signal,
        emit: (e) => io.err(`[${e.status}] ${e.step}${e.message ? ` — ${e.message}` : ''}`),
      },
      { monitorHistoryPath: monitorHistory },
    );
    if (reportFile && format) {
      await writeFile(reportFile, renderReport(report, format), { mode: 0o600 });
      io.err(`report written to ${reportFile} (${format})`);
    }
    if (json) {
      io.out(JSON.stringify(report, null, 2));
      return 0;
    }
    const lights = reportLights(report);
    io.out(heading('Summary'));
    io.out(
      table(
        ['Step', 'Status', 'Note'],
        report.steps.map((s) => [
          s.id,
          s.status,
          s.reason ?? (s.durationMs !== undefined ? `${s.durationMs} ms` : ''),
        ]),
      ),
    );
    io.out('');
    io.out(
      table(
        ['Area', 'Status'],
        (Object.keys(AREA_TITLE) as Area[])
          .filter((a) => lights[a])
          .map((a) => [AREA_TITLE[a], MARK[lights[a]!]]),
      ),
    );
    io.out(heading('Findings'));
    for (const f of report.findings) {
      io.out(`\n[${MARK[f.severity]}] ${f.title}  (${f.id})`);
      for (const [k, v] of Object.entries(f.evidence)) io.out(`    ${k}: ${v ?? '—'}`);
      for (const a of f.advice) io.out(`  → ${a}`);
    }
    if (report.findings.length === 0)
      io.out('No findings: run with --stun-server, --reflector and --echo-uri for a full diagnosis.');
    if (report.monitor) {
      io.out(heading('Monitor history'));
      io.out(`${report.monitor.summaryText} (timeline and events in the report)`);
    }
    return 0;
  },
};
