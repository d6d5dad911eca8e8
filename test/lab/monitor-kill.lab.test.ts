// The monitor's history survives SIGKILL: killed at random moments (mid-interval, mid-echo-call),
// the file holds only complete, valid records with contiguous sequence numbers, and the next run
// continues it (resumed, no gap, no duplicate) and ends it cleanly.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { MonitorSample } from '../../shared/contracts/monitor.ts';
import { describeLab } from './describe-lab.ts';
import { startLab, type Lab } from './lab.ts';
import { readRecords, startMonitor } from './monitor-process.ts';
import { sleep } from './proc.ts';

describeLab('monitor history after SIGKILL', () => {
  let lab: Lab;

  beforeAll(async () => {
    lab = await startLab('masquerade', { stund: false });
    await lab.startSippEcho();
  });
  afterAll(async () => {
    await lab?.destroy();
  });

  it('is complete and parseable after each kill, and the next run continues it', async () => {
    const server = lab.addr.serverPrimary;
    const history = join(lab.workDir, 'killed.jsonl');
    const args = [
      '--stun-server',
      `${server}:${lab.ports.coturn}`,
      '--interval',
      '1',
      '--echo-uri',
      `sip:echo@${server}:${lab.ports.sip}`,
      '--echo-every',
      '3',
      '--echo-seconds',
      '2',
      '--no-router',
    ];
    let expected = 0;
    for (let run = 0; run < 3; run++) {
      const mon = startMonitor(lab, args, { name: `killed-${run}`, history });
      await mon.waitForSeq(expected + 2, 60_000);
      await sleep(Math.floor(Math.random() * 1500)); // anywhere in an interval or an echo call
      mon.peer.child.kill('SIGKILL');
      await mon.peer.waitExit(5000).catch(() => null);
      const { records, bad } = readRecords(history);
      expect(readFileSync(history, 'utf8').endsWith('\n'), 'no torn last line').toBe(true);
      expect(bad, 'every line is a valid record').toEqual([]);
      const seqs = records.filter((r): r is MonitorSample => r.type === 'interval').map((r) => r.seq);
      expect(seqs, 'contiguous sequence numbers').toEqual(seqs.map((_, i) => i));
      expect(records.filter((r) => r.type === 'start')).toHaveLength(run + 1);
      expect(
        records.filter((r) => r.type === 'stop'),
        'a killed run writes no stop record',
      ).toHaveLength(0);
      expect(existsSync(`${history}.lock`), 'the dead writer left its lock').toBe(true);
      expected = seqs.length;
    }
    // a clean run continues the history: takes over the dead lock, resumes numbering, stops cleanly
    const last = startMonitor(lab, [...args, '--duration', '3'], { name: 'resumed', history });
    expect(await last.peer.waitExit(60_000)).toBe(0);
    const { records, bad } = readRecords(history);
    expect(bad).toEqual([]);
    const starts = records.filter((r) => r.type === 'start');
    expect(starts.at(-1)).toMatchObject({ resumed: true });
    const seqs = records.filter((r): r is MonitorSample => r.type === 'interval').map((r) => r.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i));
    expect(seqs.length).toBeGreaterThan(expected);
    expect(records.at(-1)).toMatchObject({ type: 'stop', reason: 'duration' });
    expect(existsSync(`${history}.lock`)).toBe(false);
    // the summary line covers every run
    const summary = last.peer
      .log()
      .split('\n')
      .map((l) => (l.startsWith('{"type":"summary"') ? JSON.parse(l) : null))
      .find(Boolean);
    expect(summary.summary).toMatchObject({ intervals: seqs.length, runs: 4 });
  });
});
