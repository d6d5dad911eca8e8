// Benchmark (prints numbers; not a test): wall time of a full NAT discovery — mapping, filtering,
// hairpinning, port preservation — by NatScope, Vovida stun-client (RFC 3489, against stund) and
// coturn's turnutils_natdiscovery (RFC 5780, -m -f -H, against coturn) on every lab variant, in one
// run. Needs root + Linux + the lab packages, and the built CLI (npm run build:node).
//
//   node bench/nat-discovery.ts [--variants masquerade,symmetric] [--repeat 3]
//
// NatScope's time is the whole `natscope nat --json` process (Node start-up included); its own
// durationMs (discovery only) is shown next to it. Target: ≤ ½ of stun-client and < 1.5 s everywhere.
import { parseArgs } from 'node:util';
import { NATSCOPE_CLI, startLab, type Lab } from '../test/lab/lab.ts';
import { labSupport } from '../test/lab/support.ts';
import { VARIANT_NAMES, isVariantName, type VariantName } from '../test/lab/variants.ts';

const { values } = parseArgs({
  options: { variants: { type: 'string' }, repeat: { type: 'string', default: '3' } },
});
const support = labSupport();
if (!support.ok) {
  console.error(`bench: ${support.reason}`);
  process.exit(2);
}
const variants = (values.variants?.split(',') ?? [...VARIANT_NAMES]).filter((v): v is VariantName => {
  if (!isVariantName(v)) console.error(`bench: unknown variant ${v}`);
  return isVariantName(v);
});
const repeat = Math.max(1, Number(values.repeat));

async function timed(lab: Lab, argv: string[]): Promise<{ ms: number; out: string; code: number | null }> {
  const t0 = performance.now();
  const r = await lab.exec('client', argv, { timeoutMs: 90_000 });
  return { ms: performance.now() - t0, out: r.stdout + r.stderr, code: r.code };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Row {
  variant: string;
  nodeStartup: number;
  natscope: number;
  natscopeInternal: number;
  classic: string;
  stunClient: number;
  turnutils: number;
}
const rows: Row[] = [];
for (const variant of variants) {
  const lab = await startLab(variant, { hairpin: false });
  try {
    const ns: number[] = [];
    const internal: number[] = [];
    const sc: number[] = [];
    const tu: number[] = [];
    const boot: number[] = [];
    let classic = '?';
    for (let i = 0; i < repeat; i++) {
      const n = await timed(lab, [
        process.execPath,
        NATSCOPE_CLI,
        'nat',
        '--server',
        `${lab.addr.serverPrimary}:${lab.ports.coturn}`,
        '--json',
      ]);
      ns.push(n.ms);
      try {
        const j = JSON.parse(n.out.slice(0, n.out.lastIndexOf('}') + 1)) as {
          durationMs: number;
          classic: string | null;
        };
        internal.push(j.durationMs);
        classic = j.classic ?? 'null';
      } catch {
        internal.push(NaN);
      }
      boot.push((await timed(lab, [process.execPath, NATSCOPE_CLI, '--version'])).ms);
      sc.push((await timed(lab, ['stun', `${lab.addr.serverPrimary}:${lab.ports.stund}`])).ms);
      tu.push(
        (
          await timed(lab, [
            'turnutils_natdiscovery',
            '-m',
            '-f',
            '-H',
            '-L',
            lab.ipOf('client'),
            '-p',
            String(lab.ports.coturn),
            lab.addr.serverPrimary,
          ])
        ).ms,
      );
    }
    rows.push({
      variant,
      nodeStartup: median(boot),
      natscope: median(ns),
      natscopeInternal: median(internal),
      classic,
      stunClient: median(sc),
      turnutils: median(tu),
    });
    process.stderr.write(`${variant} done\n`);
  } finally {
    await lab.destroy();
  }
}

const f = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const header = [
  'variant',
  'NatScope (process)',
  'NatScope (discovery)',
  'natscope --version',
  'stun-client',
  'turnutils_natdiscovery',
  'NatScope/stun-client',
  'target met',
  'NatScope classic',
];
const body = rows.map((r) => [
  r.variant,
  f(r.natscope),
  f(r.natscopeInternal),
  f(r.nodeStartup),
  f(r.stunClient),
  f(r.turnutils),
  (r.natscope / r.stunClient).toFixed(2),
  r.natscope < 1500 && r.natscope <= r.stunClient / 2 ? 'yes' : 'NO',
  r.classic,
]);
const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
console.log(
  `NAT discovery wall time, median of ${repeat} (mapping + filtering + hairpinning + port preservation)`,
);
console.log(
  '"natscope --version" is the bare start-up cost of the CLI process on this machine at this moment, for context.',
);
console.log(line(header));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const b of body) console.log(line(b));
