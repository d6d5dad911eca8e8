import {
  AlgTestInputSchema,
  type AlgEvent,
  type AlgResult,
  type AlgTestInput,
} from '../../../shared/contracts/alg.ts';
import { standaloneContext } from '../../services/call-context.ts';
import type { CliCommand, CliIo } from '../command.ts';
import { usageError } from '../cli-errors.ts';
import { heading, table } from '../format.ts';
import { defined, exclusive, intOption, parseInput, stringOption } from '../options.ts';

export const algCommand: CliCommand = {
  usage:
    'alg --reflector HOST[:PORT] [--alt-port N] [--udp-only|--tcp-only] [--router MODEL] [--json]\n       natscope alg --sip-server HOST[:PORT] [--stun HOST[:PORT]] [--json]   (heuristics)',
  help: [
    'Options:',
    '  --reflector HOST[:PORT]  a `natscope server` you control (port default 5060): conclusive test',
    "  --alt-port N             the reflector's non-standard SIP port (default 5062)",
    '  --udp-only, --tcp-only   test one transport only',
    '  --methods LIST           e.g. REGISTER,OPTIONS (default REGISTER,OPTIONS,INVITE)',
    '  --local-address IP       bind to this local address',
    '  --timeout MS             wait per message (default 2000; UDP retried twice within it)',
    '  --router MODEL           your router make/model, for "how to turn it off" hints',
    '  --sip-server HOST[:PORT] heuristics: an ordinary SIP server to send OPTIONS to (weaker evidence)',
    '  --stun HOST[:PORT]       heuristics: a STUN server (mapped address, MAPPED vs XOR-MAPPED check)',
    '',
    'Each path (UDP/TCP × port 5060/alt × local port 5060/random) carries REGISTER, OPTIONS and an',
    'INVITE with SDP; the reflector echoes what it received, so rewriting shows in both directions.',
    '',
    'Examples:',
    '  natscope alg --reflector stun.example.net',
    '  natscope alg --reflector 203.0.113.10:5060 --router "MikroTik hAP" --json',
  ].join('\n'),
  options: {
    reflector: { type: 'string' },
    'alt-port': { type: 'string' },
    'udp-only': { type: 'boolean', default: false },
    'tcp-only': { type: 'boolean', default: false },
    methods: { type: 'string' },
    'local-address': { type: 'string' },
    timeout: { type: 'string' },
    router: { type: 'string' },
    'sip-server': { type: 'string' },
    stun: { type: 'string' },
  },
  async run({ services, io, json, values, signal }) {
    const str = (k: string) => stringOption(values, k);
    exclusive(values, ['udp-only', 'tcp-only']);
    const raw = {
      reflector: str('reflector'),
      altPort: intOption(values, 'alt-port', 1, 65535),
      transports: values['udp-only'] ? ['UDP'] : values['tcp-only'] ? ['TCP'] : undefined,
      methods: str('methods')
        ?.toUpperCase()
        .split(',')
        .map((m) => m.trim()),
      localAddress: str('local-address'),
      timeoutMs: intOption(values, 'timeout', 200, 30_000),
      routerModel: str('router'),
      sipServer: str('sip-server'),
      stunServer: str('stun'),
    };
    if (!raw.reflector && !raw.sipServer && !raw.stunServer)
      throw usageError('give --reflector HOST (or --sip-server / --stun for the heuristics)');
    if (raw.reflector && (raw.sipServer || raw.stunServer))
      throw usageError(
        '--reflector runs the conclusive test; leave out --sip-server and --stun (they are for the heuristics)',
      );
    const parsed = {
      data: parseInput(AlgTestInputSchema, defined(raw), {
        reflector: '--reflector',
        methods: '--methods',
        localAddress: '--local-address',
        routerModel: '--router',
        sipServer: '--sip-server',
        stunServer: '--stun',
      }),
    };
    const input: AlgTestInput = parsed.data;
    const ctx = standaloneContext<AlgEvent>((e) => {
      if (e.kind === 'progress' && e.status !== 'started') io.err(`  ${e.step}: ${e.message ?? e.status}`);
    }, signal);
    if (!json)
      io.err(
        `SIP ALG test against ${input.reflector ?? [input.sipServer, input.stunServer].filter(Boolean).join(' + ')}…`,
      );
    const result = await services.alg.test(input, ctx);
    if (json) io.out(JSON.stringify(result, null, 2));
    else printAlgResult(io, result);
    return 0;
  },
};

export function printAlgResult(io: CliIo, r: AlgResult): void {
  io.out(heading(`SIP ALG${r.loopbackDemo ? ' (loopback demo)' : ''}`));
  io.out(r.algDetected ? `ALG DETECTED — ${r.summary}` : r.summary);
  io.out(
    `Evidence: ${r.evidence}${r.mode === 'heuristic' ? ' (heuristics against ordinary servers; run against a reflector to be sure)' : ''}`,
  );
  if (r.paths.length) {
    io.out('');
    io.out(
      table(
        ['Transport', 'To port', 'From port', 'Result', 'Rewritten (out)', 'Rewritten (back)', 'Note'],
        r.paths.map((p) => [
          p.transport,
          p.destinationPort,
          `${p.sourcePort ?? '—'} (${p.sourcePortKind === 'sip' ? '5060' : 'random'})`,
          p.status,
          p.rewrittenFields.join(', ') || '—',
          p.inboundRewrittenFields.join(', ') || '—',
          p.note,
        ]),
      ),
    );
    const changed = r.paths.flatMap((p) =>
      p.messages.flatMap((m) => [
        ...m.outbound.map((c) => ({ p, m, c, dir: 'out' })),
        ...m.inbound.map((c) => ({ p, m, c, dir: 'back' })),
      ]),
    );
    if (changed.length) {
      io.out(heading('What changed'));
      const seen = new Set<string>();
      for (const { p, m, c, dir } of changed) {
        const key = `${p.transport}${p.destinationPort}${dir}${c.field}${c.before}${c.after}`;
        if (seen.has(key)) continue;
        seen.add(key);
        io.out(
          `${p.transport} ${p.destinationPort} ${m.method} (${dir}) ${c.field} ${c.kind}:\n    sent: ${c.before ?? '—'}\n    got:  ${c.after ?? '—'}`,
        );
      }
    }
  }
  for (const h of r.heuristics) io.out(`${h.suggestsAlg ? '!' : '-'} ${h.title}: ${h.detail}`);
  if (r.wrongAddress) io.out(`\n!! ${r.wrongAddress.explanation}`);
  if (r.advice.length) {
    io.out(heading('Advice'));
    for (const a of r.advice) io.out(`[${a.severity}] ${a.title}\n    ${a.detail}`);
  }
  for (const w of r.warnings) io.err(`warning: ${w}`);
}
