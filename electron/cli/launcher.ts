// The `natscope` binary: turns on Node's on-disk compile cache, then loads the bundled CLI, so
// every run after the first skips compiling ~1 MB of JavaScript (start-up is most of a quick
// probe's wall time).
import module from 'node:module';

module.enableCompileCache?.();
// A computed specifier: the bundle sits next to this file only after the build.
const bundle = './natscope-main.mjs';
await import(bundle);
