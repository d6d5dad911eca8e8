// A `natscope monitor` process in a lab namespace, read through its history file (the same JSON
// lines a user gets), for the monitor's lab tests, its SIGKILL test and the bench scripts.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MonitorEvent, MonitorRecord, MonitorSample } from '../../shared/contracts/monitor.ts';
import { parseHistoryLine } from '../../shared/model/monitor/history.ts';
import { NATSCOPE_CLI, startLab, type HostName, type Lab, type Peer } from './lab.ts';
import { waitFor } from './proc.ts';

export interface MonitorProcess {
  peer: Peer;
  history: string;
  stateDir: string;
  /** Every record in the history so far (complete lines only). */
  records(): MonitorRecord[];
  samples(): MonitorSample[];
  events(): MonitorEvent[];
  /** Waits until the history holds an interval with seq ≥ `seq`; returns it. */
  waitForSeq(seq: number, timeoutMs: number): Promise<MonitorSample>;
  /**
   * Runs `change` and returns the events of `kind` reported within two intervals of it: by the first
   * two intervals that started after the change was done (an interval already running may see it
   * too). Waits for both intervals to be written.
   */
  eventsAfter(
    kind: MonitorEvent['kind'],
    change: () => Promise<void>,
    timeoutMs: number,
  ): Promise<ChangeResult>;
}

export interface ChangeResult {
  /** Events of the kind in the window (last interval before the change, first two after). */
  events: MonitorEvent[];
  /** The same kind later than the window (too late) or earlier (unrelated), for failure messages. */
  outside: MonitorEvent[];
  firstAfter: number;
}

export function readRecords(file: string): { records: MonitorRecord[]; bad: string[] } {
  if (!existsSync(file)) return { records: [], bad: [] };
  const text = readFileSync(file, 'utf8');
  const records: MonitorRecord[] = [];
  const bad: string[] = [];
  const lines = text.split('\n');
  // the last element is '' when the file ends with a newline; a non-empty one is a line in progress
  for (const line of lines.slice(0, -1)) {
    const r = parseHistoryLine(line);
    if (r) records.push(r);
    else bad.push(line);
  }
  return { records, bad };
}

export function startMonitor(
  lab: Lab,
  args: string[],
  o: { host?: HostName; name?: string; stateDir?: string; history?: string } = {},
): MonitorProcess {
  const stateDir = o.stateDir ?? join(lab.workDir, 'natscope-state');
  mkdirSync(stateDir, { recursive: true });
  const history = o.history ?? join(lab.workDir, `${o.name ?? 'monitor'}.jsonl`);
  const peer = lab.spawn(o.host ?? 'client', o.name ?? 'natscope-monitor', [
    'env',
    `NATSCOPE_STATE_DIR=${stateDir}`,
    process.execPath,
    NATSCOPE_CLI,
    'monitor',
    '--history',
    history,
    '--json',
    ...args,
  ]);
  const records = () => readRecords(history).records;
  const samples = () => records().filter((r): r is MonitorSample => r.type === 'interval');
  return {
    peer,
    history,
    stateDir,
    records,
    samples,
    events: () => records().filter((r): r is MonitorEvent => r.type === 'event'),
    async waitForSeq(seq, timeoutMs) {
      return waitFor(
        `monitor interval #${seq}`,
        () => {
          if (peer.exited)
            throw new Error(`monitor exited (${peer.exitCode ?? peer.exitSignal}):\n${peer.log()}`);
          return samples().find((s) => s.seq >= seq);
        },
        timeoutMs,
        100,
      );
    },
    async eventsAfter(kind, change, timeoutMs) {
      const before = samples().at(-1)?.seq ?? -1;
      await change();
      const doneAt = Date.now();
      const first = await this.waitForSeq(before + 1, timeoutMs).then(() =>
        waitFor(
          'an interval that started after the change',
          () => samples().find((s) => Date.parse(s.at) > doneAt),
          timeoutMs,
          100,
        ),
      );
      await this.waitForSeq(first.seq + 1, timeoutMs);
      const all = this.events().filter((e) => e.kind === kind);
      const inWindow = (e: MonitorEvent) => e.seq > before && e.seq <= first.seq + 1;
      return {
        events: all.filter(inWindow),
        outside: all.filter((e) => !inWindow(e)),
        firstAfter: first.seq,
      };
    },
  };
}

