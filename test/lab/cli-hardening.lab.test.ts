// Issue #18 items 7 and 10 against real peers: a UPnP mapping description full of terminal escape
// sequences (stored by miniupnpd, listed by `natscope router`) reaches the terminal escaped; the SIP
// password can come from --password-file or a hidden prompt on a terminal (SIPp's digest
// registrar accepts it), and --password still works but warns.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CallResult } from '../../shared/contracts/call.ts';
import { describeLab } from './describe-lab.ts';
import { attachLogs, LAB_DIR, NATSCOPE_CLI, REPO_ROOT, startLab, type Lab } from './lab.ts';
import { upnpc } from './reference.ts';

const SECRET = 'pw-Lab-18'; // handed to registrar.xml with -set pass
const PTY_RUN = join(LAB_DIR, 'tools', 'pty-run.py');
const ESCAPES = '\u001b]0;owned\u0007\u001b[2J';
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describeLab('CLI hardening against real peers (issue #18 items 7, 10)', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab('masquerade', { upnp: true, stund: false });
    await Promise.all([lab.startSippEcho(), lab.startSippRegistrar('alice', SECRET)]);
  });
  afterAll(async () => {
    await lab?.destroy();
  });
  const withLogs = (fn: () => Promise<void>) => async () => {
    try {
      await fn();
    } catch (err) {
      throw attachLogs(err, lab);
    }
  };
  const env = () => ({ ...process.env, NATSCOPE_STATE_DIR: join(lab.workDir, 'natscope-state') });
  const human = (args: string[]) =>
    lab.exec('client', [process.execPath, NATSCOPE_CLI, ...args], {
      timeoutMs: 60_000,
      cwd: REPO_ROOT,
      env: env(),
    });

  it(
    'item 7: a mapping description with escape sequences is printed escaped by `natscope router`',
    withLogs(async () => {
      const add = await upnpc(
        lab,
        ['-e', `phone${ESCAPES}`, '-a', lab.addr.client, '40210', '40210', 'UDP', '120'],
        {
          discover: false,
        },
      );
      expect(add.code, add.out).toBe(0);
      const r = await human(['router']);
      expect(r.code, r.stderr).toBe(0);
      expect(`${r.stdout}${r.stderr}`).not.toMatch(RAW_CONTROL);
      expect(r.stdout).toContain('phone\\x1b]0;owned\\x07\\x1b[2J');
      const j = await lab.natscope<{ upnp: { mappings: { description: string }[] } }>('client', ['router'], {
        env: env(),
      });
      expect(j.json!.upnp.mappings.map((m) => m.description)).toContain(`phone${ESCAPES}`);
      await upnpc(lab, ['-d', '40210', 'UDP'], { discover: false });
    }),
  );

  const target = () => `sip:echo@${lab.addr.serverPrimary}:${lab.ports.sip}`;
  const account = () => [
    '--registrar',
    `${lab.addr.serverPrimary}:${lab.ports.registrar}`,
    '--user',
    'alice',
  ];

  it(
    'item 10: --password-file registers; --password still works but warns',
    withLogs(async () => {
      const file = join(lab.workDir, 'sip-password');
      writeFileSync(file, `${SECRET}\n`, { mode: 0o600 });
      const r = await lab.natscope<CallResult>(
        'client',
        ['call', target(), ...account(), '--password-file', file, '--duration', '1'],
        {
          env: env(),
        },
      );
      expect(r.json?.registration, r.stderr).toMatchObject({ ok: true, status: 200 });
      expect(r.stderr).not.toMatch(/warning: --password/);
      const inline = await lab.natscope<CallResult>(
        'client',
        ['call', target(), ...account(), '--password', SECRET, '--duration', '1'],
        {
          env: env(),
        },
      );
      expect(inline.json?.registration).toMatchObject({ ok: true });
      expect(inline.stderr).toMatch(/warning: --password shows the secret to anyone who can list processes/);
      for (const out of [r.stdout, r.stderr, inline.stdout, inline.stderr]) expect(out).not.toContain(SECRET);
    }),
  );

  it(
    'item 10: on a terminal the password is asked for without echo, and registers',
    withLogs(async () => {
      const out = join(lab.workDir, 'pty-call.json');
      const cli = [
        process.execPath,
        NATSCOPE_CLI,
        'call',
        target(),
        ...account(),
        '--duration',
        '1',
        '--json',
      ];
      const r = await lab.exec(
        'client',
        [
          'python3',
          PTY_RUN,
          '--expect',
          'SIP password for alice@',
          '--send',
          SECRET,
          '--timeout',
          '60',
          '--',
          'sh',
          '-c',
          `${cli.map((a) => `'${a}'`).join(' ')} > ${out}`,
        ],
        { timeoutMs: 90_000, cwd: REPO_ROOT, env: env() },
      );
      expect(r.stdout).toMatch(/SIP password for alice@203\.0\.113\.10:5070: /);
      expect(r.stdout).not.toContain(SECRET); // typed, never echoed
      const doc = JSON.parse((await lab.exec('client', ['cat', out])).stdout) as CallResult;
      expect(doc.registration).toMatchObject({ ok: true, status: 200 });
    }),
  );
});
