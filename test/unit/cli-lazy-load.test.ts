// `natscope --help` and quick commands load only what they use (issue #19: start-up within 2x of
// a bare `node -e 0`, measured by bench/cli-startup.ts). This checks the structure behind that
// figure, not a time: which modules and Node built-ins a CLI run loads.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { commands } from '../../electron/cli/commands/index.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const HOOK = pathToFileURL(path.join(ROOT, 'test/unit/support/record-loads.mjs')).href;

function loads(...argv: string[]): { builtins: string[]; files: string[] } {
  const r = spawnSync(
    process.execPath,
    ['--import', HOOK, path.join(ROOT, 'electron/cli/natscope.ts'), ...argv],
    {
      encoding: 'utf8',
      cwd: ROOT,
      env: { ...process.env, NATSCOPE_STATE_DIR: path.join(ROOT, 'test/artifacts') },
    },
  );
  const line = r.stderr.split('\n').find((l) => l.startsWith('LOADED '));
  if (!line) throw new Error(`no load record (exit ${r.status}): ${r.stderr}`);
  const doc = JSON.parse(line.slice('LOADED '.length)) as { builtins: string[]; files: string[] };
  return { builtins: doc.builtins, files: doc.files.map((u) => path.relative(ROOT, new URL(u).pathname)) };
}

const HEAVY_BUILTINS = ['tls', 'http', 'https', 'http2', 'zlib', 'crypto', 'worker_threads'];
/** The service modules a run loaded (electron/services/<name>-service.ts, not the lazy stand-in). */
const serviceModules = (files: string[]) =>
  files.filter((f) => /-service\.ts$/.test(f) && !f.endsWith('/lazy-service.ts'));
const heavy = (b: string[]) => b.filter((m) => HEAVY_BUILTINS.includes(m) || m.includes('undici'));

describe('CLI lazy loading', () => {
  it('natscope --help loads no command module, no service, no engine and no zod', () => {
    const { builtins, files } = loads('--help');
    expect(
      files.filter((f) => /electron\/(services|engine)\/|cli\/commands\/(?!index)|node_modules\//.test(f)),
    ).toEqual([]);
    expect(heavy(builtins)).toEqual([]);
  });

  it('natscope network loads its own command and service only', () => {
    const { builtins, files } = loads('network', '--json');
    expect(files.filter((f) => f.includes('cli/commands/'))).toEqual([
      'electron/cli/commands/index.ts',
      'electron/cli/commands/network.ts',
    ]);
    expect(serviceModules(files)).toEqual(['electron/services/network-service.ts']);
    expect(files.filter((f) => f.includes('node_modules/'))).toEqual([]);
    expect(heavy(builtins)).toEqual([]);
  });

  it('natscope server loads neither crypto nor worker_threads before it needs them', () => {
    // a bad address stops the command after its modules (and the companion engine) have loaded
    const { builtins, files } = loads('server', '--address', 'not-an-ip');
    expect(files).toContain('electron/engine/companion/companion-server.ts');
    expect(files).not.toContain('electron/engine/companion/stun-workers.ts');
    // OpenSSL's set-up is ≈ 2.5 MB of RSS: only the first SIP request or STUN integrity check needs it
    expect(builtins.filter((b) => b === 'crypto' || b === 'worker_threads')).toEqual([]);
  });

  it('a command module is loaded for its own --help, and every entry loads a command', async () => {
    const { files } = loads('nat', '--help');
    expect(files).toContain('electron/cli/commands/nat.ts');
    expect(serviceModules(files)).toEqual([]);
    for (const entry of commands) {
      const c = await entry.load();
      expect(c.usage.split(' ')[0], entry.name).toBe(entry.name);
      expect(typeof c.run).toBe('function');
    }
    expect(new Set(commands.map((c) => c.name)).size).toBe(commands.length);
  });
});
