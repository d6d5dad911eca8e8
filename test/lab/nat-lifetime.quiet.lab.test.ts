// The binding lifetime measured against the router's real UDP conntrack timeout. The figure is a
// time, so this runs in the quiet lab phase (one file at a time): under load a probe's timer fires late.
import { expect, it } from 'vitest';

import type { NatReport } from '../../shared/contracts/nat.ts';
import { describeLab } from './describe-lab.ts';
import { withLab, type Lab } from './lab.ts';

async function natscope(lab: Lab, args: string[]): Promise<NatReport> {
  const r = await lab.natscope<NatReport>('client', ['nat', ...args]);
  if (!r.json || 'error' in (r.json as object))
    throw new Error(`natscope nat failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r.json;
}

describeLab('natscope nat --lifetime', () => {
  it('measures the router’s UDP timeout (8 s) within 10 %', async () => {
    await withLab('masquerade', { stund: false }, async (lab) => {
      await lab.setUdpTimeout(8, { streamSeconds: 8 });
      const t0 = performance.now();
      const r = await natscope(lab, [
        '--server',
        `${lab.addr.serverPrimary}:${lab.ports.coturn}`,
        '--lifetime',
        '--lifetime-max',
        '30',
      ]);
      const lifetime = r.lifetimeSeconds;
      console.info(
        `[nat.lab] lifetime ${lifetime} s (router UDP timeout 8 s), keep-alive ${r.recommendedKeepAliveSeconds} s, ${Math.round(performance.now() - t0)} ms`,
      );
      expect(lifetime, JSON.stringify(r.servers[0]?.lifetime)).not.toBeNull();
      expect(Math.abs(lifetime! - 8) / 8, `measured ${lifetime} s`).toBeLessThanOrEqual(0.1);
      expect(r.recommendedKeepAliveSeconds).toBeLessThan(8);
      // the parallel ladder stops soon after the first expired mapping
      expect(performance.now() - t0).toBeLessThan(15_000);
    });
  });
});