export interface MonitorLab {
  lab: Lab;
  /** NATSCOPE_STATE_DIR for the monitor (its ledger holds NatScope's own UPnP mapping). */
  stateDir: string;
  /** Monitor options for every probe: STUN (coturn), registration (SIPp), echo (SIPp). */
  args(o: { intervalSec: number; echoEvery: number; echoSeconds: number }): string[];
  /** The same as monitor service input (in-process runs). */
  input(o: { intervalSec: number; echoEvery: number; echoSeconds: number }): Record<string, unknown>;
}

const SIP_USER = 'alice';
const SIP_PASSWORD = 'wonderland';

/**
 * A masquerade lab with everything the monitor watches: coturn, miniupnpd (daemon uptime, so a
 * restart looks like a reboot), a SIPp registrar that answers refreshes, a SIPp echo, and one UPnP
 * mapping NatScope made and kept (`map add --keep`).
 */
export async function startMonitorLab(): Promise<MonitorLab> {
  const lab = await startLab('masquerade', { upnp: { daemonUptime: true }, stund: false });
  try {
    await lab.startSippRegistrar(SIP_USER, SIP_PASSWORD, { refreshes: true });
    await lab.startSippEcho();
    const stateDir = join(lab.workDir, 'natscope-state');
    const map = await lab.exec(
      'client',
      [
        'env',
        `NATSCOPE_STATE_DIR=${stateDir}`,
        process.execPath,
        NATSCOPE_CLI,
        ...'map add --via upnp --protocol udp --external-port 40000 --internal-port 40000 --lease 3600 --keep --yes --json'.split(
          ' ',
        ),
      ],
      { timeoutMs: 30_000 },
    );
    if (map.code !== 0) throw new Error(`natscope map add failed: ${map.stderr}${map.stdout}`);
    const pass = join(lab.workDir, 'sip-password');
    writeFileSync(pass, `${SIP_PASSWORD}\n`, { mode: 0o600 });
    const server = lab.addr.serverPrimary;
    return {
      lab,
      stateDir,
      args: (o) => [
        ...['--stun-server', `${server}:${lab.ports.coturn}`, '--interval', String(o.intervalSec)],
        ...['--registrar', `${server}:${lab.ports.registrar}`, '--user', SIP_USER, '--password-file', pass],
        ...['--echo-uri', `sip:echo@${server}:${lab.ports.sip}`, '--echo-every', String(o.echoEvery)],
        ...['--echo-seconds', String(o.echoSeconds)],
      ],
      input: (o) => ({
        stunServer: `${server}:${lab.ports.coturn}`,
        intervalSec: o.intervalSec,
        account: {
          registrar: `${server}:${lab.ports.registrar}`,
          username: SIP_USER,
          password: SIP_PASSWORD,
        },
        echoUri: `sip:echo@${server}:${lab.ports.sip}`,
        echoEvery: o.echoEvery,
        echoSeconds: o.echoSeconds,
      }),
    };
  } catch (err) {
    await lab.destroy();
    throw err;
  }
}

/** A monitor lab with `natscope monitor` already running in it and three intervals written. */
export async function startWatchedLab(o: {
  intervalSec: number;
  echoEvery: number;
  echoSeconds: number;
  waitMs: number;
}): Promise<{ lab: Lab; mon: MonitorProcess }> {
  const world = await startMonitorLab();
  const mon = startMonitor(world.lab, world.args(o), { stateDir: world.stateDir });
  try {
    await mon.waitForSeq(3, o.waitMs);
  } catch (err) {
    await mon.peer.stop(8000, 'SIGINT');
    await world.lab.destroy();
    throw err;
  }
  return { lab: world.lab, mon };
}
