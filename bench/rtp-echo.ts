// RTP echo benchmark (issue #19; prints numbers, not a test): the CPU `natscope server`'s echo UAS
// spends per stream-second next to SIPp's RTP echo (`sipp -rtp_echo`), in the same run. Needs root,
// Linux, a C compiler, taskset, SIPp (sip-tester) and the built CLI (npm run build:node).
//
//   node bench/rtp-echo.ts [--calls 32] [--seconds 20] [--reps 3] [--markdown]
//   node bench/rtp-echo.ts --quick        # a few seconds
//
// In a network namespace of its own. Both echoes are pinned to core 0, the stream generator
// (load-gen/rtpload.c: G.711, 20 ms, 160-byte payloads, 50 packets/s per stream, one socket per
// stream) to core 1. natscope gets --calls real calls: INVITEs over TCP (TCP needs no
// return-routability challenge), one per source address 127.0.1.x (its fair-share cap), each
// stream sent from its call's address to the media port its 200 OK named. SIPp echoes whatever
// reaches its media port (-mp), so its streams all go there. CPU is utime+stime from /proc over the
// streaming only; loss is what did not come back. Figures are medians over the repetitions.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import net from 'node:net';
import { parseArgs } from 'node:util';
import {
  CLI,
  compileLoadGen,
  cpuSeconds,
  inOwnNamespace,
  median,
  runOnCore1,
  sleep,
  stopChild,
} from './load-gen/bench-host.ts';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '32' },
    seconds: { type: 'string', default: '20' },
    reps: { type: 'string', default: '3' },
    quick: { type: 'boolean', default: false },
    markdown: { type: 'boolean', default: false },
  },
});
const QUICK = values.quick === true;
const CALLS = Math.min(32, Math.max(1, Number(values.calls)));
const SECONDS = QUICK ? 3 : Math.max(2, Number(values.seconds));
const REPS = QUICK ? 1 : Math.max(1, Number(values.reps));
inOwnNamespace(import.meta.filename, 'rtp', ['sipp']);
const [LOADGEN, work] = compileLoadGen('rtpload');

function startPinned(cmd: string[]): { child: ChildProcess; log: () => string } {
  const child = spawn('taskset', ['-c', '0', ...cmd], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => (out = (out + d.toString('latin1')).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return { child, log: () => out };
}
const stop = stopChild;
async function waitFor(what: string, ok: () => boolean, log: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (ok()) return;
    await sleep(100);
  }
  throw new Error(`${what} did not start\n${log().slice(-2000)}`);
}

interface StreamResult {
  streams: number;
  sent: number;
  received: number;
  lossPercent: number;
  worstStreamLossPercent: number;
}
/** Streams for SECONDS from core 1; returns the generator's figures and the echo's CPU meanwhile. */
async function stream(pid: number, args: string[]): Promise<StreamResult & { cpuMsPerStreamSecond: number }> {
  const cpu0 = cpuSeconds(pid);
  const out = await runOnCore1(LOADGEN, ['--seconds', String(SECONDS), ...args]);
  const cpu = cpuSeconds(pid) - cpu0;
  const res = JSON.parse(out) as StreamResult;
  return { ...res, cpuMsPerStreamSecond: (cpu * 1000) / (res.streams * SECONDS) };
}

/** One call to natscope's echo UAS over TCP from `source`; resolves with its media port. */
function call(source: string, n: number, conns: net.Socket[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.2', port: 5060, localAddress: source });
    conns.push(sock);
    const sdp = `v=0\r\no=b ${n} 1 IN IP4 ${source}\r\ns=-\r\nc=IN IP4 ${source}\r\nt=0 0\r\nm=audio ${20000 + n * 2} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n`;
    const head = (method: string, cseq: number, extra = '') =>
      `${method} sip:echo@127.0.0.2 SIP/2.0\r\nVia: SIP/2.0/TCP ${source};branch=z9hG4bKbench${n}${method}\r\n` +
      `Max-Forwards: 70\r\nFrom: <sip:bench@${source}>;tag=b${n}\r\nTo: <sip:echo@127.0.0.2>${extra}\r\n` +
      `Call-ID: bench-${n}@${source}\r\nCSeq: ${cseq} ${method}\r\nContact: <sip:bench@${source};transport=tcp>\r\n`;
    sock.on('connect', () =>
      sock.write(
        `${head('INVITE', 1)}Content-Type: application/sdp\r\nContent-Length: ${sdp.length}\r\n\r\n${sdp}`,
      ),
    );
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      // the final response (a 100 Trying may come first)
      const status = /^SIP\/2\.0 ([2-6]\d\d)/m.exec(buf);
      if (!status || !buf.includes('\r\n\r\n', status.index)) return;
      const port = /m=audio (\d+)/.exec(buf);
      if (status[1] === '200' && !port) return; // the body is still on its way
      const toTag = /^To:.*?(;tag=[^\s;]+)/im.exec(buf);
      if (status[1] !== '200' || !port || !toTag)
        return reject(new Error(`call ${n}: ${buf.split('\r\n')[0]}`));
      sock.write(`${head('ACK', 1, toTag[1])}Content-Length: 0\r\n\r\n`);
      resolve(Number(port[1]));
    });
    sock.on('error', reject);
  });
}

