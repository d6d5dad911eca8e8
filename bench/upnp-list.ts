// Benchmark: listing a UPnP IGD table of 100 mappings — NatScope vs miniupnpc's `upnpc -l`, in one
// run, against miniupnpd in the network lab (root + Linux; build the CLI first: npm run build:node).
//
//   node bench/upnp-list.ts [--runs N] [--entries N]
//
// Rows: full command lines with SSDP discovery, the same with the description URL given (no
// discovery: upnpc -u / natscope --igd-url), and NatScope's listing alone in-process. Two listing
// methods: GetGenericPortMappingEntry (one request per entry: upnpc -l; NatScope on IGD:1 or as
// fallback, 1 or 4 requests in flight) and IGD:2 GetListOfPortMappings (upnpc -L; NatScope's
// default on WANIPConnection:2).
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { NATSCOPE_CLI, REPO_ROOT, startLab } from '../test/lab/lab.ts';
import { labSupport } from '../test/lab/support.ts';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '3' }, entries: { type: 'string', default: '100' } },
});
const RUNS = Number(values.runs);
const ENTRIES = Number(values.entries);

const support = labSupport();
if (!support.ok) {
  console.error(`bench/upnp-list: the lab cannot run here: ${support.reason}`);
  process.exit(1);
}

function stats(ms: number[]): { median: number; min: number; max: number } {
  const s = [...ms].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, min: s[0]!, max: s[s.length - 1]! };
}

const lab = await startLab('masquerade', { upnp: true, stund: false });
try {
  const url = `http://${lab.addr.routerLan}:${lab.ports.upnpHttp}/rootDesc.xml`;
  const env = { ...process.env, NATSCOPE_STATE_DIR: join(lab.workDir, 'natscope-state') };
  console.error(`filling the table with ${ENTRIES} mappings (upnpc -a)…`);
  const fill = await lab.exec(
    'client',
    `for i in $(seq 0 ${ENTRIES - 1}); do upnpc -i -u ${url} -e bench$i -a ${lab.addr.client} $((30000+i)) $((30000+i)) UDP 900 >/dev/null || exit 1; done`,
    { timeoutMs: 120_000 },
  );
  if (fill.code !== 0) throw new Error(`filling failed: ${fill.stderr}`);

  const timed = async (argv: string[], check: (stdout: string) => number): Promise<number> => {
    const t0 = performance.now();
    const r = await lab.exec('client', argv, { timeoutMs: 60_000, env, cwd: REPO_ROOT });
    const ms = performance.now() - t0;
    const n = check(r.stdout);
    if (r.code !== 0 || n !== ENTRIES)
      throw new Error(
        `${argv.join(' ')}: exit ${r.code}, ${n} entries (want ${ENTRIES})\n${r.stderr.slice(0, 500)}`,
      );
    return ms;
  };
  const upnpcCount = (out: string) => out.split('\n').filter((l) => /^\s*\d+\s+UDP\s+\d+->/.test(l)).length;
  const natscopeCount = (out: string) => (JSON.parse(out) as { mappings: unknown[] }).mappings.length;
  const node = process.execPath;

  // In-process: NatScope's listing alone, timed inside the client namespace (no Node start-up, no discovery).
  const inProcess = (call: string) => [
    node,
    '--input-type=module',
    '-e',
    [
      `import { listAllPortMappings, listPortMappings } from ${JSON.stringify(join(REPO_ROOT, 'electron/engine/upnp/port-listing.ts'))};`,
      `import { nodeNetwork } from ${JSON.stringify(join(REPO_ROOT, 'electron/engine/net/node-network.ts'))};`,
      `import { systemClock } from ${JSON.stringify(join(REPO_ROOT, 'electron/engine/clock/clock.ts'))};`,
      `const s = { serviceType: 'urn:schemas-upnp-org:service:WANIPConnection:2', controlUrl: new URL('http://${lab.addr.routerLan}:${lab.ports.upnpHttp}/ctl/IPConn') };`,
      `const ctx = { network: nodeNetwork, clock: systemClock };`,
      `await ${call};`, // warm-up
      `const t0 = performance.now();`,
      `const r = await ${call};`,
      `console.log(JSON.stringify({ ms: performance.now() - t0, n: r.entries.length }));`,
    ].join('\n'),
  ];

  const cases: { name: string; run: () => Promise<number> }[] = [
    { name: 'upnpc -l   (discovery, per entry)', run: () => timed(['upnpc', '-i', '-l'], upnpcCount) },
    { name: 'upnpc -L   (discovery, list action)', run: () => timed(['upnpc', '-i', '-L'], upnpcCount) },
    {
      name: 'natscope map list (discovery)',
      run: () => timed([node, NATSCOPE_CLI, 'map', 'list', '--via', 'upnp', '--json'], natscopeCount),
    },
    { name: 'upnpc -u URL -l (per entry)', run: () => timed(['upnpc', '-i', '-u', url, '-l'], upnpcCount) },
    { name: 'upnpc -u URL -L (list action)', run: () => timed(['upnpc', '-i', '-u', url, '-L'], upnpcCount) },
    {
      name: 'natscope map list --igd-url URL',
      run: () =>
        timed(
          [node, NATSCOPE_CLI, 'map', 'list', '--via', 'upnp', '--igd-url', url, '--json'],
          natscopeCount,
        ),
    },
    ...[
      ['in-process: GetListOfPortMappings', 'listAllPortMappings(ctx, s)'],
      ['in-process: per entry, 1 in flight', 'listPortMappings(ctx, s, 1)'],
      ['in-process: per entry, 4 in flight', 'listPortMappings(ctx, s, 4)'],
    ].map(([name, call]) => ({
      name: `NatScope ${name!}`,
      run: async () => {
        const r = await lab.exec('client', inProcess(call!), { timeoutMs: 120_000 });
        const j = JSON.parse(r.stdout) as { ms: number; n: number };
        if (j.n !== ENTRIES) throw new Error(`in-process listing saw ${j.n} entries`);
        return j.ms;
      },
    })),
  ];
  const results = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (let i = 0; i < RUNS; i++) {
    // interleaved so drift on the shared machine hits every case alike
    for (const c of cases) results.get(c.name)!.push(await c.run());
    console.error(`run ${i + 1}/${RUNS} done`);
  }
  const w = Math.max(...cases.map((c) => c.name.length));
  console.log(`\nListing a UPnP table of ${ENTRIES} mappings (miniupnpd 2.3.1, ${RUNS} runs each, ms)\n`);
  console.log(`${'case'.padEnd(w)}  ${'median'.padStart(8)}  ${'min'.padStart(8)}  ${'max'.padStart(8)}`);
  for (const c of cases) {
    const s = stats(results.get(c.name)!);
    console.log(
      `${c.name.padEnd(w)}  ${s.median.toFixed(1).padStart(8)}  ${s.min.toFixed(1).padStart(8)}  ${s.max.toFixed(1).padStart(8)}`,
    );
  }
  console.log(
    '\nCommand lines include process start-up (Node for NatScope) and, where stated, SSDP discovery.',
  );
  console.log('Per entry = GetGenericPortMappingEntry until 713 (one HTTP request each); list action =');
  console.log('IGD:2 GetListOfPortMappings (one request per protocol). NatScope uses the list action on');
  console.log('WANIPConnection:2 and falls back to per entry (4 in flight) elsewhere.');
} finally {
  await lab.destroy();
}
