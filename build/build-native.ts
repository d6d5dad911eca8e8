// Compiles the optional native addon of `natscope server` (electron/engine/net/native/udp_batch.c:
// recvmmsg/sendmmsg, issue #19) into dist/native/udp-batch.node. Linux only; it needs a C compiler,
// node-api-headers (a dev dependency) and libuv's header (Debian: libuv1-dev). Without them the
// build goes on and the server answers through node:dgram — same answers, more CPU per datagram —
// so this prints why and never fails the build.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const SOURCES = ['electron/engine/net/native/udp_batch.c', 'electron/engine/net/native/udp_batch_send.c'];
const OUT = 'dist/native/udp-batch.node';

export function buildNative(): string | null {
  if (process.platform !== 'linux') return skip('batched UDP is Linux only');
  let napiInclude: string;
  try {
    napiInclude = join(
      dirname(createRequire(import.meta.url).resolve('node-api-headers/package.json')),
      'include',
    );
  } catch {
    return skip('node-api-headers is not installed (npm ci)');
  }
  const uvInclude = ['/usr/include', '/usr/local/include'].find((d) => existsSync(join(d, 'uv.h')));
  if (!uvInclude) return skip("libuv's header uv.h is missing (Debian: apt-get install libuv1-dev)");
  const cc = process.env.CC ?? 'cc';
  mkdirSync(dirname(OUT), { recursive: true });
  const args = [
    '-O2',
    '-Wall',
    '-Wextra',
    '-Wno-unused-parameter',
    '-shared',
    '-fPIC',
    '-I',
    napiInclude,
    '-o',
    OUT,
    ...SOURCES,
  ];
  const r = spawnSync(cc, args, { encoding: 'utf8' });
  if (r.error) return skip(`no C compiler (${cc}: ${r.error.message})`);
  if (r.status !== 0) return skip(`${cc} failed:\n${r.stderr}`);
  if (r.stderr.trim()) process.stderr.write(r.stderr);
  return OUT;
}

function skip(why: string): null {
  console.warn(`build-native: ${OUT} not built — ${why}; natscope server will use node:dgram`);
  return null;
}
