// Running `natscope call` in a lab namespace the way a user does, and reading what it said:
// the JSON result, the exit code, the wall-clock time the whole command took, and the times of
// the state lines it printed on stderr ("[1.2s] failed — …").
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { CallResult } from '../../shared/contracts/call.ts';
import { SIPP_DIR } from './lab.ts';
import type { HostName, Lab } from './lab.ts';

export interface CallRun {
  result: CallResult;
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall-clock time of the whole command (node start-up included), ms. */
  wallMs: number;
  /** First time (s since the test started, as printed) each state was reported. */
  states: Map<string, number>;
  /** Live findings printed while the call ran ("  ! …" lines). */
  liveFindings: string[];
}

export async function runCall(
  lab: Lab,
  target: string,
  args: string[],
  o: { host?: HostName; timeoutMs?: number } = {},
): Promise<CallRun> {
  const t0 = Date.now();
  const r = await lab.natscope<CallResult>(o.host ?? 'client', ['call', target, ...args], {
    timeoutMs: o.timeoutMs ?? 90_000,
  });
  const wallMs = Date.now() - t0;
  if (!r.json || !('target' in (r.json as object)))
    throw new Error(
      `natscope call ${target} gave no call result (exit ${r.code}${r.timedOut ? ', killed after the timeout' : ''}, ${wallMs} ms):\n${r.stderr}\n${r.stdout}`,
    );
  const states = new Map<string, number>();
  for (const m of r.stderr.matchAll(/^\[(\d+(?:\.\d+)?)s\] ([a-z-]+)/gm))
    if (!states.has(m[2]!)) states.set(m[2]!, Number(m[1]));
  const liveFindings = [...r.stderr.matchAll(/^ {2}! (.*)$/gm)].map((m) => m[1]!);
  return { result: r.json, code: r.code, stdout: r.stdout, stderr: r.stderr, wallMs, states, liveFindings };
}

/** Runs `natscope call` expecting it to fail before any call result (an error document). */
export async function runCallError(
  lab: Lab,
  target: string,
  args: string[],
  o: { host?: HostName; timeoutMs?: number } = {},
): Promise<{
  code: number | null;
  error: { code: string; message: string } | null;
  wallMs: number;
  timedOut: boolean;
  stderr: string;
}> {
  const t0 = Date.now();
  const r = await lab.natscope<{ error?: { code: string; message: string } }>(
    o.host ?? 'client',
    ['call', target, ...args],
    { timeoutMs: o.timeoutMs ?? 30_000 },
  );
  return {
    code: r.code,
    error: r.json?.error ?? null,
    wallMs: Date.now() - t0,
    timedOut: r.timedOut,
    stderr: r.stderr,
  };
}

/** Findings by code. */
export function finding(r: CallResult, code: string) {
  return r.findings.find((f) => f.code === code);
}

/** An nftables table of our own in a host's namespace for the duration of `fn`. */
export async function withNftTable<T>(
  lab: Lab,
  host: HostName,
  name: string,
  body: string,
  fn: () => Promise<T>,
): Promise<T> {
  await lab.nft(host, `table inet ${name} {\n${body}\n}\n`);
  try {
    return await fn();
  } finally {
    await lab.nft(host, `delete table inet ${name}\n`);
  }
}

/**
 * SIPp's echo UAS (uas-echo.xml, -rtp_echo on the server's port 6000) behind the lab's delay relay
 * on server2: its SDP names the relay, so media goes out and back through `delayMs` each way.
 */
export async function startRelayedSippEcho(
  lab: Lab,
  o: { delayMs: number; jitterMs?: number; sipPort: number },
): Promise<{ address: string; port: number }> {
  const relay = { address: lab.addr.server2, port: 7000 };
  await lab.startRelay('server2', {
    listen: `${relay.address}:${relay.port}`,
    to: `${lab.addr.serverPrimary}:6000`,
    delayMs: o.delayMs,
    jitterMs: o.jitterMs,
  });
  const scenario = readFileSync(join(SIPP_DIR, 'uas-echo.xml'), 'utf8')
    .replace('c=IN IP[media_ip_type] [media_ip]', `c=IN IP4 ${relay.address}`)
    .replace('m=audio [media_port]', `m=audio ${relay.port}`);
  const path = join(lab.workDir, `uas-echo-relay-${o.sipPort}.xml`);
  writeFileSync(path, scenario);
  await lab.startSipp('server', {
    scenario: path,
    port: o.sipPort,
    name: 'sipp-uas-relay',
    args: ['-rtp_echo', '-mi', lab.addr.serverPrimary, '-mp', '6000'],
  });
  return relay;
}
