// The `natscope` binary: checks the Node version, turns on Node's on-disk compile cache, then
// loads the bundled CLI, so every run after the first skips compiling ~1 MB of JavaScript
// (start-up is most of a quick probe's wall time).
import module from 'node:module';
import { serverReexec } from './server-flags.ts';

/** Same minimum as package.json `engines` and build/preflight.mjs (test/unit/node-version.test.ts). */
export const MIN_NODE = [22, 18] as const;

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < MIN_NODE[0] || (major === MIN_NODE[0] && minor < MIN_NODE[1])) {
  process.stderr.write(
    `natscope needs Node.js ${MIN_NODE.join('.')} or newer (24 LTS recommended); ${process.execPath} is ${process.version}.\n`,
  );
  process.exit(1);
}
// `natscope server` restarts itself in place (same process id) with its V8 flags (server-flags.ts).
const reexec = serverReexec(process.argv, process.execArgv, process.env, process.platform);
if (reexec && typeof process.execve === 'function') process.execve(process.execPath, reexec, process.env);
module.enableCompileCache?.();
// A computed specifier: the bundle sits next to this file only after the build.
const bundle = './natscope-main.mjs';
await import(bundle);
