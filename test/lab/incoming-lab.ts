// The inbound-call test in the lab: the home router's connection-tracking timeouts (per network
// namespace, so each lab has its own), `natscope server` as the peer that calls back (its STUN is
// left to coturn, the real RFC 5780 peer the STUN comparison runs against), `natscope incoming`
// on the client, and what conntrack itself says about a flow (the oracle for "is it still open").
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IncomingResult } from '../../shared/contracts/incoming.ts';
import { NATSCOPE_CLI, REPO_ROOT, type HostName, type Lab, type Peer } from './lab.ts';

export interface ConntrackTimeouts {
  /** nf_conntrack_udp_timeout: a UDP flow seen one way (or within its first 2 s). */
  udp?: number;
  /** nf_conntrack_udp_timeout_stream: a UDP flow with traffic both ways for more than 2 s. */
  udpStream?: number;
  /** nf_conntrack_tcp_timeout_established. */
  tcpEstablished?: number;
}

/** Sets the router's conntrack timeouts (they are per network namespace). */
export async function setConntrackTimeouts(
  lab: Lab,
  t: ConntrackTimeouts,
  host: HostName = 'router',
): Promise<void> {
  const args: string[] = [];
  if (t.udp !== undefined) args.push(`net.netfilter.nf_conntrack_udp_timeout=${t.udp}`);
  if (t.udpStream !== undefined) args.push(`net.netfilter.nf_conntrack_udp_timeout_stream=${t.udpStream}`);
  if (t.tcpEstablished !== undefined)
    args.push(`net.netfilter.nf_conntrack_tcp_timeout_established=${t.tcpEstablished}`);
  const r = await lab.exec(host, ['sysctl', '-qw', ...args], { timeoutMs: 5000 });
  if (r.code !== 0) throw new Error(`sysctl ${args.join(' ')} failed: ${r.stderr}`);
}

/** `natscope server` on the server's primary address, SIP on 5060 (UDP + TCP), no STUN (coturn has 3478). */
export async function startCallbackServer(lab: Lab): Promise<Peer> {
  const p = lab.spawn('server', 'natscope-server', [
    process.execPath,
    NATSCOPE_CLI,
    'server',
    '--address',
    lab.addr.serverPrimary,
    '--no-stun',
    '--sip-port',
    '5060',
    '--log-level',
    'info',
  ]);
  await lab.waitReady(
    p,
    [
      { proto: 'udp', port: 5060 },
      { proto: 'tcp', port: 5060 },
    ],
    20_000,
  );
  return p;
}

/** `natscope incoming …` on the client; fails with its output when no result document came back. */
export async function natscopeIncoming(lab: Lab, args: string[], timeoutMs: number): Promise<IncomingResult> {
  const r = await lab.natscope<IncomingResult>('client', ['incoming', ...args], { timeoutMs });
  if (!r.json || 'error' in (r.json as object))
    throw new Error(`natscope incoming failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r.json;
}

/** One line per probe, for the test log. */
export function describeRun(r: IncomingResult): string {
  const t = r.tests.map(
    (x) => `${x.idleSeconds}s ${x.received === null ? x.outcome : x.received ? 'ok' : 'NO'}`,
  );
  const k = r.keepAlive
    ? `; keep-alive ${r.keepAlive.method} every ${r.keepAlive.intervalSeconds}s, idle ${r.keepAlive.idleSeconds}s: ${r.keepAlive.received ? 'ok' : 'NO'} (${r.keepAlive.sent} sent, ${r.keepAlive.pongs} pongs)`
    : '';
  const s = r.stun ? `; STUN ${r.stun.agreement}: ${r.stun.summary.join(' | ')}` : '';
  const sec = (v: number | null) => (v === null ? '—' : `${v}s`);
  return `${r.transport} ${t.join(', ')} → longest ${sec(r.longestWorkingIdleSeconds)}, first failing ${sec(r.firstFailingIdleSeconds)}, keep-alive ${sec(r.recommendedKeepAliveSeconds)}${k}${s}; ${(r.durationMs / 1000).toFixed(1)} s`;
}

/** The router's conntrack entries for a protocol and destination port (`conntrack -L`). */
export async function conntrackEntries(lab: Lab, proto: 'udp' | 'tcp', dport: number): Promise<string[]> {
  const r = await lab.exec('router', ['conntrack', '-L', '-p', proto, '--dport', String(dport)], {
    timeoutMs: 5000,
  });
  return r.stdout.split('\n').filter((l) => l.includes(`dport=${dport}`));
}

/** A running `natscope incoming`: its JSON goes to a file, its progress (the prompt) to the log. */
export interface RunningIncoming {
  peer: Peer;
  waitForPrompt(timeoutMs: number): Promise<void>;
  result(timeoutMs: number): Promise<IncomingResult>;
}

export function spawnIncoming(lab: Lab, args: string[], name = 'natscope-incoming'): RunningIncoming {
  const out = join(lab.workDir, `${name}.json`);
  const cmd = [process.execPath, NATSCOPE_CLI, 'incoming', ...args, '--json'].map(shellQuote).join(' ');
  const peer = lab.spawn('client', name, ['sh', '-c', `${cmd} > ${shellQuote(out)}`], { cwd: REPO_ROOT });
  return {
    peer,
    async waitForPrompt(timeoutMs) {
      const t0 = Date.now();
      while (!peer.log().includes('>>> Call ')) {
        if (peer.exited)
          throw new Error(`natscope incoming ended before asking for the call:\n${peer.log()}`);
        if (Date.now() - t0 > timeoutMs) throw new Error(`no prompt within ${timeoutMs} ms:\n${peer.log()}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async result(timeoutMs) {
      await peer.waitExit(timeoutMs);
      const text = readFileSync(out, 'utf8');
      const r = JSON.parse(text) as IncomingResult | { error: unknown };
      if ('error' in r) throw new Error(`natscope incoming failed: ${text}\n${peer.log()}`);
      return r;
    },
  };
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
