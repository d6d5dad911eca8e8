// Issue #8 acceptance: `natscope diagnose` through the lab's real NATs, against real peers —
// coturn for STUN (RFC 5780), `natscope server --no-stun` as SIP reflector and echo UAS, miniupnpd
// where the router step needs one. The findings must name what the variant really is.
import { expect, it } from 'vitest';

import type { ReportSchema } from '../../shared/contracts/report.ts';
import type { z } from 'zod';
import { describeLab } from './describe-lab.ts';
import { startNatscopeServer } from './companion-peer.ts';
import { NATSCOPE_CLI, withLab } from './lab.ts';
import type { Lab, LabOptions } from './lab.ts';
import type { VariantName } from './variants.ts';

type Report = z.infer<typeof ReportSchema>;

async function startCompanion(lab: Lab): Promise<void> {
  await startNatscopeServer(lab, ['--no-stun']);
}

async function diagnose(lab: Lab, extra: string[] = []): Promise<Report> {
  const s = lab.addr.serverPrimary;
  const r = await lab.natscope<Report>(
    'client',
    [
      'diagnose',
      '--stun-server',
      `${s}:${lab.ports.coturn}`,
      '--reflector',
      s,
      '--echo-uri',
      `sip:echo@${s}:5060`,
      '--call-seconds',
      '3',
      ...extra,
    ],
    { timeoutMs: 90_000 },
  );
  expect(r.json, `exit ${r.code}\n${r.stderr}\n${r.stdout.slice(0, 2000)}`).toBeDefined();
  return r.json!;
}

const ids = (r: Report) => r.findings.map((f) => f.id);
const stepStatus = (r: Report) => Object.fromEntries(r.steps.map((s) => [s.id, s.status]));

async function inLab(variant: VariantName, opts: LabOptions, fn: (lab: Lab) => Promise<void>) {
  await withLab(variant, { stund: false, ...opts }, async (lab) => {
    await startCompanion(lab);
    await fn(lab);
  });
}

describeLab('lab natscope diagnose', () => {
  it('masquerade: NAT noted, no double NAT, no ALG, audio both ways', async () => {
    await inLab('masquerade', { upnp: true }, async (lab) => {
      const r = await diagnose(lab);
      expect(stepStatus(r)).toMatchObject({
        network: 'done',
        nat: 'done',
        router: 'done',
        alg: 'done',
        call: 'done',
        registration: 'skipped',
      });
      const f = ids(r);
      expect(f).toContain('nat-detected');
      expect(f).not.toContain('double-nat');
      expect(f).not.toContain('cgnat');
      expect(f).toContain('no-sip-alg');
      // A clean lab path: the call's verdict is call-ok (RTT and MOS are cross-checked since issue #12).
      expect(f, f.join(',')).toContain('call-ok');
      expect(r.router?.summary).toMatchObject({ upnp: true, externalIp: lab.addr.routerWan });
      console.log(`[diagnose lab] masquerade: ${f.join(', ')}`);
    });
  });

  it('double NAT behind a CGN (100.64/10): double-nat and cgnat', async () => {
    await inLab('double-nat', { upnp: true }, async (lab) => {
      const r = await diagnose(lab);
      const f = ids(r);
      const why = JSON.stringify({
        router: r.router?.summary,
        steps: stepStatus(r),
        path: r.network?.hops,
        f,
      });
      expect(f, why).toContain('double-nat');
      expect(f, why).toContain('cgnat');
      const cgnat = r.findings.find((x) => x.id === 'cgnat')!;
      expect(cgnat.evidence.cgnHop).toBe(lab.addr.cgnInside);
      // The path shows our own NAT (private LAN) and then the CGN's 100.64/10 address.
      expect(r.findings.find((x) => x.id === 'double-nat')!.evidence.cgnHop).toBe(lab.addr.cgnInside);
      console.log(`[diagnose lab] double-nat: ${f.join(', ')}; path ${r.network?.hops?.join(' → ')}`);
    });
  });

  it('kernel SIP ALG on: sip-alg with the rewritten fields', async () => {
    await inLab('masquerade', { alg: true }, async (lab) => {
      const r = await diagnose(lab, ['--no-router']);
      const alg = r.findings.find((x) => x.id === 'sip-alg');
      expect(alg, ids(r).join(',')).toBeDefined();
      expect(alg!.severity).toBe('problem');
      expect(String(alg!.evidence['udp/5060'])).toMatch(/Contact/);
      expect(alg!.evidence['udp/5062']).toBe('untouched');
    });
  });

  it('UDP blocked: udp-blocked, and the UDP-only steps fail plainly instead of hanging', async () => {
    await inLab('udp-blocked', {}, async (lab) => {
      const t0 = Date.now();
      const r = await diagnose(lab, ['--no-router']);
      expect(ids(r)).toContain('udp-blocked');
      expect(ids(r)).not.toContain('no-nat');
      // A UDP call cannot work: it is skipped with the reason instead of waiting out SIP timer B.
      expect(r.steps.find((s) => s.id === 'call')).toMatchObject({
        status: 'skipped',
        reason: expect.stringMatching(/UDP is blocked/),
      });
      expect(Date.now() - t0).toBeLessThan(40_000);
    });
  });

  it('the SIP password appears in no output: human, JSON, and Markdown/HTML/JSON reports', async () => {
    const password = 'Zq9-lab-hunter2';
    await inLab('masquerade', {}, async (lab) => {
      await lab.startSippRegistrar('alice', password);
      const account = [
        '--registrar',
        `${lab.addr.serverPrimary}:${lab.ports.registrar}`,
        '--user',
        'alice',
        '--password',
        password,
        '--no-router',
      ];
      const outputs: string[] = [];
      const json = await diagnose(lab, account);
      expect(json.steps.find((s) => s.id === 'registration')).toMatchObject({ status: 'done' });
      outputs.push(JSON.stringify(json));
      for (const ext of ['md', 'html', 'json']) {
        const file = `/tmp/natscope-diag-${process.pid}.${ext}`;
        const r = await lab.exec(
          'client',
          [
            process.execPath,
            NATSCOPE_CLI,
            'diagnose',
            '--stun-server',
            `${lab.addr.serverPrimary}:${lab.ports.coturn}`,
            '--echo-uri',
            `sip:echo@${lab.addr.serverPrimary}:5060`,
            '--call-seconds',
            '2',
            ...account,
            '--report',
            file,
          ],
          { timeoutMs: 90_000 },
        );
        expect(r.code, r.stderr).toBe(0);
        outputs.push(r.stdout, r.stderr, (await lab.exec('client', ['cat', file])).stdout);
        await lab.exec('client', ['rm', '-f', file]);
      }
      expect(outputs.join('\n').length).toBeGreaterThan(1000);
      for (const o of outputs) {
        expect(o).not.toContain(password);
        expect(o).not.toMatch(/response="[0-9a-f]{32}"/);
      }
    });
  });

  it('RTP back-path blocked: one-way-audio', async () => {
    await inLab('masquerade', {}, async (lab) => {
      // Everything UDP from the server except STUN and SIP is dropped on its way back in: the echo never returns.
      await lab.nft(
        'router',
        `table inet oneway {\n  chain c_fwd {\n    type filter hook forward priority -10;\n    ip saddr ${lab.addr.serverPrimary} udp sport != { 3478, 3479, 5060, 5062 } drop\n  }\n}\n`,
      );
      const r = await diagnose(lab, ['--no-router']);
      expect(ids(r)).toContain('one-way-audio');
      expect(ids(r)).not.toContain('call-ok');
    });
  });
});
