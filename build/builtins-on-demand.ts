import type { Plugin } from 'esbuild';
import { readFile } from 'node:fs/promises';

/**
 * `import { x } from 'node:fs'` → `const { x } = process.getBuiltinModule('node:fs')` in the CLI's own
 * sources. An ES import of a built-in evaluates every lazy export of it (`node:util` loads streams,
 * net and worker_threads; `node:fs` loads fs/promises and readline), a third of a bare Node start-up
 * on `natscope --help`; getBuiltinModule (Node 22.3+) reads only what the code uses. Only
 * Prettier-formatted `import … from 'node:…';` statements are rewritten; anything else is left as it is.
 */
const IMPORT_BUILTIN = /^import\s+(?!type\s)([^;'"]+?)\s+from\s+'(node:[a-z_/]+)';$/gm;
export function builtinImportsToGetters(source: string): string {
  return source.replace(IMPORT_BUILTIN, (all: string, clause: string, mod: string) => {
    const get = `process.getBuiltinModule('${mod}')`;
    const m = /^(?:(\w+)\s*,?\s*)?(?:\{([^}]*)\}|\*\s+as\s+(\w+))?$/s.exec(clause.trim());
    if (!m) throw new Error(`unrecognised import of ${mod}: ${clause}`);
    const [, def, named, star] = m;
    const specs = (named ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s && !s.startsWith('type '))
      .map((s) => s.replace(/\s+as\s+/, ': '));
    const out = [];
    if (def) out.push(`const ${def} = ${get};`);
    if (star) out.push(`const ${star} = ${get};`);
    if (specs.length) out.push(`const { ${specs.join(', ')} } = ${get};`);
    // Same number of lines as the import it replaces, so the source map stays right.
    return out.join(' ') + '\n'.repeat(all.split('\n').length - 1);
  });
}

/** esbuild plugin applying builtinImportsToGetters to the project's own TypeScript. */
export const builtinsOnDemand: Plugin = {
  name: 'builtins-on-demand',
  setup(b) {
    b.onLoad({ filter: /\/(electron|shared)\/.*\.ts$/ }, async (a) => ({
      contents: builtinImportsToGetters(await readFile(a.path, 'utf8')),
      loader: 'ts',
    }));
  },
};
