// Benchmark (prints numbers; not a test): the full default inbound-call test — idle 15, 30, 60, 90
// and 120 s, the keep-alive check and the STUN comparison — in the lab, against a home router that
// forgets idle flows after `--timeout` seconds (40 by default: no idle time sits on it), over UDP and TCP. Prints each run's
// results next to the router's real timeout (the oracle), how long the run took against the target
// (longest idle time + 10 s), and what the same checks take one after another (the naive way).
// Needs root + Linux + the lab packages, and the built CLI (npm run build:node). About 5 minutes.
//
//   node bench/incoming-default.ts [--timeout 40] [--transports udp,tcp]
import { parseArgs } from 'node:util';
import type { IncomingResult } from '../shared/contracts/incoming.ts';
import { DEFAULT_IDLE_SECONDS } from '../shared/contracts/incoming.ts';
import {
  describeRun,
  natscopeIncoming,
  setConntrackTimeouts,
  startCallbackServer,
} from '../test/lab/incoming-lab.ts';
import { startLab } from '../test/lab/lab.ts';
import { labSupport } from '../test/lab/support.ts';

const { values } = parseArgs({
  options: { timeout: { type: 'string', default: '40' }, transports: { type: 'string', default: 'udp,tcp' } },
});
const support = labSupport();
if (!support.ok) {
  console.error(`bench: ${support.reason}`);
  process.exit(2);
}
const timeout = Number(values.timeout);
const transports = values
  .transports!.split(',')
  .filter((t): t is 'udp' | 'tcp' => t === 'udp' || t === 'tcp');
const longest = Math.max(...DEFAULT_IDLE_SECONDS);
const sequential = DEFAULT_IDLE_SECONDS.reduce((a, b) => a + b, 0) + longest;

const rows: { transport: string; r: IncomingResult; wallMs: number }[] = [];
for (const transport of transports) {
  const lab = await startLab('masquerade', { stund: false });
  try {
    await setConntrackTimeouts(
      lab,
      transport === 'udp' ? { udp: timeout, udpStream: timeout } : { tcpEstablished: timeout },
    );
    await startCallbackServer(lab);
    const t0 = performance.now();
    const r = await natscopeIncoming(
      lab,
      [
        '--server',
        lab.addr.serverPrimary,
        '--transport',
        transport,
        '--stun',
        `${lab.addr.serverPrimary}:${lab.ports.coturn}`,
      ],
      (longest + 60) * 1000,
    );
    rows.push({ transport, r, wallMs: performance.now() - t0 });
    console.error(`[bench] ${describeRun(r)}`);
  } finally {
    await lab.destroy();
  }
}

console.log(
  `\nDefault inbound-call test (idle ${DEFAULT_IDLE_SECONDS.join(', ')} s), router timeout ${timeout} s`,
);
console.log(
  '| transport | per idle time | longest working | first failing | keep-alive check | STUN | test time | whole process | target | one after another |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const { transport, r, wallMs } of rows) {
  const per = r.tests
    .map((t) => `${t.idleSeconds}: ${t.received === null ? t.outcome : t.received ? 'yes' : 'no'}`)
    .join(', ');
  const k = r.keepAlive
    ? `every ${r.keepAlive.intervalSeconds} s, idle ${r.keepAlive.idleSeconds} s: ${r.keepAlive.received ? 'arrived' : 'missed'}`
    : '—';
  const bracketOk =
    (r.longestWorkingIdleSeconds ?? 0) <= timeout && timeout < (r.firstFailingIdleSeconds ?? Infinity)
      ? ''
      : ' (WRONG)';
  console.log(
    `| ${transport} | ${per} | ${r.longestWorkingIdleSeconds ?? '—'} s | ${r.firstFailingIdleSeconds ?? '—'} s${bracketOk} | ${k} | ${r.stun?.agreement ?? '—'} | ${(r.durationMs / 1000).toFixed(1)} s | ${(wallMs / 1000).toFixed(1)} s | ≤ ${longest + 10} s | ${sequential} s |`,
  );
}
