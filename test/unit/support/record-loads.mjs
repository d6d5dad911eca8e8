// Preloaded with `node --import`: on exit, prints one JSON line to stderr naming the Node built-ins
// and the project files the process loaded (for test/unit/cli-lazy-load.test.ts).
import module from 'node:module';

const files = new Set();
const before = new Set(process.moduleLoadList);
module.registerHooks({
  resolve(specifier, context, next) {
    const r = next(specifier, context);
    if (r.url.startsWith('file:')) files.add(r.url);
    return r;
  },
});
process.on('exit', () => {
  const builtins = process.moduleLoadList
    .filter((m) => !before.has(m) && m.startsWith('NativeModule '))
    .map((m) => m.slice('NativeModule '.length));
  process.stderr.write(`\nLOADED ${JSON.stringify({ builtins, files: [...files] })}\n`);
});
