// A slow, endless-feeling UPnP table (issue #18 item 8) against a real miniupnpd behind a delaying
// HTTP proxy: the listing stops at its time budget and says the table is partial. Its figures are
// times, so it runs in the quiet lab phase (one file at a time), not beside three busy lab files.
import { join } from 'node:path';
import { expect, it } from 'vitest';

import { describeLab } from './describe-lab.ts';
import { NATSCOPE_CLI, REPO_ROOT, withLab } from './lab.ts';
import { upnpc } from './reference.ts';
import { natscopeEnv, ns, type RouterDoc } from './router-cli.ts';

describeLab('router: a slow UPnP table', () => {
  it('a slow table (miniupnpd as IGD:1 behind a 400 ms HTTP delay) is cut at the time budget and shown partial', async () => {
    await withLab('masquerade', { upnp: { igdV1: true }, stund: false }, async (lab) => {
      // 36 real mappings, made with the reference client straight on miniupnpd (one upnpc -r).
      const ports = Array.from({ length: 36 }, (_, i) => 41000 + i);
      const made = await upnpc(lab, ['-e', 'slow table', '-r', ...ports.flatMap((p) => [`${p}`, 'UDP'])], {
        discover: false,
      });
      expect(made.code, made.out).toBe(0);
      // The same router, every answer held 400 ms: entry by entry (IGD:1), 4 in flight, 36 rows
      // take at least 9 × 400 ms = 3.6 s, so a 2 s budget always cuts the listing.
      const slowPort = 5080;
      const proxy = lab.spawn('router', 'slow-http-proxy', [
        process.execPath,
        join(REPO_ROOT, 'test/lab/tools/slow-http-proxy.ts'),
        `${lab.addr.routerLan}:${slowPort}`,
        `${lab.addr.routerLan}:${lab.ports.upnpHttp}`,
        '400',
      ]);
      await lab.waitReady(proxy, [{ proto: 'tcp', port: slowPort }]);
      const igdUrl = `http://${lab.addr.routerLan}:${slowPort}/rootDesc.xml`;
      const rows = (doc: RouterDoc) => doc.upnp.mappings.map((m) => m.externalPort);

      const cut = await ns<
        RouterDoc & { upnp: { mappingsPartial: boolean; mappingsPartialReason: string | null } }
      >(lab, ['router', '--igd-url', igdUrl, '--list-budget', '2']);
      expect(cut.code, cut.stderr).toBe(0);
      expect(cut.json!.upnp.igdVersion).toBe(1);
      expect(cut.json!.upnp.mappingsPartial).toBe(true);
      expect(cut.json!.upnp.mappingsPartialReason).toMatch(/2 s time budget for the table; \d+ entries read/);
      // What was read is real: a prefix of miniupnpd's table, nothing invented.
      expect(rows(cut.json!).length).toBeGreaterThan(0);
      expect(rows(cut.json!).length).toBeLessThan(ports.length);
      expect(ports).toEqual(expect.arrayContaining(rows(cut.json!)));

      const whole = await ns<RouterDoc & { upnp: { mappingsPartial: boolean } }>(lab, [
        'router',
        '--igd-url',
        igdUrl,
        '--list-budget',
        '60',
      ]);
      expect(whole.json!.upnp.mappingsPartial).toBe(false);
      expect(rows(whole.json!).sort()).toEqual(ports);

      const listArgs = ['map', 'list', '--via', 'upnp', '--igd-url', igdUrl, '--list-budget', '2'];
      const list = await ns<{ partial: boolean; partialReason: string | null }>(lab, listArgs);
      expect(list.json).toMatchObject({ partial: true, partialReason: expect.stringMatching(/time budget/) });
      const stateDir = `NATSCOPE_STATE_DIR=${natscopeEnv(lab).NATSCOPE_STATE_DIR}`;
      const text = await lab.exec('client', ['env', stateDir, process.execPath, NATSCOPE_CLI, ...listArgs], {
        cwd: REPO_ROOT,
      });
      expect(text.stdout).toMatch(/Partial table — more mappings may exist: .*time budget/);
    });
  });
});
