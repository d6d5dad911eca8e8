import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIN_NODE, nodeVersionProblem } from '../../build/preflight.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
  scripts: Record<string, string>;
};

/** The machine's own older Node (Debian's), when there is one: the real thing a user may run. */
const OLD_NODE = '/usr/bin/node';
const oldVersion = existsSync(OLD_NODE)
  ? spawnSync(OLD_NODE, ['--version'], { encoding: 'utf8' }).stdout.trim()
  : '';
const haveOldNode = oldVersion !== '' && nodeVersionProblem(oldVersion) !== null;

describe('Node version preflight', () => {
  it('names the version needed, and accepts 22.18+, 23.x and 24', () => {
    expect(nodeVersionProblem('v20.20.2', '/usr/bin/node')).toMatch(
      /^NatScope needs Node\.js 22\.18 or newer \(24 LTS recommended\); \/usr\/bin\/node is v20\.20\.2\./,
    );
    expect(nodeVersionProblem('22.12.0')).toMatch(/needs Node\.js 22\.18/);
    expect(nodeVersionProblem('22.17.9')).not.toBeNull();
    for (const ok of ['22.18.0', '22.20.1', '23.6.0', '24.0.0', 'v24.21.0'])
      expect(nodeVersionProblem(ok)).toBeNull();
  });

  it('engines, the preflight and the CLI launcher agree on the minimum', () => {
    expect(pkg.engines.node).toBe(`>=${MIN_NODE[0]}.${MIN_NODE[1]}`);
    const launcher = readFileSync(path.join(ROOT, 'electron/cli/launcher.ts'), 'utf8');
    expect(launcher).toContain(`MIN_NODE = [${MIN_NODE[0]}, ${MIN_NODE[1]}] as const`);
  });

  it('every script that loads .ts files runs the preflight first', () => {
    for (const s of ['build', 'start', 'serve', 'test', 'test:unit', 'test:e2e', 'test:lab', 'lab', 'dist'])
      expect(pkg.scripts[`pre${s}`], s).toBe('node build/preflight.mjs');
  });

  it.skipIf(!haveOldNode)(
    `on ${oldVersion || 'an old Node'}: npm start, npm test and the preflight print one line`,
    () => {
      const direct = spawnSync(OLD_NODE, [path.join(ROOT, 'build/preflight.mjs')], { encoding: 'utf8' });
      expect(direct.status).toBe(1);
      expect(direct.stderr.trim().split('\n')).toHaveLength(1);
      expect(direct.stderr).toContain(`${OLD_NODE} is ${oldVersion}`);
      // npm itself on that Node: its lifecycle runs the preflight before anything loads a .ts file.
      const env = { ...process.env, PATH: `${path.dirname(OLD_NODE)}:/bin`, npm_config_loglevel: 'silent' };
      for (const script of ['start', 'test', 'run build']) {
        const r = spawnSync('npm', script.split(' '), { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
        expect(r.status, script).not.toBe(0);
        expect(r.stderr, script).toContain('NatScope needs Node.js 22.18 or newer');
        expect(r.stderr + r.stdout, script).not.toContain('ERR_UNKNOWN_FILE_EXTENSION');
      }
    },
    // Three npm runs on a loaded machine: a generous bound, not a timing assertion.
    120_000,
  );

  it.skipIf(!haveOldNode || !existsSync(path.join(ROOT, 'dist/cli/natscope.mjs')))(
    'the built CLI on an old Node says the same in one line',
    () => {
      const r = spawnSync(OLD_NODE, [path.join(ROOT, 'dist/cli/natscope.mjs'), 'network'], {
        encoding: 'utf8',
      });
      expect(r.status).toBe(1);
      expect(r.stderr.trim()).toMatch(
        /^natscope needs Node\.js 22\.18 or newer \(24 LTS recommended\); .* is v\d+/,
      );
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    },
    30_000,
  );
});
