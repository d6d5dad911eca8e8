import { readFile, writeFile } from 'node:fs/promises';
import { NatScopeError } from '../../../shared/contracts/errors.ts';
import { DiagnoseInputSchema } from '../../../shared/contracts/report.ts';
import type { Area, Severity } from '../../../shared/model/diagnosis/findings.ts';
import { renderReport, type ReportFormat } from '../../../shared/model/report/build.ts';
import { AREA_TITLE } from '../../../shared/model/report/markdown.ts';
import type { CliCommand } from '../command.ts';
import { heading, table } from '../format.ts';
import { reportLights } from '../../../shared/model/report/report.ts';

const MARK: Record<Severity, string> = { ok: 'OK', info: 'INFO', warning: 'WARN', problem: 'PROBLEM' };

function formatFor(file: string, given: string | undefined): ReportFormat {
  const f =
    given ??
    (file.endsWith('.json') ? 'json' : file.endsWith('.html') || file.endsWith('.htm') ? 'html' : 'md');
  if (f !== 'md' && f !== 'json' && f !== 'html')
    throw new NatScopeError('bad-request', `--format must be md, json or html, got "${f}"`);
  return f;
}

/** The relay step's flags; passwords and secrets also from the environment, never echoed. */
async function turnFlags(str: (k: string) => string | undefined) {
  const server = str('turn-server');
  if (!server) return {};
  const secret = str('turn-secret') ?? (str('turn-password') ? undefined : process.env.NATSCOPE_TURN_SECRET);
  const password = str('turn-password') ?? (secret ? undefined : process.env.NATSCOPE_TURN_PASSWORD);
  const ca = str('turn-ca');
  return {
    turnServer: server,
    turnTransport: str('turn-transport'),
    turnUser: str('turn-user'),
    turnPassword: password,
    turnSecret: secret,
    turnCaPem: ca
      ? await readFile(ca, 'utf8').catch((e: Error) => {
          throw new NatScopeError('bad-request', `cannot read --turn-ca ${ca}: ${e.message}`);
        })
      : undefined,
  };
}

export const diagnoseCommand: CliCommand = {
  name: 'diagnose',
  summary: 'Run every step whose inputs are given, then print findings and advice (and write a report)',
  usage:
    'diagnose [--stun-server HOST[:PORT] …] [--reflector HOST[:PORT]] [--echo-uri SIP_URI] [--registrar HOST --user U --password P] [--turn-server HOST[:PORT] --turn-user U --turn-password P] [--report FILE] [--format md|json|html] [--json]',
  help: [
    'Steps and what they need (a step without its input is listed as skipped, not failed):',
    '  network       nothing                      interfaces, gateways, primary address',
    '  nat           --stun-server (repeatable)   RFC 5780 NAT behaviour',
    '  router        nothing (--no-router skips)  UPnP IGD / NAT-PMP / PCP, external IP, mappings',
    '  alg           --reflector (conclusive), or the STUN server (heuristics, weaker evidence)',
    '  call          --echo-uri                   echo test call with RTP stats',
    '  registration  --registrar --user --password (registers before the echo call)',
    '  relay         --turn-server with --turn-user/--turn-password or --turn-secret: TURN allocation,',
    '                candidates judged against the NAT step, relay-works/needed/unreachable',
    '',
    'Options:',
    '  --transport udp|tcp|tls   SIP transport for the call (default udp)',
    '  --call-seconds S          media duration of the echo call (default 8)',
    '  --password P              or set NATSCOPE_SIP_PASSWORD; never printed or written',
    '  --turn-transport udp|tcp|tls  how to reach the TURN server (default udp)',
    '  --turn-password P         or set NATSCOPE_TURN_PASSWORD; --turn-secret S (or NATSCOPE_TURN_SECRET)',
    '                            for coturn REST credentials; --turn-ca FILE trusts a CA for tls',
    '  --report FILE             write the report; format from --format or the file extension (.md/.json/.html)',
    '  --mask-public-ips         replace public IPs by aliases (for posting in public)',
    '  --mask-user NAME          replace this user name everywhere (repeatable)',
    '  --mask-host NAME          replace this host name everywhere (repeatable)',
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
    password: { type: 'string' },
    transport: { type: 'string' },
    'call-seconds': { type: 'string' },
    'no-router': { type: 'boolean', default: false },
    report: { type: 'string' },
    format: { type: 'string' },
    'mask-public-ips': { type: 'boolean', default: false },
    'mask-user': { type: 'string', multiple: true },
    'mask-host': { type: 'string', multiple: true },
    'turn-server': { type: 'string' },
    'turn-transport': { type: 'string' },
    'turn-user': { type: 'string' },
    'turn-password': { type: 'string' },
    'turn-secret': { type: 'string' },
    'turn-ca': { type: 'string' },
  },
  async run({ services, io, json, values, signal }) {
    const str = (k: string) => values[k] as string | undefined;
    const list = (k: string) => (values[k] as string[] | undefined) ?? [];
    const reportFile = str('report');
    const format = reportFile ? formatFor(reportFile, str('format')) : null;
    const parsed = DiagnoseInputSchema.safeParse({
      stunServers: list('stun-server'),
      reflector: str('reflector'),
      echoUri: str('echo-uri'),
      registrar: str('registrar'),
      user: str('user'),
      password: str('password') ?? process.env.NATSCOPE_SIP_PASSWORD,
      transport: str('transport'),
      callSeconds: str('call-seconds') === undefined ? undefined : Number(str('call-seconds')),
      skipRouter: values['no-router'] === true,
      ...(await turnFlags(str)),
      mask: {
        publicIps: values['mask-public-ips'] === true,
        usernames: list('mask-user'),
        hostnames: list('mask-host'),
      },
    });
    if (!parsed.success) {
      throw new NatScopeError(
        'bad-request',
        parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; '),
      );
    }
    const report = await services.report.run(parsed.data, {
      signal,
      emit: (e) => io.err(`[${e.status}] ${e.step}${e.message ? ` — ${e.message}` : ''}`),
    });
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
    return 0;
  },
};
