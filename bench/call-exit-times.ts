// How long `natscope call` takes to reach its verdict, and to exit, against far ends that misbehave
// (issue #12: "always exits within duration + 40 s, whatever the far end does"). Each scenario runs
// the built CLI in the network lab's client namespace through a masquerade NAT; the far ends are
// real: nothing listening (the kernel's ICMP port unreachable), a router with an unreachable route
// (ICMP host unreachable), an nftables black hole, SIPp ringing forever, SIPp ignoring our BYE,
// SIPp answering just as we cancel and then ignoring our BYE, and — for reference — SIPp answering
// normally.
//
//   node bench/call-exit-times.ts [--duration 3]
//
// Root + Linux (network namespaces); needs the lab's Debian packages (test/lab/install-deps.sh) and
// `npm run build:node`.
import { loadavg } from 'node:os';
import { runCall } from '../test/lab/call-run.ts';
import { startLab } from '../test/lab/lab.ts';

const args = new Map<string, string>();
for (let i = 2; i + 1 < process.argv.length; i += 2)
  args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1]!);
const DURATION = Number(args.get('duration') ?? 3);
const LIMIT_MS = (DURATION + 40) * 1000;

const lab = await startLab('masquerade', { coturn: false, stund: false });
try {
  await lab.nft(
    'server',
    'table inet bench_faults {\n  chain input {\n    type filter hook input priority -10;\n    udp dport 5090 drop\n  }\n}\n',
  );
  await lab.exec('router', ['ip', 'route', 'add', 'unreachable', '203.0.113.99/32']);
  const uas = (scenario: string, port: number, extra: string[] = []) =>
    lab.startSipp('server', {
      scenario,
      port,
      name: `bench-${scenario}`,
      args: ['-rtp_echo', '-mi', lab.addr.serverPrimary, '-mp', String(port + 10_000), '-m', '1', ...extra],
    });
  await uas('uas-echo.xml', 5096);
  await uas('uas-ring-forever.xml', 5093);
  await uas('uas-bye-ignored.xml', 5100);
  await uas('uas-answer-on-cancel.xml', 5104);
  const server = lab.addr.serverPrimary;
  const scenarios: [string, string][] = [
    ['answers normally (SIPp echo)', `sip:echo@${server}:5096`],
    ['nothing listens (ICMP port unreachable)', `sip:echo@${server}:5091`],
    ['host unreachable (router: ICMP host unreachable)', 'sip:echo@203.0.113.99'],
    ['black hole (every packet dropped)', `sip:echo@${server}:5090`],
    ['rings forever (default --answer-timeout 30)', `sip:echo@${server}:5093`],
    ['never answers our BYE', `sip:echo@${server}:5100`],
    ['answers as we cancel, then ignores our BYE', `sip:echo@${server}:5104`],
  ];
  const results = await Promise.all(
    scenarios.map(async ([name, uri]) => {
      const r = await runCall(lab, uri, ['--duration', String(DURATION)], { timeoutMs: LIMIT_MS + 20_000 });
      const verdictSec = r.states.get('failed') ?? r.states.get('ended') ?? null;
      return { name, end: r.result.endReason, verdictSec, wallMs: r.wallMs };
    }),
  );
  console.log(
    `natscope call --duration ${DURATION}: limit ${LIMIT_MS / 1000} s (load ${loadavg()[0]!.toFixed(1)})`,
  );
  console.log('scenario                                            endReason     verdict at  exit after');
  for (const r of results)
    console.log(
      `${r.name.padEnd(52)}${r.end.padEnd(14)}${(r.verdictSec === null ? '—' : `${r.verdictSec.toFixed(1)} s`).padStart(10)}  ${(r.wallMs / 1000).toFixed(1).padStart(8)} s${r.wallMs > LIMIT_MS ? '  OVER THE LIMIT' : ''}`,
    );
  const worst = Math.max(...results.map((r) => r.wallMs));
  console.log(`worst case: ${(worst / 1000).toFixed(1)} s (limit ${LIMIT_MS / 1000} s)`);
  process.exitCode = worst > LIMIT_MS ? 1 : 0;
} finally {
  await lab.destroy();
}
