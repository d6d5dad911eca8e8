// A `natscope monitor` process in a lab namespace, read through its history file (the same JSON
// lines a user gets), for the monitor's lab tests, its SIGKILL test and the bench scripts.

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MonitorEvent, MonitorRecord, MonitorSample } from '../../shared/contracts/monitor.ts';
import { parseHistoryLine } from '../../shared/model/monitor/history.ts';
import { NATSCOPE_CLI, type HostName, type Lab, type Peer } from './lab.ts';
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
