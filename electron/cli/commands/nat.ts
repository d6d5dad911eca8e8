import { NatDiscoverInputSchema, type NatEvent, type NatReport } from '../../../shared/contracts/nat.ts';
import { BEHAVIOUR_LABEL, CLASSIC_LABEL } from '../../../shared/model/nat-classic.ts';
import { natSipMeaning } from '../../../shared/model/nat-meaning.ts';
import { DEFAULT_NAT_SERVERS, defaultDiscoveryServers } from '../../../shared/model/nat-servers.ts';
import { standaloneContext } from '../../services/call-context.ts';
import type { CliCommand } from '../command.ts';
import { usageError } from '../cli-errors.ts';
import { heading, keyValues, table } from '../format.ts';
import { choiceOption, defined, parseInput } from '../options.ts';

const yesNo = (v: boolean | null | undefined) =>
  v === null || v === undefined ? 'unknown' : v ? 'yes' : 'no';

export const natCommand: CliCommand = {
  usage: 'nat --server HOST[:PORT] [--server …] [--transport udp|tcp] [--lifetime] [--json]',
  help: [
    'Options:',
    '  --server HOST[:PORT]   STUN server (default port 3478); repeat to compare servers.',
    '                         Default: two public RFC 5780 servers (see --list-servers).',
    '  --transport udp|tcp    udp (default): every test; tcp: mapping behaviour over TCP only',
    '  --lifetime             also measure how long an idle UDP mapping lives (takes that long)',
    '  --lifetime-max S       longest idle time to try (default 180)',
    '  --runs N               repeat the discovery N times per server and compare (default 1)',
    '  --family 4|6           force IPv4 or IPv6',
    '  --rto MS               initial retransmission timeout (default 100)',
    '  --timeout MS           longest wait for a first answer before calling UDP blocked (default 1000;',
    '                         shortened to 4×RTT when a TCP connect to the server measures the RTT)',
    '  --negative-wait MS     wait for answers that may never come (default 200, raised to 4×RTT+100)',
    '  --log                  print the raw transaction log',
    '  --list-servers         print the built-in server list and exit',
    '',
    'Examples:',
    '  natscope nat --server stun.example.org',
    '  natscope nat --server 203.0.113.10 --server 198.51.100.20:3478 --lifetime --json',
    '',
    'Exit code: 0 when the discovery ran (whatever the NAT does), 1 when no server could be used.',
  ].join('\n'),
  options: {
    server: { type: 'string', multiple: true },
    transport: { type: 'string' },
    lifetime: { type: 'boolean', default: false },
    'lifetime-max': { type: 'string' },
    runs: { type: 'string' },
    family: { type: 'string' },
    rto: { type: 'string' },
    timeout: { type: 'string' },
    'negative-wait': { type: 'string' },
    log: { type: 'boolean', default: false },
    'list-servers': { type: 'boolean', default: false },
  },
  async run({ services, io, json, values, signal }) {
    if (values['list-servers'] === true) {
      const list = await services.nat.defaultServers();
      if (json) io.out(JSON.stringify(list, null, 2));
      else
        io.out(
          table(
            ['Server', 'RFC 5780', 'Note'],
            list.map((s) => [`${s.host}:${s.port}`, s.rfc5780 ? 'yes' : 'no', s.note ?? '']),
          ),
        );
      return 0;
    }
    const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
    const num = (k: string) => {
      const v = str(k);
      if (v === undefined) return undefined;
      if (!/^\d+$/.test(v)) throw usageError(`--${k} needs a whole number, got "${v}"`);
      return Number(v);
    };
    const servers = Array.isArray(values.server)
      ? (values.server as string[])
      : defaultDiscoveryServers(DEFAULT_NAT_SERVERS);
    const timing = { rtoMs: num('rto'), timeoutMs: num('timeout'), negativeWaitMs: num('negative-wait') };
    const raw = {
      servers,
      transport: choiceOption(values, 'transport', ['udp', 'tcp']),
      family: choiceOption(values, 'family', ['4', '6']) === undefined ? undefined : Number(str('family')),
      runs: num('runs'),
      lifetime: values.lifetime === true,
      lifetimeMaxSeconds: num('lifetime-max'),
      timing: Object.values(timing).some((v) => v !== undefined)
        ? Object.fromEntries(Object.entries(timing).filter(([, v]) => v !== undefined))
        : undefined,
    };
    const parsed = {
      data: parseInput(NatDiscoverInputSchema, defined(raw), {
        servers: '--server',
        runs: '--runs',
        lifetimeMaxSeconds: '--lifetime-max',
        timing: '--rto/--timeout/--negative-wait',
      }),
    };
    const onEvent = (e: NatEvent) => {
      if (e.kind === 'test' && e.status !== 'running')
        io.err(`${mark(e.status)} ${e.server}${e.run > 1 ? ` #${e.run}` : ''} ${e.test}: ${e.summary}`);
      if (e.kind === 'test' && e.status === 'running' && e.test === 'lifetime')
        io.err(`… lifetime: ${e.summary}`);
      if (e.kind === 'lifetime' && io.interactive)
        io.err(
          `… lifetime: ${e.elapsedSeconds} s elapsed, alive after ${e.aliveAfterSeconds ?? '—'} s, dead after ${e.deadAfterSeconds ?? '—'} s`,
        );
    };
    const report = await services.nat.discover(parsed.data, standaloneContext(onEvent, signal));
    if (json) {
      io.out(JSON.stringify(report, null, 2));
      return report.servers.some((s) => s.serverKind !== 'unreachable' || s.udpBlocked) ? 0 : 1;
    }
    printReport(report, io.out, values.log === true);
    return 0;
  },
};

function mark(status: string): string {
  return status === 'done' ? '✓' : status === 'skipped' ? '-' : status === 'inconclusive' ? '?' : '✗';
}

function printReport(r: NatReport, out: (t: string) => void, log: boolean): void {
  out(heading('NAT behaviour'));
  out(
    keyValues([
      ['Classic type', r.classic ? CLASSIC_LABEL[r.classic] : 'unknown'],
      ['Mapping', r.mapping ? BEHAVIOUR_LABEL[r.mapping] : 'unknown'],
      ['Filtering', r.filtering ? BEHAVIOUR_LABEL[r.filtering] : 'unknown'],
      ['Hairpinning', yesNo(r.hairpinning)],
      ['NAT detected', yesNo(r.natDetected)],
      ['UDP blocked', r.serverSilent ? 'unknown (the server did not answer)' : yesNo(r.udpBlocked)],
      ...(r.udpEvidence ? ([['Evidence', r.udpEvidence]] as [string, string][]) : []),
      ['Port preserved', yesNo(r.portPreserved)],
      ['Local address', r.localAddress],
      ['Mapped address', r.mappedAddress],
      ...(r.lifetimeSeconds !== undefined
        ? ([
            ['Mapping lifetime', r.lifetimeSeconds === null ? 'not measured' : `${r.lifetimeSeconds} s`],
            [
              'Keep-alive every',
              r.recommendedKeepAliveSeconds == null ? '—' : `${r.recommendedKeepAliveSeconds} s`,
            ],
          ] as [string, string][])
        : []),
      ['Server can run tests', yesNo(r.serverCapable)],
      ['Confidence', `${r.confidence} (${r.confidenceReason})`],
    ]),
  );
  out(heading('What it means for SIP'));
  for (const m of natSipMeaning(r)) out(`- [${m.severity}] ${m.text}`);
  out(heading('Tests'));
  out(
    table(
      ['Test', 'Status', 'Result'],
      r.tests.map((t) => [t.name, t.status, t.summary]),
    ),
  );
  if (r.servers.length > 1) {
    out(heading('Servers and runs'));
    out(
      table(
        ['Server', 'Run', 'Capable', 'Mapping', 'Filtering', 'Hairpin', 'Mapped address', 'ms'],
        r.servers.map((s) => [
          s.server,
          s.run,
          s.serverCapable ? 'yes' : 'no',
          s.mapping,
          s.filtering,
          yesNo(s.hairpinning),
          s.mappedAddress,
          s.durationMs,
        ]),
      ),
    );
  }
  if (r.disagreements.length) {
    out(heading('Disagreements'));
    for (const d of r.disagreements)
      out(`${d.field}: ${d.values.map((v) => `${v.server}#${v.run}=${JSON.stringify(v.value)}`).join(', ')}`);
  }
  if (log) {
    out(heading('Transaction log'));
    out(
      table(
        ['ms', 'Test', 'Step', 'Local', 'To', 'Sent', 'Outcome', 'From', 'RTT'],
        r.transactions.map((t) => [
          t.startedAtMs,
          t.test,
          t.step,
          t.local,
          t.destination,
          t.sent.map((a) => `${a.name}=${a.value}`).join(' ') || 'Binding',
          t.outcome === 'response'
            ? `${t.responseClass}${t.receivedOn ? ` on ${t.receivedOn}` : ''}`
            : t.outcome,
          t.responseFrom,
          t.rttMs,
        ]),
      ),
    );
  }
  if (r.warnings.length) {
    out(heading('Warnings'));
    for (const w of r.warnings) out(`- ${w}`);
  }
}
