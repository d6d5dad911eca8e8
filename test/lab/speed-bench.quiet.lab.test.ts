// Issue #19: the CI version of the speed benchmarks (seconds, not minutes). bench/stun-load.ts and
// bench/rtp-echo.ts run with --quick against the real references (coturn, SIPp); this checks that
// they run and measure what they claim — every server answered, the echo came back, the figures are
// numbers — never the speed itself: a loaded CI machine cannot judge that (the full runs print the
// ratios; README "Capacity"). A quiet-phase file: it loads both cores for a few seconds, which would
// disturb the timing-sensitive files running beside it in the parallel phase.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeLab } from './describe-lab.ts';

const ROOT = join(import.meta.dirname, '..', '..');
function bench(script: string, args: string[]): Record<string, unknown> {
  const r = spawnSync(process.execPath, [join(ROOT, 'bench', script), ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(r.status, `${script}: ${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as Record<string, unknown>;
}

describeLab('speed benchmarks, short (issue #19)', () => {
  it('bench/stun-load.ts --quick: natscope server and coturn answer the many-source load', () => {
    const out = bench('stun-load.ts', ['--quick', '--only', 'natscope,coturn']);
    // the figures are of the batched path (recvmmsg): CI installs what build:node compiles it with
    expect(out.natscopeIo).toBe('recvmmsg');
    const servers = out.servers as Record<string, Record<string, number>>;
    for (const name of ['natscope', 'coturn']) {
      const s = servers[name]!;
      expect(s.saturationPerSec, name).toBeGreaterThan(0);
      expect(s.cpuUsPerAnswerAt40k, name).toBeGreaterThan(0);
      expect(s.rssIdleMiB, name).toBeGreaterThan(0);
    }
    expect(typeof servers.natscope!.gcPauseMaxMsAt40k).toBe('number');
    expect((out.ratios as Record<string, number>).saturationVsCoturn).toBeGreaterThan(0);
  }, 150_000);

  it('bench/rtp-echo.ts --quick: 32 calls echoed by natscope server and SIPp', () => {
    const out = bench('rtp-echo.ts', ['--quick']);
    for (const name of ['natscope', 'sipp']) {
      const s = out[name] as Record<string, number>;
      expect(s.cpuMsPerStreamSecond, name).toBeGreaterThan(0);
      // most of the media came back (a loaded machine may lose the last packets of a 3 s run)
      expect(s.lossPercent, name).toBeLessThan(50);
    }
  }, 150_000);
});
