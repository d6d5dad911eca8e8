// `natscope turn` usage errors (exit 2, one {"error"} document with --json, before any network use)
// and where its secrets come from: --password-file / --secret-file, the environment, --password with
// a warning; never echoed.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../main.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'natscope-turn-'));
const pwFile = path.join(dir, 'pw');
const empty = path.join(dir, 'empty');
writeFileSync(pwFile, 'file-pass\n', { mode: 0o600 });
writeFileSync(empty, '\n', { mode: 0o600 });

async function cli(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    argv,
    { out: (t) => out.push(t), err: (t) => err.push(t), interactive: false },
    new AbortController().signal,
  );
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

const S = ['turn', '--server', '203.0.113.10'];

describe('natscope turn: usage errors', () => {
  beforeEach(() => {
    delete process.env.NATSCOPE_TURN_PASSWORD;
    delete process.env.NATSCOPE_TURN_SECRET;
  });
  it.each([
    [['turn', '--user', 'a', '--password-file', pwFile], /--server HOST\[:PORT\] is required/],
    [[...S, '--user', 'a'], /credentials needed: --user with --password-file FILE/],
    [[...S, '--user', 'a', '--password', 'x', '--password-file', pwFile], /exclude each other/],
    [[...S, '--user', 'a', '--password-file', empty], /the first line is empty/],
    [[...S, '--user', 'a', '--password-file', path.join(dir, 'missing')], /cannot read --password-file/],
    [[...S, '--secret', 's', '--password', 'p'], /not both/],
    [[...S, '--transport', 'sctp', '--secret-file', pwFile], /--transport must be udp, tcp or tls/],
    [[...S, '--relay', 'sctp', '--secret-file', pwFile], /--relay must be udp or tcp/],
    [
      [...S, '--secret-file', pwFile, '--timeout', '-1'],
      /--timeout must be a whole number from 200 to 30000/,
    ],
    [[...S, '--secret-file', pwFile, '--echo-uri', 'sip:x@y', '--echo-transport', 'ws'], /--echo-transport/],
    [[...S, '--secret-file', pwFile, '--echo-uri', 'sip:x@y', '--echo-seconds', '0'], /--echo-seconds/],
    [[...S, '--secret-file', pwFile, '--echo-uri', 'http://x'], /sip: or sips: URI/],
    [[...S, '--secret-file', pwFile, '--ca', path.join(dir, 'missing.pem')], /cannot read --ca/],
    [
      ['diagnose', '--turn-server', '203.0.113.10', '--turn-user', 'a'],
      /--turn-user with --turn-password-file/,
    ],
  ])('%j → exit 2', async (argv, message) => {
    const r = await cli([...argv, '--json']);
    expect(r.code, r.stderr).toBe(2);
    const doc = JSON.parse(r.stdout) as { error: { code: string; message: string } };
    expect(doc.error.code).toBe('bad-request');
    expect(doc.error.message).toMatch(message);
    expect(r.stdout + r.stderr).not.toContain('file-pass');
  });

  it('--password warns that it shows in the process list; the file and the environment do not', async () => {
    // nothing answers on 127.0.0.1:9 (discard): the run ends in a timeout after the credentials were read
    const base = ['turn', '--server', '127.0.0.1:9', '--user', 'a', '--timeout', '300', '--json'];
    const inline = await cli([...base, '--password', 'inline-pass']);
    expect(inline.stderr).toMatch(/warning: --password shows the secret/);
    expect(inline.stdout + inline.stderr).not.toContain('inline-pass');
    const file = await cli([...base, '--password-file', pwFile]);
    expect(file.stderr).not.toMatch(/warning/);
    process.env.NATSCOPE_TURN_PASSWORD = 'env-pass';
    const env = await cli(base);
    expect(env.code).toBe(1); // the allocation timed out: a result, not a usage error
    expect(JSON.parse(env.stdout)).toMatchObject({ allocated: false, error: { code: 'timeout' } });
    expect(env.stdout + env.stderr).not.toContain('env-pass');
  });
});
