// Benchmark of the echo-test RTP engine (electron/engine/rtp): CPU time per stream-second at
// 50 packets/s, and how many concurrent echo streams one core (Node's single main thread)
// sustains without loss. The echo is SIPp's own -rtp_echo on loopback, whose CPU time is read
// from /proc in the same run and printed next to ours.
//
//   node bench/rtp-engine.ts [--seconds 10] [--max-streams 1600]
//
// Loopback only. Needs `sipp` (Debian package sip-tester) on PATH.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { systemClock, sleep } from '../electron/engine/clock/clock.ts';
import { nodeNetwork } from '../electron/engine/net/node-network.ts';
import { testSignalSource } from '../electron/engine/rtp/audio-source.ts';
import { bindRtpPair } from '../electron/engine/rtp/port-pair.ts';
import { RtpSession } from '../electron/engine/rtp/rtp-session.ts';

const args = new Map<string, string>();
for (let i = 2; i + 1 < process.argv.length; i += 2)
  args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1]!);
const SECONDS = Number(args.get('seconds') ?? 10);
const MAX_STREAMS = Number(args.get('max-streams') ?? 1600);
const ECHO = { address: '127.0.0.1', port: 6390 };
const CLK_TCK = 100; // USER_HZ on Linux

function procCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK; // utime + stime
}

async function startSipp(): Promise<{ pid: number; stop(): void }> {
  const p = spawn(
    'sipp',
    [
      '-sn',
      'uas',
      '-rtp_echo',
      '-i',
      '127.0.0.1',
      '-p',
      '5099',
      '-mi',
      ECHO.address,
      '-mp',
      String(ECHO.port),
      '-nostdin',
    ],
    { stdio: 'ignore' },
  );
  await new Promise((r) => setTimeout(r, 1000));
  if (p.exitCode !== null || p.pid === undefined)
    throw new Error('sipp did not start (is sip-tester installed?)');
  return { pid: p.pid, stop: () => void p.kill('SIGTERM') };
}

interface RunResult {
  streams: number;
  seconds: number;
  sent: number;
  received: number;
  lossPercent: number;
  cpuMs: number;
  sippCpuMs: number;
  lateTicks: number;
}

async function run(streams: number, seconds: number, sippPid: number): Promise<RunResult> {
  const sessions: RtpSession[] = [];
  const pairs: { rtp: { close(): Promise<void> }; rtcp: { close(): Promise<void> } }[] = [];
  for (let i = 0; i < streams; i++) {
    const pair = await bindRtpPair(nodeNetwork, {
      address: '127.0.0.1',
      range: { start: 20000, end: 60000 },
    });
    pairs.push(pair);
    sessions.push(
      new RtpSession({
        rtp: pair.rtp,
        rtcp: pair.rtcp,
        clock: systemClock,
        law: 'pcmu',
        payloadType: 0,
        remoteRtp: ECHO,
        remoteRtcp: { ...ECHO, port: ECHO.port + 1 },
        source: testSignalSource,
      }),
    );
  }
  // Event-loop lag: a 20 ms tick that fires > 10 ms late means the core is saturated.
  let lateTicks = 0;
  let expected = performance.now() + 20;
  const lag = setInterval(() => {
    const now = performance.now();
    if (now - expected > 10) lateTicks++;
    expected = now + 20;
  }, 20);
  const cpu0 = process.cpuUsage();
  const sipp0 = procCpuMs(sippPid);
  for (const s of sessions) s.start();
  await sleep(systemClock, seconds * 1000);
  const cpu = process.cpuUsage(cpu0);
  const sippCpu = procCpuMs(sippPid) - sipp0;
  for (const s of sessions) await s.stop();
  clearInterval(lag);
  await sleep(systemClock, 500);
  let sent = 0;
  let received = 0;
  for (const s of sessions) {
    const st = s.snapshot(0);
    sent += st.sent;
    received += st.received;
    s.detach();
  }
  for (const p of pairs) {
    await p.rtp.close();
    await p.rtcp.close();
  }
  return {
    streams,
    seconds,
    sent,
    received,
    lossPercent: sent ? (100 * (sent - received)) / sent : 0,
    cpuMs: (cpu.user + cpu.system) / 1000,
    sippCpuMs: sippCpu,
    lateTicks,
  };
}

const sipp = await startSipp();
try {
  console.log(
    `NatScope RTP engine benchmark — Node ${process.versions.node}, load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  const base = await run(20, SECONDS, sipp.pid);
  const perStreamSec = base.cpuMs / (base.streams * base.seconds);
  const sippPerStreamSec = base.sippCpuMs / (base.streams * base.seconds);
  console.log(
    `\nCPU per stream-second at 50 packets/s (20 streams × ${SECONDS} s, sending + receiving + stats + markers):`,
  );
  console.log(
    `  NatScope RTP engine: ${perStreamSec.toFixed(3)} ms  (${((100 * perStreamSec) / 1000).toFixed(3)} % of a core per stream)`,
  );
  console.log(
    `  SIPp -rtp_echo:      ${sippPerStreamSec.toFixed(3)} ms  (echo only, same streams, same run)`,
  );
  console.log(`  loss ${base.lossPercent.toFixed(3)} %`);
  console.log(
    '\nConcurrent echo streams (loss-free = < 0.1 % of packets not echoed back; late ticks = 20 ms timer > 10 ms late):',
  );
  console.log('streams  sent     received  loss %   NatScope CPU %  SIPp CPU %  late ticks');
  let best = 0;
  for (let n = 50; n <= MAX_STREAMS; n *= 2) {
    const r = await run(n, Math.min(SECONDS, 5), sipp.pid);
    const ok = r.lossPercent < 0.1;
    console.log(
      `${String(n).padEnd(8)} ${String(r.sent).padEnd(8)} ${String(r.received).padEnd(9)} ${r.lossPercent.toFixed(3).padEnd(8)} ${((100 * r.cpuMs) / (r.seconds * 1000)).toFixed(1).padEnd(15)} ${((100 * r.sippCpuMs) / (r.seconds * 1000)).toFixed(1).padEnd(11)} ${r.lateTicks}`,
    );
    if (!ok) break;
    best = n;
  }
  console.log(
    `\nSustained without loss on one core: ${best} concurrent echo streams (at 50 packets/s each; limit reached at the next step or by --max-streams ${MAX_STREAMS}).`,
  );
  console.log(
    `Estimate from CPU/stream-second: ${Math.floor(1000 / perStreamSec)} streams per fully used core.`,
  );
} finally {
  sipp.stop();
}