type Sample = { cpuMsPerStreamSecond: number; lossPercent: number; worstStreamLossPercent: number };
const samples: Record<'natscope' | 'sipp', Sample[]> = { natscope: [], sipp: [] };

async function runNatscope(): Promise<void> {
  const s = startPinned([
    process.execPath,
    CLI,
    'server',
    '--address',
    '127.0.0.2',
    '--no-stun',
    '--log-level',
    'warn',
  ]);
  const conns: net.Socket[] = [];
  try {
    await waitFor('natscope server', () => /SIP/.test(s.log()), s.log);
    const dests: string[] = [];
    for (let n = 0; n < CALLS; n++) {
      // one call per source: past half its slots the server gives a source no second call (fair share)
      const source = `127.0.1.${n + 1}`;
      dests.push('--dest', `127.0.0.2:${await call(source, n, conns)}/${source}`);
    }
    await sleep(300);
    const r = await stream(s.child.pid!, dests);
    samples.natscope.push(r);
    console.error(
      `natscope: ${r.cpuMsPerStreamSecond.toFixed(3)} ms CPU per stream-second, loss ${r.lossPercent} %`,
    );
  } finally {
    for (const c of conns) c.destroy();
    await stop(s.child);
  }
}

async function runSipp(): Promise<void> {
  const s = startPinned([
    'sipp',
    '-sn',
    'uas',
    '-i',
    '127.0.0.3',
    '-p',
    '5060',
    '-mi',
    '127.0.0.3',
    '-mp',
    '6000',
    '-rtp_echo',
    '-bg',
    '-nostdin',
  ]);
  // -bg forks: measure the daemon, found by its listening port
  let pid = 0;
  try {
    await waitFor(
      'sipp',
      () => {
        const ss = spawnSync('ss', ['-Hulnp', 'sport = :6000'], { encoding: 'utf8' }).stdout;
        pid = Number(/pid=(\d+)/.exec(ss)?.[1] ?? 0);
        return pid > 0;
      },
      s.log,
    );
    await sleep(300);
    const r = await stream(pid, [
      '--source',
      '127.0.1.1',
      '--dest-all',
      '127.0.0.3:6000',
      '--streams',
      String(CALLS),
    ]);
    samples.sipp.push(r);
    console.error(
      `sipp: ${r.cpuMsPerStreamSecond.toFixed(3)} ms CPU per stream-second, loss ${r.lossPercent} %`,
    );
  } finally {
    if (pid) process.kill(pid, 'SIGTERM');
    await stop(s.child);
  }
}

try {
  for (let rep = 0; rep < REPS; rep++) {
    const order = rep % 2 === 0 ? [runNatscope, runSipp] : [runSipp, runNatscope];
    for (const run of order) await run();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const summary = Object.fromEntries(
  Object.entries(samples).map(([name, xs]) => [
    name,
    {
      cpuMsPerStreamSecond: +median(xs.map((x) => x.cpuMsPerStreamSecond)).toFixed(3),
      lossPercent: Math.max(...xs.map((x) => x.lossPercent)),
      worstStreamLossPercent: Math.max(...xs.map((x) => x.worstStreamLossPercent)),
    },
  ]),
) as Record<
  'natscope' | 'sipp',
  { cpuMsPerStreamSecond: number; lossPercent: number; worstStreamLossPercent: number }
>;
const ratio = +(summary.natscope.cpuMsPerStreamSecond / summary.sipp.cpuMsPerStreamSecond).toFixed(2);
console.log(
  JSON.stringify({ calls: CALLS, seconds: SECONDS, reps: REPS, ...summary, natscopeVsSipp: ratio }, null, 2),
);
if (values.markdown)
  console.log(
    `\n| RTP echo, ${CALLS} calls | natscope | SIPp -rtp_echo |\n| --- | --- | --- |\n` +
      `| CPU ms per stream-second | ${summary.natscope.cpuMsPerStreamSecond} | ${summary.sipp.cpuMsPerStreamSecond} |\n` +
      `| loss (worst stream) | ${summary.natscope.lossPercent} % (${summary.natscope.worstStreamLossPercent} %) | ${summary.sipp.lossPercent} % (${summary.sipp.worstStreamLossPercent} %) |`,
  );
