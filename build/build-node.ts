// Bundles the Node-side entry points with esbuild: the CLI (which also hosts web mode), and the
// Electron main and preload scripts. The renderer is built by Vite (renderer/vite.config.ts).
import { build, type BuildOptions } from 'esbuild';
import { chmod, rm } from 'node:fs/promises';
import { buildNative } from './build-native.ts';
import { builtinsOnDemand } from './builtins-on-demand.ts';

const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  sourcemap: true,
  logLevel: 'warning',
  legalComments: 'none',
};

// Chunks of an earlier build would pile up next to the new ones.
await rm('dist/cli', { recursive: true, force: true });
await Promise.all([
  build({
    ...common,
    // Code splitting: each CLI command (commands/index.ts) and each service (services.ts) is a
    // dynamic import, so it becomes a chunk loaded only when used: `natscope --help` loads none.
    // Chunks sit beside the entry, so `import.meta.url` names the same directory in every chunk.
    entryPoints: {
      'natscope-main': 'electron/cli/natscope.ts',
      // `natscope server --workers N`: each STUN thread loads it (stun-workers.ts finds it beside its chunk)
      'stun-worker': 'electron/engine/companion/stun-worker.ts',
    },
    outdir: 'dist/cli',
    splitting: true,
    chunkNames: '[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    format: 'esm',
    // Bundled CommonJS dependencies (ws) call require(); give the ESM bundle one.
    banner: {
      js: "import { createRequire as __natscopeRequire } from 'node:module';\nconst require = __natscopeRequire(import.meta.url);",
    },
    // Optional native speed-ups of ws; the pure-JS fallbacks are used when absent. playwright-core
    // (natscope webrtc drives Chromium with it) is an optional dependency, loaded only when used.
    external: ['bufferutil', 'utf-8-validate', 'playwright-core'],
    plugins: [builtinsOnDemand],
  }),
  build({
    ...common,
    entryPoints: ['electron/cli/launcher.ts'],
    outfile: 'dist/cli/natscope.mjs',
    format: 'esm',
    banner: { js: '#!/usr/bin/env node' },
    external: ['./natscope-main.mjs'],
  }),
  build({
    ...common,
    entryPoints: ['electron/main/main.ts'],
    outfile: 'dist/electron/main.cjs',
    format: 'cjs',
    external: ['electron'],
  }),
  build({
    ...common,
    entryPoints: ['electron/preload/preload.ts'],
    outfile: 'dist/electron/preload.cjs',
    format: 'cjs',
    platform: 'browser',
    external: ['electron'],
  }),
]);
await chmod('dist/cli/natscope.mjs', 0o755);
buildNative();
