// Bundles the Node-side entry points with esbuild: the CLI (which also hosts web mode), and the
// Electron main and preload scripts. The renderer is built by Vite (renderer/vite.config.ts).
import { build, type BuildOptions } from 'esbuild';
import { chmod } from 'node:fs/promises';

const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  sourcemap: true,
  logLevel: 'warning',
  legalComments: 'none',
};

await Promise.all([
  build({
    ...common,
    entryPoints: ['electron/cli/natscope.ts'],
    outfile: 'dist/cli/natscope-main.mjs',
    format: 'esm',
    // Bundled CommonJS dependencies (ws) call require(); give the ESM bundle one.
    banner: {
      js: "import { createRequire as __natscopeRequire } from 'node:module';\nconst require = __natscopeRequire(import.meta.url);",
    },
    // Optional native speed-ups of ws; the pure-JS fallbacks are used when absent.
    external: ['bufferutil', 'utf-8-validate'],
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
