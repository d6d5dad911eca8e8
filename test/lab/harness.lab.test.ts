// The harness itself: isolation, bounded commands, teardown (also on failure), stale-lab
// cleanup, peer-death reporting and the lab CLI.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

import { describeLab } from './describe-lab.ts';
import { LAB_DIR, listLabNamespaces, loadManualLabs, startLab, withLab } from './lab.ts';
import type { Lab } from './lab.ts';
import { procState } from './proc.ts';

describeLab('lab harness', () => {
  it('keeps traffic inside the lab: only lab addresses and routes exist in the namespaces', async () => {
    await withLab('masquerade', { coturn: false, stund: false }, async (lab) => {
      const addrs = await lab.exec('client', ['ip', '-o', '-4', 'addr']);
      expect(addrs.stdout).toMatch(/192\.168\.1\.10\/24/);
      expect(addrs.stdout.match(/inet (\S+)/g)).toEqual(['inet 127.0.0.1/8', 'inet 192.168.1.10/24']);
      const routes = await lab.exec('router', ['ip', '-4', 'route']);
      // no route leaves the lab: every next hop / link is a lab interface
      for (const line of routes.stdout.trim().split('\n')) expect(line).toMatch(/dev (lan0|wan0)/);
      // nothing of the lab appears in the root namespace
      const root = spawnSync('ip', ['-o', 'link'], { encoding: 'utf8' }).stdout;
      expect(root).not.toMatch(/p-server|p-router/);
      // bounded commands
      const slow = await lab.exec('client', 'sleep 5', { timeoutMs: 200 });
      expect(slow.timedOut).toBe(true);
      expect(slow.code).toBeNull();
    });
  });

  it('tears down after success and after a failure, attaching peer logs to the error', async () => {
    let id = '';
    await withLab('full-cone', async (lab) => {
      id = lab.id;
      expect(listLabNamespaces().filter((n) => n.startsWith(id))).toHaveLength(5);
    });
    expect(listLabNamespaces().filter((n) => n.startsWith(id))).toHaveLength(0);
    let caught: unknown;
    try {
      await withLab('double-nat', async (lab) => {
        id = lab.id;
        throw new Error('deliberate');
      });
    } catch (err) {
      caught = err;
    }
    expect(String(caught)).toMatch(/deliberate/);
    expect(String(caught)).toMatch(/--- peer logs/);
    expect(String(caught)).toMatch(/coturn on server/);
    expect(listLabNamespaces().filter((n) => n.startsWith(id))).toHaveLength(0);
  });

  it('removes stale labs of killed runs at start-up, and reports a dead peer with its log', async () => {
    let deadPid = 999_999;
    while (procState(deadPid) !== null) deadPid--;
    const stale = `nslab-${deadPid}-dead01-client`;
    spawnSync('ip', ['netns', 'add', stale]);
    expect(listLabNamespaces()).toContain(stale);
    let lab: Lab | undefined;
    try {
      lab = await startLab('masquerade', { coturn: false });
      expect(listLabNamespaces()).not.toContain(stale);
      const stund = lab.peers.find((p) => p.name === 'stund');
      expect(stund?.alive()).toBe(true);
      await stund?.stop(100, 'SIGKILL');
      expect(() => lab?.assertPeersAlive()).toThrow(/stund on server exited[\s\S]*STUN server version/);
    } finally {
      await lab?.destroy();
      spawnSync('ip', ['netns', 'del', stale]);
    }
  });

  it('lab-cli: up, list, exec and down', async () => {
    if (loadManualLabs().length > 0) return; // someone is exploring by hand: leave it alone
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [join(LAB_DIR, 'lab-cli.ts'), ...args], {
        encoding: 'utf8',
        timeout: 30_000,
      });
    const up = cli('up', 'restricted-cone', '--hairpin', 'on');
    try {
      expect(up.status, up.stderr).toBe(0);
      expect(up.stdout).toMatch(/client\s+nslab-0-[0-9a-f]+-client/);
      expect(up.stdout).toMatch(/router\s+LAN 192\.168\.1\.1\s+WAN 203\.0\.113\.2/);
      const list = cli('list');
      expect(list.stdout).toMatch(/variant=restricted-cone\s+hairpin=on/);
      const ex = cli('exec', 'client', '--', 'stun', '203.0.113.10:3480');
      expect(ex.stdout).toMatch(
        /Independent Mapping, Address Dependent Filter, preserves ports, will hairpin/,
      );
    } finally {
      const down = cli('down');
      expect(down.stdout).toMatch(/removed: .*nslab-0-/);
    }
    expect(listLabNamespaces().filter((n) => n.startsWith('nslab-0-'))).toHaveLength(0);
  });
});
