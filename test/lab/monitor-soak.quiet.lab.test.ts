// The monitor's soak, 2-minute CI version of bench/monitor-soak.ts (the bench runs 30 minutes):
// a 1 s interval with every probe on, in the lab; its retained memory and file descriptors must
// stay flat and a quiet lab must produce no event. A quiet-phase file (one at a time): three busy
// neighbours could make 1 s intervals run late or a probe time out, which this run would count.

import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeLab } from './describe-lab.ts';
import { REPO_ROOT } from './lab.ts';
import { run } from './proc.ts';

describeLab('monitor soak (2 minutes)', () => {
  it('memory and descriptors stay flat at a 1 s interval', async () => {
    const r = await run(
      [
        process.execPath,
        join(REPO_ROOT, 'bench', 'monitor-soak.ts'),
        '--minutes',
        '2',
        '--check',
        '--jitless',
      ],
      { timeoutMs: 300_000, cwd: REPO_ROOT },
    );
    console.log(r.stdout);
    expect(r.code, `${r.stdout}\n${r.stderr.slice(-4000)}`).toBe(0);
    expect(r.stdout).toMatch(/retained JS data after GC .* slope -?\d+\.\d KiB\/min/);
  }, 360_000);
});
