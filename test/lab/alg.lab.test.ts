// Issue #7 acceptance: `natscope alg` against `natscope server` through real NATs. With the
// kernel SIP ALG on, it is detected and the rewritten fields are named; with it off nothing is
// reported; traffic to the non-5060 port is untouched; behind the CGN the ALG's wrong (CGN-side)
// address is called out. Each case gets a fresh lab: the ALG only applies to new conntrack flows.
import { expect, it } from 'vitest';

import type { AlgResult } from '../../shared/contracts/alg.ts';
import { describeLab } from './describe-lab.ts';
import { startNatscopeServer } from './companion-peer.ts';
import { withLab } from './lab.ts';
import type { Lab } from './lab.ts';

async function startCompanion(lab: Lab): Promise<void> {
  await startNatscopeServer(lab, ['--alternate-address', lab.addr.serverSecondary, '--log-level', 'debug'], {
    ready: [
      { proto: 'udp', port: 5060 },
      { proto: 'tcp', port: 5060 },
      { proto: 'udp', port: 5062 },
      { proto: 'tcp', port: 5062 },
      { proto: 'udp', port: 3478 },
    ],
  });
}

async function algRun(lab: Lab): Promise<AlgResult> {
  const r = await lab.natscope<AlgResult>('client', ['alg', '--reflector', lab.addr.serverPrimary]);
  expect(r.json, `${r.stdout}\n${r.stderr}`).toBeDefined();
  return r.json!;
}

const row = (r: AlgResult, t: 'UDP' | 'TCP', port: number, kind: 'sip' | 'random') =>
  r.paths.find((p) => p.transport === t && p.destinationPort === port && p.sourcePortKind === kind)!;

describeLab('lab natscope alg (masquerade)', () => {
  it('ALG off: no ALG reported, every path byte-identical both ways', async () => {
    await withLab('masquerade', { alg: false, coturn: false, stund: false }, async (lab) => {
      await startCompanion(lab);
      const r = await algRun(lab);
      expect(r.algDetected, JSON.stringify(r.paths, null, 1)).toBe(false);
      expect(r.evidence).toBe('conclusive');
      expect(r.paths).toHaveLength(8);
      expect(r.paths.every((p) => p.status === 'untouched')).toBe(true);
      // the server saw the NAT's public address
      expect(r.paths[0]!.messages[0]!.observedSource).toMatch(/^203\.0\.113\.2:/);
    });
  });

  it('ALG on: detected, rewritten fields named, port 5062 and TCP untouched', async () => {
    await withLab('masquerade', { alg: true, coturn: false, stund: false }, async (lab) => {
      await startCompanion(lab);
      const r = await algRun(lab);
      expect(r.algDetected, r.summary).toBe(true);
      for (const kind of ['sip', 'random'] as const) {
        const udp = row(r, 'UDP', 5060, kind);
        expect(udp.status, JSON.stringify(udp, null, 1)).toBe('rewritten');
        expect(udp.rewrittenFields).toEqual(expect.arrayContaining(['Via', 'Contact', 'SDP c=', 'SDP o=']));
        expect(udp.writtenAddresses).toEqual(['203.0.113.2']);
        expect(row(r, 'UDP', 5062, kind).status).toBe('untouched');
        expect(row(r, 'TCP', 5060, kind).status).toBe('untouched');
        expect(row(r, 'TCP', 5062, kind).status).toBe('untouched');
      }
      expect(r.summary).toMatch(/^UDP 5060: .*rewritten to 203\.0\.113\.2.*; TCP and port 5062 untouched$/);
      expect(r.wrongAddress).toBeNull();
      expect(r.advice.map((a) => a.id)).toEqual(expect.arrayContaining(['alg-disable', 'alg-avoid']));
      console.log(`[alg lab] masquerade + ALG: ${r.summary}`);
    });
  });
});

describeLab('lab natscope alg (double-nat)', () => {
  it('ALG on behind a CGN: the wrong CGN-side address 100.64.0.2 is called out', async () => {
    await withLab('double-nat', { alg: true, coturn: false, stund: false }, async (lab) => {
      await startCompanion(lab);
      const r = await algRun(lab);
      expect(r.algDetected).toBe(true);
      expect(row(r, 'UDP', 5060, 'random').writtenAddresses).toEqual(['100.64.0.2']);
      expect(r.wrongAddress).toMatchObject({
        written: '100.64.0.2',
        publicAddress: '203.0.113.3',
        writtenClass: 'cgnat',
      });
      expect(r.advice.map((a) => a.id)).toContain('alg-wrong-address');
      console.log(`[alg lab] double-nat + ALG: ${r.summary}`);
    });
  });
});
